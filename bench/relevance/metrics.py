"""Precision@k, nDCG@k and wrong-population for one answer, against one judged case.

A candidate's relevance is that of the best of its specialties: 2 for a primary judged specialty,
1 for an acceptable one, 0 otherwise. A judged specialty and its paediatric or adult counterpart
(paediatric haematology-oncology for haematology-oncology...) count alike here, because whether
the patient's age fits is measured apart, as the wrong-population rate: a candidate whose primary
specialties all serve only children, for an adult, or only adults, for a child.
"""
from __future__ import annotations

import math

from bench.relevance import JudgedCase
from reference import nucc
from reference.specialty_map import PAEDIATRIC_TWIN

_ADULT_TWIN: dict[str, set[str]] = {}
for _adult, _child in PAEDIATRIC_TWIN.items():
    _ADULT_TWIN.setdefault(_child, set()).add(_adult)
# Boards whose certificate covers only adults: internal medicine and its subspecialties, adult
# neurology and psychiatry (child neurology and child psychiatry are separate ABPN certificates).
ADULT_ONLY_OTHERS = frozenset({"2084N0400X", "2084V0102X", "2084P0800X", "2084P0805X", "2084B0040X"})


def is_paediatric_only(code: str) -> bool:
    """Whether a NUCC specialty serves only children (ABP boards, child neurology/psychiatry...)."""
    t = nucc.get(code)
    return t is not None and (t.classification == "Pediatrics" or t.display.startswith(("Pediatric", "Child")))


def is_adult_only(code: str) -> bool:
    """Whether a NUCC specialty serves only adults (internal medicine boards, adult neurology...)."""
    t = nucc.get(code)
    return t is not None and (t.classification == "Internal Medicine" or code in ADULT_ONLY_OTHERS)


def _with_counterparts(codes: frozenset[str]) -> set[str]:
    out = set(codes)
    for code in codes:
        out |= {PAEDIATRIC_TWIN[code]} if code in PAEDIATRIC_TWIN else set()
        out |= _ADULT_TWIN.get(code, set())
    return out


def gain(case: JudgedCase, specialties: list[str]) -> int:
    """2 if the candidate holds a primary judged specialty, 1 an acceptable one, else 0."""
    held = set(specialties)
    if held & _with_counterparts(case.primary):
        return 2
    return 1 if held & _with_counterparts(case.acceptable) else 0


def wrong_population(case: JudgedCase, specialties: list[str]) -> bool:
    """Whether none of the candidate's specialties sees patients of this age (a doctor certified
    in both internal medicine and paediatrics sees both)."""
    if not specialties:
        return False
    only = is_adult_only if case.is_child else is_paediatric_only
    return all(only(code) for code in specialties)


def precision_at(gains: list[int], k: int = 10) -> float:
    """Share of the first k answers that are relevant (gain > 0); of those returned if fewer."""
    top = gains[:k]
    return sum(1 for g in top if g > 0) / len(top) if top else 0.0


def ndcg_at(gains: list[int], pool: list[int], k: int = 10) -> float:
    """nDCG@k with the ideal order taken from a larger answer pool of the same case."""
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    ideal = sorted(pool, reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0
