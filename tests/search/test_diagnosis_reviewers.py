"""Pathologists and diagnostic imagers: the second opinion for an unclear diagnosis, after every treater otherwise.

Hand-built documents, ranked through the reference path and through the embedded engine; then the
engine against the reference on random directories where a quarter of the specialists read slides.
"""
import random

import pytest

from search import scoring
from search.backends.embedded import EmbeddedBackend
from search.case import DIAGNOSIS_REASONS, REASONS, MatchCase
from search.explain import READS_ONLY
from search.ranking import rank
from search.retrieval import retrieve
from reference.specialty_map import DIAGNOSTIC_SPECIALTIES, is_diagnostic
from tests.search.docs import CODES, HEMONC, MANHATTAN, MEDONC, NOW, held, make_doc, random_directory

GLIOBLASTOMA = ("ICD-10-CM", "C71.9")
MYELOMA = ("ICD-10-CM", "C90.00")
NSURG, NEURO, RADONC = "207T00000X", "2084N0400X", "2085R0001X"
NEUROPATH, NEURORAD, HEMEPATH, APCP = "207ZN0500X", "2085N0700X", "207ZH0000X", "207ZP0102X"
NEWARK, PHILADELPHIA = (40.7357, -74.1724), (39.9526, -75.1652)
TREATMENT_REASONS = [r for r in REASONS if r not in DIAGNOSIS_REASONS]


@pytest.fixture(params=["reference", "embedded"])
def ranked(request):
    """Rank docs for a case the reference way (filter, then rank) or through the embedded engine."""
    if request.param == "reference":
        return lambda case, docs: rank(case, retrieve(case, docs))
    return lambda case, docs: EmbeddedBackend.from_documents(docs).match(case).candidates


def _case(conditions, reason, **kw) -> MatchCase:
    return MatchCase(conditions=(conditions,), reason=reason, point=MANHATTAN, now=NOW, limit=20, **kw)


def _glioblastoma_directory():
    """A neuropathologist and a neuroradiologist close by holding the very code, treaters farther away."""
    neuropathologist = make_doc(specialties=(NEUROPATH,), conditions=[held(*GLIOBLASTOMA, 150, 30, True)],
                                rating=5.0, reviews=400)
    neuroradiologist = make_doc(specialties=(NEURORAD,), conditions=[held("ICD-10-CM", "C71.1", 90, 10)])
    treaters = [make_doc(specialties=(code,), lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], rating=3.5, reviews=50)
                for code in (NSURG, MEDONC, RADONC, NEURO)]
    return neuropathologist, neuroradiologist, treaters


def test_the_diagnostic_specialties_are_pathology_and_imaging_that_do_not_treat():
    assert {NEUROPATH, NEURORAD, HEMEPATH, APCP, "2085R0202X"} <= DIAGNOSTIC_SPECIALTIES
    # Radiation oncology, interventional and nuclear radiology, transfusion medicine treat.
    assert not {RADONC, "2085R0204X", "2085N0904X", "207ZB0001X", "207U00000X"} & DIAGNOSTIC_SPECIALTIES
    assert all(is_diagnostic(code) for code in DIAGNOSTIC_SPECIALTIES)


@pytest.mark.parametrize("reason", TREATMENT_REASONS)
def test_a_treatment_question_puts_every_treater_before_those_who_read_slides_or_images(ranked, reason):
    neuropathologist, neuroradiologist, treaters = _glioblastoma_directory()
    found = ranked(_case(GLIOBLASTOMA, reason), [neuropathologist, neuroradiologist, *treaters])
    ids = [c.specialist_id for c in found]
    assert set(ids[:4]) == {d["specialist_id"] for d in treaters}
    assert set(ids[4:]) == {neuropathologist["specialist_id"], neuroradiologist["specialist_id"]}
    assert all(READS_ONLY in c.reasons for c in found[4:]) and not any(READS_ONLY in c.reasons for c in found[:4])
    # Nearer, rated higher and holding the code, the neuropathologist would otherwise come first.
    assert found[4].score > max(c.score for c in found[:4])


def test_an_unclear_diagnosis_puts_the_neuropathologist_holding_the_code_first(ranked):
    neuropathologist, neuroradiologist, treaters = _glioblastoma_directory()
    found = ranked(_case(GLIOBLASTOMA, "unclear_diagnosis"), [neuropathologist, neuroradiologist, *treaters])
    assert found[0].specialist_id == neuropathologist["specialist_id"]
    assert not any(READS_ONLY in c.reasons for c in found)


