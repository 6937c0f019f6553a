"""A lower-cased name and code-prefix index over one coding system, for autocomplete."""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

_WORD = re.compile(r"[a-z0-9]+")

# Ranking tiers, best first: exact code, code prefix, a word starts with the query phrase, every
# query word starts some word, the query sits inside a word. Within a tier broader codes come
# first, then hits on the name before hits on a synonym, then whole-word hits ("heart failure"
# before "heartburn"), then names that open with the query, then shorter names.
EXACT_CODE, CODE_PREFIX, WORD_PREFIX, ALL_WORDS, INSIDE_WORD = range(5)


class Named(Protocol):
    """Anything with a code and a name (a Condition)."""

    @property
    def code(self) -> str:
        """The code within its system."""
        ...

    @property
    def name(self) -> str:
        """The display name."""
        ...

    @property
    def synonyms(self) -> tuple[str, ...]:
        """Other names people use for it."""
        ...


T = TypeVar("T", bound=Named)


def normalise(text: str) -> str:
    """Lower-case, accent-free words joined by single spaces, with a leading space.

    The leading space lets `" " + word in text` test "some word starts with this".
    """
    folded = text.casefold()
    if not folded.isascii():  # rare, and the per-character accent strip is the slow part
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return " " + " ".join(_WORD.findall(folded))


class ConditionIndex(Sequence[T]):
    """Immutable list of one system's conditions plus what `search` needs, built once."""

    def __init__(self, items: Sequence[T], code_key: Callable[[str], str], depth: Callable[[str], int]):
        # Broad codes first: a scan then meets candidates in ranking order and can stop early.
        self._items = tuple(sorted(items, key=lambda item: (depth(item.code), code_key(item.code))))
        self._names = [normalise(item.name) for item in self._items]
        self._depths = [depth(item.code) for item in self._items]
        # Synonyms are searched like names and credited to their condition.
        self._alias_owner = [i for i, item in enumerate(self._items) for _ in item.synonyms]
        self._alias_names = [normalise(text) for item in self._items for text in item.synonyms]
        # Sorted code keys let a prefix query be two bisects instead of a scan.
        order = sorted(range(len(self._items)), key=lambda i: code_key(self._items[i].code))
        self._code_keys = [code_key(self._items[i].code) for i in order]
        self._code_order = order

    def __len__(self) -> int:
        """Number of conditions."""
        return len(self._items)

    def __getitem__(self, i):
        """The i-th condition (broadest codes first)."""
        return self._items[i]

    def depth(self, i: int) -> int:
        """Specificity of the i-th condition (0 for flat systems)."""
        return self._depths[i]

    def search(self, words: list[str], code_prefix: str | None, limit: int) -> list[tuple[tuple, T]]:
        """Best `limit` matches as (ranking key, condition), best first; key[0] is the tier."""
        ranked: dict[int, tuple] = {}
        if code_prefix:
            lo = bisect_left(self._code_keys, code_prefix)
            hi = bisect_left(self._code_keys, code_prefix + "\x7f")
            for j in range(lo, hi):
                i = self._code_order[j]
                tier = EXACT_CODE if self._code_keys[j] == code_prefix else CODE_PREFIX
                # Code hits sort by code (C92, C92.0, C92.1...), so the name length slot is 0.
                ranked[i] = (tier, self._depths[i], False, False, False, 0, self._items[i].code)
        if words:
            self._match_names(words, limit, ranked, self._names, range(len(self._names)), False)
            self._match_names(words, limit, ranked, self._alias_names, self._alias_owner, True)
        best = heapq.nsmallest(limit, ranked.items(), key=lambda kv: kv[1])
        return [(key, self._items[i]) for i, key in best]

    def _match_names(
        self,
        words: list[str],
        limit: int,
        ranked: dict[int, tuple],
        names: list[str],
        owners: Sequence[int],
        via_synonym: bool,
    ) -> None:
        depths = [self._depths[owners[j]] for j in range(len(names))] if via_synonym else self._depths
        phrase = " " + " ".join(words)
        probe = max(words, key=len)  # the longest word filters the most
        if len(probe) < 3:
            # One or two letters match nearly everything: only names that open with them count.
            hits = [i for i, name in enumerate(names) if name.startswith(phrase)]
        else:
            hits = [i for i, name in enumerate(names) if probe in name]
        tiers = [(WORD_PREFIX, lambda n: phrase in n)]
        if len(words) > 1:
            tiers.append((ALL_WORDS, lambda n: all(" " + w in n for w in words)))
        if all(len(w) >= 3 for w in words):
            # Mid-word hits ("emia" in "leukemia") only for 3+ characters, else noise swamps the list.
            tiers.append((INSIDE_WORD, lambda n: all(w in n for w in words)))
        for tier, test in tiers:
            if len(ranked) >= limit and not via_synonym:
                break  # a worse tier cannot displace what the better ones found
            matched = [i for i in hits if test(names[i]) and (via_synonym or i not in ranked)]
            if len(matched) > limit:
                # Hits arrive broadest first, so nothing deeper than the limit-th one can place.
                cutoff = depths[matched[limit - 1]]
                matched = [i for i in matched if depths[i] <= cutoff]
            for i in matched:
                name, owner = names[i], owners[i]
                partial_word = (name + " ").find(phrase + " ") < 0
                key = (
                    tier,
                    depths[i],
                    via_synonym,
                    partial_word,
                    not name.startswith(phrase),
                    len(name),
                    self._items[owner].code,
                )
                if owner not in ranked or key < ranked[owner]:
                    ranked[owner] = key
