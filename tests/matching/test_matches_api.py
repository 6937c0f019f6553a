"""POST /v1/matches over HTTP: the hand-built cases, with reasons and score breakdown; 422s name the field."""
import pytest

from api.models import Role
from tests.factories import login, make_institution, make_network, make_specialist, make_user

HEMONC, MEDONC = "207RH0003X", "207RX0202X"
APL = {"system": "ORPHA", "code": "520"}
# Real places: Manhattan (10001), Newark NJ (~9 mi), Philadelphia (~80 mi), Rochester MN (~900 mi).
NEWARK, PHILADELPHIA, ROCHESTER = (40.7357, -74.1724), (39.9526, -75.1652), (44.0225, -92.4668)


def _match(client, **body):
    body.setdefault("zip", "10001")
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/v1/matches", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _ids(answer) -> list[int]:
    return [c["specialist"]["id"] for c in answer["candidates"]]


@pytest.fixture
def directory(session):
    """An academic APL expert in Philadelphia, a nearer generalist hematologist, and a distant telehealth expert."""
    network, plan = make_network(session)
    other_network, _ = make_network(session)
    academic = make_institution(session, "Penn Medicine")
    expert = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 40)], institution=academic,
                             lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], zip_code="19104", networks=[network],
                             rating=4.7, review_count=120, self_pay_price_cents=50000)
    generalist = make_specialist(session, specialty=HEMONC, lat=NEWARK[0], lon=NEWARK[1], zip_code="07102",
                                 networks=[other_network], self_pay_price_cents=30000, rating=4.9, review_count=300)
    remote = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 60)], telehealth=True,
                             lat=ROCHESTER[0], lon=ROCHESTER[1], zip_code="55905", networks=[network],
                             licensed_states=("MN", "NY"))
    unlicensed = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 90)], telehealth=True,
                                 lat=ROCHESTER[0], lon=ROCHESTER[1], zip_code="55905", networks=[network])
    session.commit()
    return {"expert": expert.id, "generalist": generalist.id, "remote": remote.id, "unlicensed": unlicensed.id,
            "plan": plan.id,
            "plan_name": plan.name, "academic": academic.id}


def test_rare_condition_expert_first_with_reasons_and_breakdown(client, directory):
    answer = _match(client, conditions=[APL], reason="rare_condition", plan_id=directory["plan"])
    assert _ids(answer) == [directory["expert"], directory["generalist"]]
    assert answer["total"] == 2 and answer["took_ms"] >= 0 and answer["warnings"] == []
    top = answer["candidates"][0]
    assert top["reasons"][:3] == ["treats ORPHA:520 (40 cases/yr)",
                                  f"in network for {directory['plan_name']} at this location", "83 mi"]
    assert set(top["score_breakdown"]) == {"expertise", "coverage", "distance", "availability", "quality",
                                           "independence"}
    assert sum(top["score_breakdown"].values()) == pytest.approx(top["score"], abs=1e-5)
    assert top["coverage_status"] == "in_network"
    assert top["specialist"]["primary_specialty"] == {"code": HEMONC, "display": "Hematology & Oncology"}
    assert top["specialist"]["institution"]["name"] == "Penn Medicine"
    assert top["location"]["distance_mi"] == pytest.approx(82.6, abs=0.2) and top["location"]["zip"] == "19104"
    second = answer["candidates"][1]
    assert second["coverage_status"] == "out_of_network_self_pay"  # sinks below the in-network expert


def test_telehealth_lets_the_distant_expert_in(client, directory):
    assert directory["remote"] not in _ids(_match(client, conditions=[APL], self_pay=False))
    answer = _match(client, conditions=[APL], telehealth_ok=True)
    assert directory["remote"] in _ids(answer)
    assert directory["unlicensed"] not in _ids(answer)  # 900 mi away and not licensed in New York
    remote = next(c for c in answer["candidates"] if c["specialist"]["id"] == directory["remote"])
    assert "telehealth available: licensed in NY" in remote["reasons"] and remote["coverage_status"] == "unknown"
    # Every telehealth-only candidate holds a licence in the patient's state.
    for candidate in answer["candidates"]:
        if candidate["location"]["distance_mi"] > 100:
            assert any(r.endswith("licensed in NY") for r in candidate["reasons"])


