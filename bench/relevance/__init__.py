"""The judged relevance set: conditions, patients and places -> specialties fit for a second opinion.

`cases.csv` holds one judged case a row: a condition (ICD-10-CM or ORPHA), the patient's age (blank:
the request gives none) and sex, a place (a ZIP in one of the ten largest US metros or elsewhere),
why the second opinion is sought (`reason`, as `POST /v1/matches` takes it), the NUCC specialties
fit for that second opinion (`primary`), those that share it (`acceptable`), and the source of the
judgement (a specialty board's scope, an NCI PDQ summary, Orphanet's expert centres, a guideline, a
peer-reviewed study). A row without an age is judged for the condition's usual, adult patient.
Judgements depend on the reason: a pathologist's or neuroradiologist's review is the second opinion
for an unclear diagnosis, and not for a question about treatment, so pathology and diagnostic
imaging are judged for `unclear_diagnosis` rows only. Run it with `python -m bench.relevance`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from reference import conditions as catalogue
from reference import nucc
from search.case import REASONS

CASES_CSV = Path(__file__).with_name("cases.csv")
# The ten largest US metropolitan statistical areas (Census Bureau, 2023 estimates).
TOP_METROS = frozenset({"New York", "Los Angeles", "Chicago", "Dallas", "Houston", "Atlanta", "Washington",
                        "Philadelphia", "Miami", "Phoenix"})
ADULT_AGE = 18


@dataclass(frozen=True, slots=True)
class JudgedCase:
    """One patient and condition, with the specialties judged right for a second opinion."""

    id: str
    system: str
    code: str
    name: str
    age: int | None  # None: the request gives no age (the row is judged for the condition's usual, adult patient)
    sex: str
    place: str
    zip: str
    primary: frozenset[str]
    acceptable: frozenset[str]
    source: str
    reason: str  # search.case.REASONS

    @property
    def in_top_metro(self) -> bool:
        """Whether the patient lives in one of the ten largest US metros."""
        return self.place in TOP_METROS

    @property
    def is_child(self) -> bool:
        """Under 18 (a patient of unknown age is not)."""
        return self.age is not None and self.age < ADULT_AGE


def _codes(text: str) -> frozenset[str]:
    codes = frozenset(text.split())
    unknown = [c for c in codes if not nucc.is_known(c)]
    if unknown:
        raise ValueError(f"unknown NUCC codes {unknown}")
    return codes


def load_cases(path: Path = CASES_CSV) -> list[JudgedCase]:
    """Every judged case, validated: known condition codes and NUCC codes, a source on each."""
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            system, _, code = row["condition"].rpartition(":")
            found = catalogue.lookup(system, code)
            if found is None or not row["source"].strip() or row["sex"] not in ("F", "M"):
                raise ValueError(f"case {row['id']}: unknown condition, no source or bad sex")
            if row["reason"] not in REASONS:
                raise ValueError(f"case {row['id']}: reason {row['reason']!r} is not one of {REASONS}")
            age = int(row["age"]) if row["age"] else None
            out.append(JudgedCase(row["id"], found.system, found.code, row["name"], age, row["sex"],
                                  row["place"], row["zip"], _codes(row["primary"]), _codes(row["acceptable"]),
                                  row["source"], row["reason"]))
    return out
