"""Through POST /v1/matches on the seeded directory: who reads the slides ranks by why the patient asks.

For a treatment question (a treatment not working, a risky one, a trial...) no pathologist or
diagnostic imager comes before a specialist who treats the condition; for an unclear diagnosis the
neuropathologist and the haematopathologist are part of the answer, among the treaters.
"""
import pytest

from reference.specialty_map import is_diagnostic
from search.case import DIAGNOSIS_REASONS, REASONS

GLIOBLASTOMA = {"system": "ICD-10-CM", "code": "C71.9"}
MYELOMA = {"system": "ICD-10-CM", "code": "C90.00"}
# Neurosurgery, medical oncology, radiation oncology, neurology: glioblastoma's treaters (NCI PDQ).
GLIOBLASTOMA_TREATERS = {"207T00000X", "207RX0202X", "2085R0001X", "2084N0400X"}
NEUROPATHOLOGY, HEMATOPATHOLOGY = "207ZN0500X", "207ZH0000X"
PLACES = ("10016", "90033")  # New York, Los Angeles: every qualifying specialist fits in 100 answers
TREATMENT_REASONS = [r for r in REASONS if r not in DIAGNOSIS_REASONS]


def _primary_specialties(client, condition, reason, zip_code, limit=100) -> list[str]:
    body = {"conditions": [condition], "zip": zip_code, "age_years": 58, "sex": "male", "reason": reason,
            "limit": limit}
    response = client.post("/v1/matches", json=body)
    assert response.status_code == 200, response.get_json()
    return [c["specialist"]["primary_specialty"]["code"] for c in response.get_json()["candidates"]]


@pytest.mark.parametrize("zip_code", PLACES)
@pytest.mark.parametrize("reason", TREATMENT_REASONS)
def test_no_reviewer_above_a_treater_for_a_treatment_question(relevance_app, reason, zip_code):
    client = relevance_app.test_client()
    answer = _primary_specialties(client, GLIOBLASTOMA, reason, zip_code)
    reviewers = [i for i, code in enumerate(answer) if is_diagnostic(code)]
    treaters = [i for i, code in enumerate(answer) if code in GLIOBLASTOMA_TREATERS]
    assert len(treaters) >= 10 and reviewers  # both kinds qualify here
    assert max(treaters) < min(reviewers), answer
    assert not any(is_diagnostic(code) for code in answer[:10])


def test_an_unclear_diagnosis_brings_the_neuropathologist_into_the_top_ten(relevance_app):
    client = relevance_app.test_client()
    unclear = _primary_specialties(client, GLIOBLASTOMA, "unclear_diagnosis", "90033", limit=10)
    treating = _primary_specialties(client, GLIOBLASTOMA, "treatment_not_working", "90033", limit=10)
    assert NEUROPATHOLOGY in unclear and NEUROPATHOLOGY not in treating
    assert sum(code in GLIOBLASTOMA_TREATERS for code in unclear) >= 8  # among the treaters, not instead of them


def test_myeloma_a_haematopathologist_ranks_with_the_treaters_only_for_an_unclear_diagnosis(relevance_app):
    client = relevance_app.test_client()
    for zip_code in ("10016", "60611"):  # New York, Chicago
        unclear = _primary_specialties(client, MYELOMA, "unclear_diagnosis", zip_code)
        failing = _primary_specialties(client, MYELOMA, "treatment_not_working", zip_code)
        first_reviewer = min(i for i, code in enumerate(failing) if is_diagnostic(code))
        assert first_reviewer >= 10 and all(is_diagnostic(code) for code in failing[first_reviewer:]), failing
        assert unclear.index(HEMATOPATHOLOGY) < failing.index(HEMATOPATHOLOGY)