def test_an_unclear_diagnosis_ranks_the_conditions_pathologists_with_its_primary_treaters(ranked):
    # Myeloma: haematopathology and radiation oncology share its care (secondary treaters).
    hematopathologist = make_doc(specialties=(HEMEPATH,), rating=5.0, reviews=300)
    radiation_oncologist = make_doc(specialties=(RADONC,), rating=5.0, reviews=300)
    hematologist = make_doc(specialties=(HEMONC,), lat=NEWARK[0], lon=NEWARK[1], rating=3.0, reviews=30)
    docs = [hematopathologist, radiation_oncologist, hematologist]
    unclear = [c.specialist_id for c in ranked(_case(MYELOMA, "unclear_diagnosis"), docs)]
    assert unclear == [hematopathologist["specialist_id"], hematologist["specialist_id"],
                       radiation_oncologist["specialist_id"]]
    # A myeloma that does not respond: the haematologist, then radiation oncology, the slides last.
    failing = [c.specialist_id for c in ranked(_case(MYELOMA, "treatment_not_working"), docs)]
    assert failing == [hematologist["specialist_id"], radiation_oncologist["specialist_id"],
                       hematopathologist["specialist_id"]]


def test_an_unclear_diagnosis_ranks_a_radiation_oncologist_as_a_secondary_treater_whatever_they_hold(ranked):
    # Near, rated higher, holding the very code and a haematology-oncology board: still not the one to
    # review a myeloma diagnosis, as their practice only treats one already made.
    radiation_oncologist = make_doc(specialties=(RADONC, HEMONC), conditions=[held(*MYELOMA, 120, 30, True)],
                                    rating=5.0, reviews=300)
    hematologist = make_doc(specialties=(HEMONC,), lat=NEWARK[0], lon=NEWARK[1], rating=3.0, reviews=30)
    hematopathologist = make_doc(specialties=(HEMEPATH,), lat=PHILADELPHIA[0], lon=PHILADELPHIA[1])
    docs = [radiation_oncologist, hematologist, hematopathologist]
    case = _case(MYELOMA, "unclear_diagnosis")
    found = ranked(case, docs)
    assert [c.specialist_id for c in found] == [hematologist["specialist_id"], hematopathologist["specialist_id"],
                                                radiation_oncologist["specialist_id"]]
    assert [scoring.standing(case, c.document) for c in found] == [1, 1, 0]
    assert RADONC in case.secondary_specialties and case.treatment_only_specialties == {RADONC}
    # A rare disease's care: holding the very code makes them its expert, first.
    rare = ranked(_case(MYELOMA, "rare_condition"), docs)
    assert rare[0].specialist_id == radiation_oncologist["specialist_id"]


def test_an_unclear_glioblastoma_ranks_radiation_oncology_after_its_other_treaters(ranked):
    # Radiation oncology is a primary treater of glioblastoma (NCI PDQ), not a reviewer of its diagnosis.
    radiation_oncologist = make_doc(specialties=(RADONC,), rating=5.0, reviews=300)
    neurosurgeon = make_doc(specialties=(NSURG,), lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], rating=3.0, reviews=30)
    docs = [radiation_oncologist, neurosurgeon]
    assert [c.specialist_id for c in ranked(_case(GLIOBLASTOMA, "unclear_diagnosis"), docs)] == [
        neurosurgeon["specialist_id"], radiation_oncologist["specialist_id"]]
    assert [c.specialist_id for c in ranked(_case(GLIOBLASTOMA, "treatment_not_working"), docs)] == [
        radiation_oncologist["specialist_id"], neurosurgeon["specialist_id"]]
    assert not _case(GLIOBLASTOMA, "treatment_not_working").treatment_only_specialties
    assert not _case(GLIOBLASTOMA, "unclear_diagnosis", specialty=RADONC).treatment_only_specialties


