"""Whom a specialist sees (children, adults or all ages) and which condition codes a patient can have.

Populations come from NUCC codes: a paediatric code (NUCC spells them "Pediatric...", "Child...",
"Neonatal...") means children; a few specialties treat every age (family medicine, medical
genetics, pathology, imaging, ...); every other code means adults. A specialist holding codes of
both kinds sees all ages.

Code plausibility follows the sex and age edits of the CMS Medicare Code Editor (MCE) for
ICD-10-CM, by chapter and block: simple-icd-10-cm ships the codes but not these edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reference import nucc

PEDIATRIC, ADULT, ALL_AGES = "pediatric", "adult", "all"
POPULATIONS = (PEDIATRIC, ADULT, ALL_AGES)
ADULT_AGE = 18.0  # years: below it a patient is a child for the population constraint

# Specialties that see every age: no paediatric twin in NUCC, or the work is on specimens and images.
_ALL_AGES_FAMILIES = frozenset({"genetics", "pathology", "radiology"})
_ALL_AGES_CODES = frozenset(
    {
        "207Q00000X",  # Family Medicine
        "207K00000X",  # Allergy & Immunology
        "207N00000X",  # Dermatology
        "207W00000X",  # Ophthalmology
        "207Y00000X",  # Otolaryngology
        "207T00000X",  # Neurological Surgery (NUCC has no paediatric neurosurgery code)
        "2085R0001X",  # Radiation Oncology (likewise)
        "207X00000X",  # Orthopaedic Surgery
        "208600000X",  # General Surgery
    }
)
_PEDIATRIC_WORDS = ("pediatric", "child", "neonatal")

# Age bands a match request may give instead of years: [low, high) in years.
AGE_BANDS: dict[str, tuple[float, float]] = {
    "newborn": (0.0, 28 / 365.25),
    "infant": (0.0, 1.0),
    "child": (1.0, 13.0),
    "adolescent": (13.0, 18.0),
    "adult": (18.0, 65.0),
    "older_adult": (65.0, 125.0),
}

# Conditions almost only adults have: with the patient's age unknown, a match ranks the adult boards
# that treat them before their paediatric twins (search.case). Cancers whose median age at
# diagnosis is past 60 and which children almost never get: SEER Cancer Stat Facts (oesophagus 68,
# stomach 68, colorectum 66, pancreas 70, lung 71, melanoma 66, breast 63, prostate 67, bladder 73,
# myeloma 69, mesothelioma past 70); glioblastoma 65 (CBTRUS Statistical Report, Ostrom et al.,
# Neuro-Oncology 2023;25(Suppl 4):iv1-99), the supratentorial brain sites it arises in and the
# unspecified site (C71.6 cerebellum and C71.7 brain stem are where children's medulloblastoma and
# pontine glioma arise: not listed). ICD-10-CM code prefixes, and ORPHA codes of the same tumours.
MOSTLY_ADULT_ICD = (
    "C15", "C16", "C18", "C19", "C20", "C25", "C34", "C43", "C45", "C50", "C61", "C67", "C90",
    "C71.0", "C71.1", "C71.2", "C71.3", "C71.4", "C71.5", "C71.8", "C71.9",
)  # fmt: skip
MOSTLY_ADULT_ORPHA = frozenset({"360", "50251", "29073"})  # glioblastoma, pleural mesothelioma, myeloma


def mostly_adult(system: str, code: str) -> bool:
    """Whether a condition is one that almost only adults have (MOSTLY_ADULT_ICD, MOSTLY_ADULT_ORPHA)."""
    if system == "ORPHA":
        return code in MOSTLY_ADULT_ORPHA
    return system == "ICD-10-CM" and code.startswith(MOSTLY_ADULT_ICD)


def population_of_code(code: str) -> str:
    """The population one NUCC code implies: 'pediatric', 'adult' or 'all'."""
    taxonomy = nucc.get(code)
    if taxonomy is None:
        return ALL_AGES  # an unknown code says nothing about age
    if code == "208000000X" or any(w in taxonomy.display.casefold() for w in _PEDIATRIC_WORDS):
        return PEDIATRIC
    if code in _ALL_AGES_CODES or taxonomy.family in _ALL_AGES_FAMILIES:
        return ALL_AGES
    return ADULT


def population_of(primary: str | None, codes) -> str:
    """The population a specialist sees, from their primary NUCC code and all their codes.

    Children if a code is paediatric, adults if a code is adult; an all-ages primary specialty
    means both, an all-ages secondary one adds nothing (a medical oncologist who also lists
    radiation oncology still sees adults only). No codes at all: all ages.
    """
    seen = {population_of_code(c) for c in codes}
    if primary is not None and population_of_code(primary) == ALL_AGES or not seen - {ALL_AGES}:
        return ALL_AGES
    seen.discard(ALL_AGES)
    return ALL_AGES if seen == {PEDIATRIC, ADULT} else seen.pop()


def age_range(years: float | None = None, band: str | None = None) -> tuple[float, float] | None:
    """[low, high) in years from an age in whole years or a band name (None when neither is known)."""
    if years is not None:
        return float(years), float(years) + 1.0
    return AGE_BANDS[band] if band else None


def age_in_years(birth_date: date, today: date) -> int:
    """Whole years of age on `today` (a birth date never leaves the case: only this does)."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def populations_for(ages: tuple[float, float] | None) -> frozenset[str]:
    """Populations a specialist may serve for a patient of this age range (all when unknown)."""
    if ages is None:
        return frozenset(POPULATIONS)
    if ages[1] <= ADULT_AGE:
        return frozenset({PEDIATRIC, ALL_AGES})
    if ages[0] >= ADULT_AGE:
        return frozenset({ADULT, ALL_AGES})
    return frozenset(POPULATIONS)


