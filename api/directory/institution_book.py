"""Every institution's name and health system in memory: what a match needs to leave the first
opinion's institutions out, without a statement per request.

The book is loaded with the plans (api/coverage/plan_cache.py) and replaced whenever a write to the
`institution` table moves the same version counter, so it is never older than the poll interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Institution
from search.case import normalise_institution_name


@dataclass(frozen=True)
class InstitutionBook:
    """Institution names and health systems at one version of the table."""

    names: dict[int, str] = field(default_factory=dict)  # id -> name as stored
    systems: dict[int, int] = field(default_factory=dict)  # id -> health system (those in one)
    systems_by_name: dict[str, frozenset[int]] = field(default_factory=dict)  # normalised name -> systems
    normalised_names: tuple[str, ...] = ()
    _counts: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def names_of(self, ids) -> list[str]:
        """The stored names of these institutions (unknown ids are left out)."""
        return [self.names[i] for i in sorted(ids) if i in self.names]

    def health_systems(self, ids, normalised_names) -> set[int]:
        """The health systems of the institutions with these ids or these normalised names."""
        found = {self.systems[i] for i in ids if i in self.systems}
        for name in normalised_names:
            found |= self.systems_by_name.get(name, frozenset())
        return found

    def names_containing(self, word: str, at_most: int) -> int:
        """How many institution names contain `word` (a normalised word), counted up to `at_most + 1`."""
        known = self._counts.get(word)
        if known is None:
            known = 0
            for name in self.normalised_names:
                if word in name:
                    known += 1
                    if known > at_most:
                        break
            self._counts[word] = known  # a book never changes, so neither does the count
        return known


def load_institutions(session: Session) -> InstitutionBook:
    """The whole table in one query."""
    names: dict[int, str] = {}
    systems: dict[int, int] = {}
    by_name: dict[str, set[int]] = {}
    every: list[str] = []  # one per institution, as LIKE would count them
    for institution_id, name, system_id in session.execute(
        select(Institution.id, Institution.name, Institution.health_system_id)
    ):
        names[institution_id] = name
        key = normalise_institution_name(name)
        every.append(key)
        by_name.setdefault(key, set())
        if system_id is not None:
            systems[institution_id] = system_id
            by_name[key].add(system_id)
    return InstitutionBook(
        names=names,
        systems=systems,
        systems_by_name={key: frozenset(ids) for key, ids in by_name.items()},
        normalised_names=tuple(every),
    )
