"""GET /v1/specialists?condition=X and POST /v1/matches agree on who qualifies for X."""
import pytest

from tests.factories import make_specialist

HEMONC, MEDONC, DERM, NEURO, OPH = "207RH0003X", "207RX0202X", "207N00000X", "2084N0400X", "207W00000X"
CHILD_PSYCH = "2084P0804X"


@pytest.fixture
def directory(session):
    """Who treats APL, who holds it or a code in its ICD-10-CM category, and who does neither."""
    people = {
        "holds_apl": make_specialist(session, specialty=DERM, conditions=[("ORPHA", "520", 5)]),
        "holds_c92_1": make_specialist(session, specialty=DERM, conditions=[("ICD-10-CM", "C92.1", 5)]),
        "hemonc": make_specialist(session, specialty=HEMONC),
        "medonc": make_specialist(session, specialty=MEDONC),
        "neuro_als": make_specialist(session, specialty=NEURO, conditions=[("ORPHA", "803", 20)]),
        "ophthalmologist": make_specialist(session, specialty=OPH, conditions=[("ICD-10-CM", "H35.30", 50)]),
        "autism_psychiatrist": make_specialist(session, specialty=CHILD_PSYCH, conditions=[("ICD-10-CM", "F84.0", 80)]),
    }
    session.commit()
    return {name: s.id for name, s in people.items()}


def _directory_ids(client, condition: str) -> set[int]:
    body = client.get(f"/v1/specialists?condition={condition}&page_size=100").get_json()
    return {item["id"] for item in body["items"]}


def _match_ids(client, system: str, code: str) -> set[int]:
    body = client.post("/v1/matches", json={"conditions": [{"system": system, "code": code}], "zip": "10001",
                                            "limit": 50}).get_json()
    return {c["specialist"]["id"] for c in body["candidates"]}


@pytest.mark.parametrize("system, code", [("ORPHA", "520"), ("ICD-10-CM", "C92.0"), ("ORPHA", "803"),
                                          ("ICD-10-CM", "G12.21"), ("ICD-10-CM", "H35.30"), ("ORPHA", "778")])
def test_directory_and_matching_agree(client, directory, system, code):
    found = _directory_ids(client, f"{system}:{code}")
    assert found == _match_ids(client, system, code)
    assert found, "every condition here has someone who qualifies"


def test_orpha_520_finds_holders_treaters_and_its_category(client, directory):
    found = _directory_ids(client, "ORPHA:520")
    assert found == {directory[k] for k in ("holds_apl", "holds_c92_1", "hemonc", "medonc")}
    # ALS by its Orphanet code reaches the neurologist, never the ophthalmologist.
    assert _directory_ids(client, "ORPHA:803") == {directory["neuro_als"]}


def test_rett_syndrome_is_not_autism(client, directory):
    # ICD-10-CM files Rett syndrome (F84.2) beside autism (F84.0); its treaters are neurologists.
    assert directory["autism_psychiatrist"] not in _directory_ids(client, "ORPHA:778")
    assert directory["neuro_als"] in _directory_ids(client, "ORPHA:778")
