"""The patient in the match: age decides who qualifies, sex and age decide which codes are possible,
affiliation is by health system, and a request's language shows in the reasons."""
import pytest

from api.models import HealthSystem
from tests.factories import make_institution, make_specialist

HEMONC, PEDS_HEMONC, FAMILY = "207RH0003X", "2080P0207X", "207Q00000X"
ALL_LEUKEMIA = {"system": "ICD-10-CM", "code": "C91.00"}


def _post(client, **body):
    body.setdefault("zip", "10001")
    return client.post("/v1/matches", json=body)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [c["specialist"]["id"] for c in response.get_json()["candidates"]]


@pytest.fixture
def ages(session):
    """An adult haematologist-oncologist, a paediatric one, and a geneticist (who sees all ages)."""
    adult = make_specialist(session, specialty=HEMONC, self_pay_price_cents=40000)
    child = make_specialist(session, specialty=PEDS_HEMONC, self_pay_price_cents=40000)
    genetics = make_specialist(session, specialty="207SG0201X", self_pay_price_cents=40000,
                               conditions=[("ICD-10-CM", "C91.00", 5)])
    session.commit()
    return {"adult": adult.id, "child": child.id, "genetics": genetics.id}


def test_a_childs_leukaemia_goes_to_paediatric_haematology_oncology(client, ages):
    found = _ids(_post(client, conditions=[ALL_LEUKEMIA], age_years=8))
    assert ages["child"] in found and ages["adult"] not in found
    assert set(found) <= {ages["child"], ages["genetics"]}  # no adult-only specialist for a child


def test_an_adult_never_gets_a_paediatric_only_specialist(client, ages):
    for body in ({"age_years": 58}, {"age_band": "older_adult"}):
        found = _ids(_post(client, conditions=[ALL_LEUKEMIA], **body))
        assert ages["child"] not in found and ages["adult"] in found and ages["genetics"] in found


def test_without_an_age_every_population_qualifies(client, ages):
    assert set(_ids(_post(client, conditions=[ALL_LEUKEMIA]))) == set(ages.values())


@pytest.mark.parametrize("body, words", [
    ({"conditions": [{"system": "ICD-10-CM", "code": "C61"}], "sex": "female"}, "female patient"),
    ({"conditions": [{"system": "ICD-10-CM", "code": "N80.0"}], "sex": "male"}, "male patient"),
    ({"conditions": [{"system": "ICD-10-CM", "code": "P07.30"}], "age_years": 40}, "newborn"),
    ({"conditions": [{"system": "ICD-10-CM", "code": "O24.410"}], "age_band": "infant"}, "below age 9"),
])
def test_a_code_the_patient_cannot_have_is_a_422_that_says_why(client, body, words):
    response = _post(client, **body)
    assert response.status_code == 422
    problem = response.get_json()
    assert response.content_type.startswith("application/problem+json")
    assert words in problem["detail"] and body["conditions"][0]["code"] in problem["detail"]


def test_age_years_and_age_band_together_are_refused(client):
    response = _post(client, specialty=HEMONC, age_years=30, age_band="adult")
    assert response.status_code == 422 and "age_band" in str(response.get_json())


def test_a_birth_date_is_not_accepted_in_a_public_match_request(client):
    response = _post(client, specialty=HEMONC, birth_date="1970-01-01")
    assert response.status_code == 422


def test_affiliation_is_the_same_health_system_not_shared_words(client, session):
    system = HealthSystem(name="Northwell-like System")
    session.add(system)
    session.flush()
    first = make_institution(session, "Synthetic University Medical Center of New York")
    sibling = make_institution(session, "Synthetic Long Island Teaching Hospital")
    lookalike = make_institution(session, "Synthetic New York Academic Health System")
    first.health_system_id = sibling.health_system_id = system.id
    a = make_specialist(session, specialty=HEMONC, institution=sibling, languages=("en", "es"))
    b = make_specialist(session, specialty=HEMONC, institution=lookalike)
    session.commit()
    answer = _post(client, specialty=HEMONC, exclude_institutions=[first.name], languages=["es"])
    assert _ids(answer) == [a.id]
    reasons = answer.get_json()["candidates"][0]["reasons"]
    assert "same health system as an institution you excluded" in reasons and "consults in Spanish" in reasons
    candidates = _post(client, specialty=HEMONC, exclude_institutions=[first.id]).get_json()["candidates"]
    by_id = {c["specialist"]["id"]: c for c in candidates}
    assert by_id[a.id]["score_breakdown"]["independence"] < by_id[b.id]["score_breakdown"]["independence"]
    # "Synthetic", "New York", "Academic", "Health System" are common words or a city: no hint at all.
    assert "independent of the first opinion's institution" in by_id[b.id]["reasons"]
