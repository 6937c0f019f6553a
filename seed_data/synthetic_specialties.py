"""Which specialties a synthetic specialist holds, what they treat, charge and are certified in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from reference import conditions, nucc
from seed_data.synthetic_geo import cumulative

# How many NUCC codes a specialist lists (NPPES allows 15): mostly one to three.
SPECIALTY_COUNT_P = np.array(
    [0.45, 0.30, 0.14, 0.05, 0.025, 0.012, 0.008, 0.005, 0.002, 0.001, 0.001, 0.0005, 0.0002, 0.0002, 0.0001]
)
SPECIALTY_COUNT_CDF = cumulative(SPECIALTY_COUNT_P)
# Academic centres employ proportionally more of the small subspecialties: flatten the weights.
ACADEMIC_FLATTENING = 0.5
ICD_COMMON = 40
# Second-opinion fee in dollars by family, before noise and the academic premium.
FEE_BY_FAMILY = {
    "primary_care": 250,
    "oncology": 900,
    "hematology": 800,
    "cardiology": 700,
    "endocrinology": 500,
    "gastroenterology": 600,
    "nephrology": 550,
    "pulmonology": 550,
    "critical_care": 600,
    "rheumatology": 550,
    "infectious_disease": 500,
    "allergy_immunology": 400,
    "geriatrics": 350,
    "palliative_care": 400,
    "neurology": 700,
    "neurosurgery": 1100,
    "orthopaedics": 650,
    "surgery": 700,
    "cardiothoracic_surgery": 1100,
    "plastic_surgery": 600,
    "urology": 550,
    "obstetrics_gynecology": 450,
    "ophthalmology": 450,
    "otolaryngology": 450,
    "dermatology": 350,
    "pathology": 600,
    "radiology": 400,
    "genetics": 900,
    "pediatrics": 550,
    "psychiatry": 450,
    "rehabilitation": 400,
    "pain_medicine": 450,
}
BOARD_BY_CLASSIFICATION = {
    "Internal Medicine": "ABIM",
    "Pediatrics": "ABP",
    "Surgery": "ABS",
    "Psychiatry & Neurology": "ABPN",
    "Orthopaedic Surgery": "ABOS",
    "Obstetrics & Gynecology": "ABOG",
    "Ophthalmology": "ABO",
    "Otolaryngology": "ABOto",
    "Pathology": "ABPath",
    "Radiology": "ABR",
    "Medical Genetics": "ABMGG",
    "Dermatology": "ABD",
    "Physical Medicine & Rehabilitation": "ABPMR",
    "Urology": "ABU",
    "Family Medicine": "ABFM",
    "Allergy & Immunology": "ABAI",
    "Neurological Surgery": "ABNS",
    "Plastic Surgery": "ABPS",
    "Thoracic Surgery (Cardiothoracic Vascular Surgery)": "ABTS",
    "Colon & Rectal Surgery": "ABCRS",
    "Nuclear Medicine": "ABNM",
    "Anesthesiology": "ABA",
    "Transplant Surgery": "ABS",
    "Pain Medicine": "ABA",
}


@dataclass(frozen=True)
class SpecialtyModel:
    """Every listed NUCC code with its sampling weights, secondary pool and condition pools."""

    codes: tuple[str, ...]
    displays: tuple[str, ...]
    cdf: np.ndarray
    academic_cdf: np.ndarray
    pool: np.ndarray  # (code, slot) index of a possible secondary specialty, -1 when empty
    pool_logw: np.ndarray  # (code, slot) log weight of that secondary, -inf when empty
    icd: tuple[tuple[str, ...], ...]
    orpha: tuple[tuple[str, ...], ...]
    fee_dollars: np.ndarray
    board: tuple[str, ...]

    def secondaries(self, primary: np.ndarray, count: np.ndarray, gumbel: np.ndarray) -> list[list[int]]:
        """Up to count-1 secondary codes per primary from its pool, weighted, without repeats."""
        keys = self.pool_logw[primary] + gumbel[:, : self.pool.shape[1]]
        order = np.argsort(-keys, axis=1)
        picked = np.take_along_axis(self.pool[primary], order, axis=1)
        return [
            [int(c) for c in row[: n - 1] if c >= 0] for row, n in zip(picked.tolist(), count.tolist(), strict=True)
        ]


def _secondary_pool(t: nucc.Taxonomy) -> list[nucc.Taxonomy]:
    # Same family first; a subspecialist also often lists the generalist board of their field.
    pool = [s for s in nucc.by_family(t.family) if s.code != t.code]
    generalist = next(
        (
            s
            for s in nucc.TAXONOMIES
            if s.classification == t.classification and not s.specialization and s.code != t.code
        ),
        None,
    )
    return pool + ([generalist] if generalist and generalist not in pool else [])


def _icd_pool(t: nucc.Taxonomy) -> tuple[str, ...]:
    for candidate in (t, *nucc.by_family(t.family), *_secondary_pool(t)):
        codes = [
            c.code
            for c in conditions.conditions_for_specialty(candidate.code, conditions.ICD10CM)
            # External causes (V-Y) and 5+ character codes are not what a specialist lists.
            if c.code[0] not in "VWXY" and len(c.code.replace(".", "")) <= 4
        ]
        if codes:
            return tuple(dict.fromkeys(codes))[:ICD_COMMON]
    return ()


def _orpha_pool(code: str) -> tuple[str, ...]:
    # A specialist's rare diseases are those their specialty is a primary treater of.
    return tuple(c.code for c in conditions.rare_conditions_for_specialty(code) if code in c.treaters.primary)


@cache
def specialty_model() -> SpecialtyModel:
    """The model built from reference.nucc and reference.conditions (once; ~4 s for the catalogue)."""
    taxonomies = nucc.TAXONOMIES
    index = {t.code: i for i, t in enumerate(taxonomies)}
    weights = np.array([t.weight for t in taxonomies])
    pools = [_secondary_pool(t) for t in taxonomies]
    width = max(len(p) for p in pools)
    pool = np.full((len(taxonomies), width), -1, dtype=np.int64)
    pool_logw = np.full((len(taxonomies), width), -np.inf)
    for i, members in enumerate(pools):
        pool[i, : len(members)] = [index[s.code] for s in members]
        pool_logw[i, : len(members)] = np.log([s.weight for s in members])
    return SpecialtyModel(
        codes=tuple(t.code for t in taxonomies),
        displays=tuple(t.display for t in taxonomies),
        cdf=cumulative(weights),
        academic_cdf=cumulative(weights**ACADEMIC_FLATTENING),
        pool=pool,
        pool_logw=pool_logw,
        icd=tuple(_icd_pool(t) for t in taxonomies),
        orpha=tuple(_orpha_pool(t.code) for t in taxonomies),
        fee_dollars=np.array([FEE_BY_FAMILY.get(t.family, 500) for t in taxonomies], dtype=np.float64),
        board=tuple(BOARD_BY_CLASSIFICATION.get(t.classification, "ABMS") for t in taxonomies),
    )