def test_a_reviewer_holding_the_code_still_ranks_below_a_secondary_treater(ranked):
    hematopathologist = make_doc(specialties=(HEMEPATH,), conditions=[held(*MYELOMA, 200, 40, True)])
    radiation_oncologist = make_doc(specialties=(RADONC,), lat=PHILADELPHIA[0], lon=PHILADELPHIA[1])
    found = ranked(_case(MYELOMA, "high_risk_treatment"), [hematopathologist, radiation_oncologist])
    assert [c.specialist_id for c in found] == [radiation_oncologist["specialist_id"], hematopathologist["specialist_id"]]
    assert [scoring.standing(_case(MYELOMA, "high_risk_treatment"), c.document) for c in found] == [0, -1]


def test_a_diagnostic_radiologist_who_also_practises_interventional_radiology_treats(ranked):
    # Liver cancer: interventional radiology (embolisation, ablation) shares its care.
    liver = ("ICD-10-CM", "C22.0")
    plain = make_doc(specialties=("2085R0202X",), conditions=[held(*liver, 80, 10)], rating=5.0, reviews=300)
    interventional = make_doc(specialties=("2085R0202X", "2085R0204X"), lat=NEWARK[0], lon=NEWARK[1])
    case = _case(liver, "other")
    found = ranked(case, [plain, interventional])
    assert [c.specialist_id for c in found] == [interventional["specialist_id"], plain["specialist_id"]]
    assert [scoring.standing(case, c.document) for c in found] == [0, -1]
    assert READS_ONLY not in found[0].reasons and READS_ONLY in found[1].reasons


def test_a_named_diagnostic_specialty_or_a_findings_code_is_not_ranked_last():
    # The patient asked for neuropathology; abnormal findings in specimens are pathology's own (R83-R89).
    assert NEUROPATH not in _case(GLIOBLASTOMA, "other", specialty=NEUROPATH).reading_specialties
    findings = _case(("ICD-10-CM", "R87.619"), "other")
    assert APCP in findings.primary_treaters and APCP not in findings.reading_specialties
    assert not _case(GLIOBLASTOMA, "unclear_diagnosis").reading_specialties


def _with_reviewers(docs: list[dict], seed: int) -> list[dict]:
    """The same directory with about a quarter of the specialists reading slides or images instead."""
    rng = random.Random(seed)
    reviewers = {sid: rng.choice((HEMEPATH, NEUROPATH, APCP, "2085R0202X"))
                 for sid in {d["specialist_id"] for d in docs} if rng.random() < 0.25}
    out = []
    for doc in docs:
        code = reviewers.get(doc["specialist_id"])
        if code:
            doc = {**doc, "primary_specialty": code, "specialties": sorted({code, *doc["specialties"][1:]}),
                   "population": "all"}
        out.append(doc)
    return out


def _with_radiation_oncologists(docs: list[dict], seed: int) -> list[dict]:
    """The same directory with about a quarter of the specialists practising radiation oncology,
    keeping their other boards (so some also hold haematology-oncology)."""
    rng = random.Random(seed)
    chosen = {sid for sid in {d["specialist_id"] for d in docs} if rng.random() < 0.25}
    return [{**doc, "primary_specialty": RADONC, "specialties": sorted({RADONC, *doc["specialties"]}),
             "population": "all"} if doc["specialist_id"] in chosen else doc for doc in docs]


@pytest.mark.parametrize("seed, practice", [(5, _with_reviewers), (6, _with_reviewers),
                                            (7, _with_radiation_oncologists), (8, _with_radiation_oncologists)])
def test_the_embedded_engine_orders_reviewers_as_the_reference_does(seed, practice):
    docs = practice(random_directory(seed), seed)
    backend = EmbeddedBackend.from_documents(docs)
    rng = random.Random(seed * 7)
    codes = [*CODES, GLIOBLASTOMA, MYELOMA]
    for _ in range(120):
        case = MatchCase(conditions=tuple(rng.sample(codes, rng.randint(1, 2))), reason=rng.choice(REASONS),
                         point=(rng.uniform(38, 42), rng.uniform(-80, -72)),
                         max_distance_mi=rng.choice((50.0, 150.0, 3000.0)), telehealth_ok=rng.random() < 0.5,
                         limit=rng.choice((1, 5, 10, 40)), now=NOW)
        expected = [(c.specialist_id, c.score, c.reasons) for c in rank(case, retrieve(case, docs))]
        assert [(c.specialist_id, c.score, c.reasons) for c in backend.match(case).candidates] == expected