def test_excluded_doctor_and_institution_never_appear(client, directory):
    by_id = _match(client, conditions=[APL], exclude_specialist_ids=[directory["generalist"]],
                   exclude_institutions=[directory["academic"]], telehealth_ok=True)
    assert _ids(by_id) == [directory["remote"]]
    by_name = _match(client, conditions=[APL], exclude_institutions=["penn medicine"])
    assert _ids(by_name) == [directory["generalist"]]
    assert "independent of the first opinion's institution" in by_name["candidates"][0]["reasons"]


def test_emergent_carries_a_warning_not_to_delay_treatment(client, directory):
    answer = _match(client, conditions=[APL], urgency="emergent")
    assert answer["warnings"] and "Do not delay treatment" in answer["warnings"][0]


def test_location_by_coordinates_or_address(client, directory):
    near_rochester = _match(client, zip=None, lat=ROCHESTER[0], lon=ROCHESTER[1], conditions=[APL],
                            max_distance_mi=25)
    by_address = _match(client, zip=None, address="Rochester, MN", conditions=[APL], max_distance_mi=25)
    assert _ids(near_rochester) == _ids(by_address) == [directory["unlicensed"], directory["remote"]]


def test_no_login_needed_and_no_patient_fields_accepted(client, session, directory):
    assert client.post("/v1/matches", json={"zip": "10001", "conditions": [APL]}).status_code == 200
    with_name = client.post("/v1/matches", json={"zip": "10001", "conditions": [APL], "patient_name": "Jane Roe"})
    assert with_name.status_code == 422 and "patient_name" in with_name.get_json()["errors"]["json"]


@pytest.mark.parametrize("body, field", [
    ({"conditions": [{"system": "ORPHA", "code": "999999999"}]}, ("conditions", "0", "code")),
    ({"conditions": [APL, {"system": "ICD-10-CM", "code": "ZZZ.9"}]}, ("conditions", "1", "code")),
    ({"conditions": [{"system": "SNOMED", "code": "1"}]}, ("conditions", "0", "system")),
    ({"conditions": []}, ("conditions",)),
    ({"conditions": [APL], "zip": "00000"}, ("zip",)),
    ({"conditions": [APL], "zip": None, "lat": 40.0}, ("lon",)),
    ({"conditions": [APL], "zip": None}, ("zip",)),
    ({"conditions": [APL], "specialty": "123"}, ("specialty",)),
    ({"conditions": [APL], "urgency": "whenever"}, ("urgency",)),
    ({"conditions": [APL], "reason": "curious"}, ("reason",)),
    ({"conditions": [APL], "limit": 0}, ("limit",)),
    ({"conditions": [APL], "exclude_institutions": [True]}, ("exclude_institutions", "0")),
])
def test_unknown_or_invalid_input_is_422_naming_the_field(client, directory, body, field):
    body = {"zip": "10001", **body}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/v1/matches", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]["json"]
    for part in field:
        assert part in errors, (field, response.get_json())
        errors = errors[part]


def test_an_unknown_plan_is_404_like_any_unknown_id(client, directory):
    response = client.post("/v1/matches", json={"zip": "10001", "conditions": [APL], "plan_id": 987654})
    assert response.status_code == 404 and "No plan 987654" in response.get_json()["detail"]


def test_a_directory_write_is_visible_to_the_next_match(client, session, directory):
    make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    admin = login(client, "admin@example.test")
    before = _match(client, conditions=[APL])
    created = client.post("/v1/specialists", headers=admin, json={
        "npi": "1234567893", "first_name": "Ada", "last_name": "Lovelace", "credentials": "MD",
        "specialties": [{"code": MEDONC, "primary": True}],
        "conditions": [{"system": "ORPHA", "code": "520", "cases_per_year": 90, "center_of_expertise": True}]})
    assert created.status_code == 201
    sid = created.get_json()["id"]
    located = client.post(f"/v1/specialists/{sid}/locations", headers=admin, json={
        "location": {"address_line": "1 Main St", "city": "New York", "state": "NY", "zip": "10001"}})
    assert located.status_code == 201
    after = _match(client, conditions=[APL])
    assert _ids(after)[0] == sid and after["total"] == before["total"] + 1
    failed = client.post("/v1/specialists", headers=admin, json={  # duplicate NPI: rolled back
        "npi": "1234567893", "first_name": "Bo", "last_name": "Gus", "specialties": [{"code": MEDONC, "primary": True}]})
    assert failed.status_code == 409
    assert _match(client, conditions=[APL])["total"] == after["total"]
    assert client.delete(f"/v1/specialists/{sid}", headers=admin).status_code == 204
    assert sid not in _ids(_match(client, conditions=[APL]))
