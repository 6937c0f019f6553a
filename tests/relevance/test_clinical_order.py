"""Through POST /v1/matches on the seeded directory: the order a clinician would give.

Sleep apnoea goes to sleep physicians and pulmonologists before neurologists (AASM); pleural
mesothelioma to thoracic surgeons and medical oncologists before radiation oncologists (NCCN); an
unclear myeloma diagnosis to haematologists before anyone whose practice is radiation oncology;
and glioblastoma, asked about without an age, to the adult neuro-oncology team before paediatric
boards (a disease of adults: CBTRUS), while a child still finds the paediatric ones.
"""
import pytest

from bench.relevance.metrics import is_paediatric_only
from reference import specialty_map as m

METROS = ("10016", "60611", "77030", "90033")  # New York, Chicago, Houston, Los Angeles


def _answer(client, condition: tuple[str, str], zip_code: str, reason: str = "other", age: int | None = 58,
            limit: int = 100) -> list[dict]:
    body = {"conditions": [{"system": condition[0], "code": condition[1]}], "zip": zip_code, "reason": reason,
            "limit": limit}
    if age is not None:
        body["age_years"] = age
    response = client.post("/v1/matches", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["candidates"]


def _codes(candidate: dict) -> set[str]:
    return {s["code"] for s in candidate["specialist"]["specialties"]}


def _by_specialty_only(candidates: list[dict]) -> list[dict]:
    """Those who qualify by their specialty, not by holding a code of the condition or its group."""
    return [c for c in candidates if not c["reasons"][0].startswith("treats ")]


def _all_before(candidates: list[dict], first, then) -> tuple[list[int], list[int]]:
    """Indexes of the candidates `first` selects and of those `then` selects; both must be found."""
    before = [i for i, c in enumerate(candidates) if first(c)]
    after = [i for i, c in enumerate(candidates) if then(c)]
    assert before and after, (before, after)
    return before, after


@pytest.mark.parametrize("zip_code", METROS[:2])
def test_sleep_apnoea_every_sleep_physician_and_pulmonologist_before_a_neurologist(relevance_app, zip_code):
    answer = _by_specialty_only(_answer(relevance_app.test_client(), ("ICD-10-CM", "G47.33"), zip_code))
    sleep_or_lungs = {m.SLEEP, m.PULM}
    before, after = _all_before(answer, lambda c: _codes(c) & sleep_or_lungs,
                                lambda c: m.NEURO in _codes(c) and not _codes(c) & sleep_or_lungs)
    assert max(before) < min(after)


@pytest.mark.parametrize("zip_code", METROS[:2])
def test_pleural_mesothelioma_thoracic_surgery_and_medical_oncology_before_radiation_oncology(relevance_app, zip_code):
    answer = _by_specialty_only(_answer(relevance_app.test_client(), ("ICD-10-CM", "C45.0"), zip_code, age=70))
    leads = {m.THORACIC, m.MEDONC}
    before, after = _all_before(answer, lambda c: _codes(c) & leads,
                                lambda c: m.RADONC in _codes(c) and not _codes(c) & leads)
    assert max(before) < min(after)


@pytest.mark.parametrize("zip_code", METROS[:2])
@pytest.mark.parametrize("condition", [("ORPHA", "29073"), ("ICD-10-CM", "C90.00")])
def test_an_unclear_myeloma_diagnosis_ranks_radiation_oncologists_after_the_haematologists(
        relevance_app, condition, zip_code):
    answer = _answer(relevance_app.test_client(), condition, zip_code, reason="unclear_diagnosis", age=71)
    primary = [c["specialist"]["primary_specialty"]["code"] for c in answer]
    before, after = _all_before(answer, lambda c: c["specialist"]["primary_specialty"]["code"] in
                                {m.HEMONC, m.HEM, m.MEDONC, m.HEMEPATH},
                                lambda c: c["specialist"]["primary_specialty"]["code"] == m.RADONC)
    assert max(before) < min(after), primary
    # Some of them also hold a haematology-oncology board: they are ranked by the practice they keep.
    assert any(m.HEMONC in _codes(answer[i]) for i in after)


@pytest.mark.parametrize("condition", [("ORPHA", "360"), ("ICD-10-CM", "C71.9")])
@pytest.mark.parametrize("reason", ["other", "rare_condition", "unclear_diagnosis"])
def test_glioblastoma_without_an_age_keeps_paediatric_boards_out_of_the_top_ten(relevance_app, condition, reason):
    client = relevance_app.test_client()
    for zip_code in METROS:
        top = _answer(client, condition, zip_code, reason=reason, age=None, limit=10)
        assert len(top) == 10 and not [c for c in top if all(is_paediatric_only(x) for x in _codes(c))], zip_code


def test_a_child_with_a_brain_tumour_still_finds_the_paediatric_boards(relevance_app):
    top = _answer(relevance_app.test_client(), ("ICD-10-CM", "C71.9"), "77030", age=8, limit=10)
    assert any(_codes(c) & {m.PEDHEMONC, m.CHILDNEURO} for c in top)