@dataclass(frozen=True)
class _Edit:
    """An MCE-style edit: the codes it covers (3-character ranges) and who can have them."""

    first: str
    last: str  # inclusive, compared on the first three characters
    sex: str | None = None  # 'female' | 'male'
    min_age: float | None = None
    max_age: float | None = None  # exclusive
    why: str = ""


_EDITS: tuple[_Edit, ...] = (
    _Edit("C60", "C63", sex="male", why="a cancer of a male genital organ"),
    _Edit("D29", "D29", sex="male", why="a tumour of a male genital organ"),
    _Edit("D40", "D40", sex="male", why="a tumour of a male genital organ"),
    _Edit("N40", "N53", sex="male", why="a disease of the male genital organs"),
    _Edit("Q53", "Q55", sex="male", why="a malformation of the male genital organs"),
    _Edit("C51", "C58", sex="female", why="a cancer of a female genital organ"),
    _Edit("D25", "D28", sex="female", why="a tumour of a female genital organ"),
    _Edit("D39", "D39", sex="female", why="a tumour of a female genital organ"),
    _Edit("N70", "N98", sex="female", why="a disease of the female genital tract"),
    _Edit("Q50", "Q52", sex="female", why="a malformation of the female genital organs"),
    _Edit("O00", "O9A", sex="female", min_age=9.0, max_age=65.0, why="a pregnancy code (MCE maternity ages 9-64)"),
    _Edit("Z3A", "Z3A", sex="female", min_age=9.0, max_age=65.0, why="a weeks-of-gestation code"),
    _Edit("P00", "P96", max_age=1.0, why="a perinatal (newborn) code"),
    _Edit("Z38", "Z38", max_age=1.0, why="a liveborn infant code"),
)


def implausible(system: str, code: str, sex: str | None, ages: tuple[float, float] | None) -> str | None:
    """Why a patient of this sex and age cannot have this code, or None when they can (or it is unknown)."""
    if system != "ICD-10-CM" or not code:
        return None
    head = code.replace(".", "")[:3].upper()
    for edit in _EDITS:
        if not edit.first <= head <= edit.last:
            continue
        if edit.sex and sex in ("female", "male") and sex != edit.sex:
            return f"ICD-10-CM {code} is {edit.why}, which a {sex} patient cannot have."
        if ages is not None and edit.min_age is not None and ages[1] <= edit.min_age:
            return f"ICD-10-CM {code} is {edit.why}, not possible below age {edit.min_age:g}."
        if ages is not None and edit.max_age is not None and ages[0] >= edit.max_age:
            return f"ICD-10-CM {code} is {edit.why}, not possible from age {edit.max_age:g}."
    return None
