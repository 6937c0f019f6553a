"""The directory API: public filtered reads, admin-only writes, locations and networks as sub-resources."""
import pytest
from sqlalchemy import func, select

from api.models import OutboxEvent, Role, Specialist
from tests.factories import login, make_network, make_specialist, make_user

ONCOLOGY = "207RX0202X"
CARDIOLOGY = "207RC0000X"
# Real places: Manhattan (10001), Newark NJ (~9 mi), Philadelphia (~80 mi).
MANHATTAN = (40.7506, -73.9972)
NEWARK = (40.7357, -74.1724)
PHILADELPHIA = (39.9526, -75.1652)


@pytest.fixture
def admin(client, session):
    make_user(session, Role.ADMIN, email="admin@example.test")
    session.commit()
    return login(client, "admin@example.test")


def _new_specialist_body(**overrides):
    body = {"npi": "1234567893", "first_name": "Ada", "last_name": "Lovelace", "credentials": "MD",
            "languages": ["en", "es"], "telehealth": True, "self_pay_price_cents": 45000,
            "specialties": [{"code": ONCOLOGY, "primary": True}, {"code": "207RH0003X"}],
            "conditions": [{"system": "ORPHA", "code": "520", "cases_per_year": 40}]}
    body.update(overrides)
    return body


def test_oncology_near_manhattan_is_filtered_and_sorted_by_distance(client, session):
    far = make_specialist(session, specialty=ONCOLOGY, lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], zip_code="19107")
    near = make_specialist(session, specialty=ONCOLOGY, lat=MANHATTAN[0], lon=MANHATTAN[1])
    mid = make_specialist(session, specialty=ONCOLOGY, lat=NEWARK[0], lon=NEWARK[1], zip_code="07102")
    make_specialist(session, specialty=CARDIOLOGY, lat=MANHATTAN[0], lon=MANHATTAN[1])
    session.commit()
    body = client.get(f"/v1/specialists?specialty={ONCOLOGY}&zip=10001&radius_mi=25").get_json()
    assert [item["id"] for item in body["items"]] == [near.id, mid.id]
    assert body["total"] == 2 and far.id not in [item["id"] for item in body["items"]]
    distances = [item["distance_mi"] for item in body["items"]]
    assert distances == sorted(distances) and 8 < distances[1] < 11
    assert all(any(s["code"] == ONCOLOGY for s in item["specialties"]) for item in body["items"])


def test_network_filter_is_per_location(client, session):
    network, _ = make_network(session, code="SYN-NET-A")
    in_net = make_specialist(session, networks=[network])
    make_specialist(session)  # same place, not in the network
    session.commit()
    ids = [i["id"] for i in client.get("/v1/specialists?network=SYN-NET-A&zip=10001").get_json()["items"]]
    assert ids == [in_net.id]
    ids = [i["id"] for i in client.get("/v1/specialists?network=SYN-NET-A").get_json()["items"]]
    assert ids == [in_net.id]


def test_language_telehealth_condition_and_name_filters(client, session):
    a = make_specialist(session, languages=("en", "es"), telehealth=True, last_name="Okafor",
                        conditions=[("ORPHA", "520", 30)])
    # A dermatologist neither treats acute promyelocytic leukaemia nor holds a code near it.
    make_specialist(session, specialty="207N00000X", languages=("en",), last_name="Smith")
    session.commit()
    for query in ("language=es", "telehealth=true", "condition=ORPHA:520", "q=okaf"):
        ids = [i["id"] for i in client.get(f"/v1/specialists?{query}").get_json()["items"]]
        assert ids == [a.id], query


def test_pagination_counts_and_pages(client, session):
    for i in range(5):
        make_specialist(session, last_name=f"Name{i}")
    session.commit()
    page2 = client.get("/v1/specialists?page=2&page_size=2").get_json()
    assert page2["total"] == 5 and [i["last_name"] for i in page2["items"]] == ["Name2", "Name3"]


def test_directory_reads_are_public_and_writes_need_admin(client, session):
    make_user(session, Role.PATIENT, email="pat@example.test")
    session.commit()
    assert client.get("/v1/specialists").status_code == 200
    assert client.post("/v1/specialists", json=_new_specialist_body()).status_code == 401
    patient = login(client, "pat@example.test")
    assert client.post("/v1/specialists", json=_new_specialist_body(), headers=patient).status_code == 403


def test_admin_creates_reads_updates_and_deletes_a_specialist(client, session, admin):
    created = client.post("/v1/specialists", json=_new_specialist_body(), headers=admin)
    assert created.status_code == 201, created.get_json()
    sid = created.get_json()["id"]
    got = client.get(f"/v1/specialists/{sid}").get_json()
    assert got["specialties"][0] == {"code": ONCOLOGY, "display": "Medical Oncology", "primary": True}
    assert got["languages"] == ["en", "es"] and got["conditions"][0]["name"]
    patched = client.patch(f"/v1/specialists/{sid}", json={"telehealth": False, "languages": ["fr"]}, headers=admin)
    assert patched.status_code == 200 and patched.get_json()["languages"] == ["fr"]
    assert patched.get_json()["telehealth"] is False and patched.get_json()["last_name"] == "Lovelace"
    assert client.delete(f"/v1/specialists/{sid}", headers=admin).status_code == 204
    assert client.get(f"/v1/specialists/{sid}").status_code == 404
    # Every write left an outbox row for the indexer, in its own transaction.
    assert session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.entity_id == sid)) == 3


def test_duplicate_npi_is_409_and_nothing_half_written(client, session, admin):
    assert client.post("/v1/specialists", json=_new_specialist_body(), headers=admin).status_code == 201
    again = client.post("/v1/specialists", json=_new_specialist_body(first_name="Other"), headers=admin)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert session.scalar(select(func.count()).select_from(Specialist)) == 1


def test_specialties_need_exactly_one_primary_and_at_most_15(client, admin):
    none_primary = _new_specialist_body(specialties=[{"code": ONCOLOGY}])
    assert client.post("/v1/specialists", json=none_primary, headers=admin).status_code == 422
    sixteen = _new_specialist_body(specialties=[{"code": ONCOLOGY, "primary": True}] * 16)
    assert client.post("/v1/specialists", json=sixteen, headers=admin).status_code == 422


def test_unknown_condition_code_is_422_and_stores_nothing(client, session, admin):
    body = _new_specialist_body(conditions=[{"system": "ORPHA", "code": "999999999"}])
    response = client.post("/v1/specialists", json=body, headers=admin)
    assert response.status_code == 422 and "conditions" in response.get_json()["errors"]["json"]
    assert session.scalar(select(func.count()).select_from(Specialist)) == 0


def test_locations_and_networks_as_sub_resources(client, session, admin):
    network, _ = make_network(session, code="SYN-NET-B")
    session.commit()
    sid = client.post("/v1/specialists", json=_new_specialist_body(), headers=admin).get_json()["id"]
    loc = client.post(f"/v1/specialists/{sid}/locations", headers=admin, json={
        "location": {"address_line": "200 First St SW", "city": "Rochester", "state": "MN", "zip": "55905"}})
    assert loc.status_code == 201, loc.get_json()
    practice = loc.get_json()
    assert abs(practice["location"]["lat"] - 44.02) < 0.05  # geocoded from the ZIP
    pid = practice["id"]
    joined = client.post(f"/v1/specialists/{sid}/locations/{pid}/networks", json={"network_id": network.id},
                         headers=admin)
    assert joined.status_code == 201 and joined.get_json()["networks"][0]["code"] == "SYN-NET-B"
    twice = client.post(f"/v1/specialists/{sid}/locations/{pid}/networks", json={"network_id": network.id},
                        headers=admin)
    assert twice.status_code == 409
    near_rochester = client.get("/v1/specialists?network=SYN-NET-B&zip=55902&radius_mi=10").get_json()
    assert [i["id"] for i in near_rochester["items"]] == [sid]
    paused = client.patch(f"/v1/specialists/{sid}/locations/{pid}", json={"accepting_new_patients": False},
                          headers=admin)
    assert paused.get_json()["accepting_new_patients"] is False
    assert client.delete(f"/v1/specialists/{sid}/locations/{pid}/networks/{network.id}", headers=admin).status_code == 204
    assert client.get(f"/v1/specialists/{sid}/locations").get_json()[0]["networks"] == []
    assert client.delete(f"/v1/specialists/{sid}/locations/{pid}", headers=admin).status_code == 204
    assert client.get(f"/v1/specialists/{sid}/locations").get_json() == []


def test_sub_resource_of_another_specialist_is_404(client, session, admin):
    a = make_specialist(session)
    b = make_specialist(session)
    session.commit()
    other_pid = b.practice_locations[0].id
    response = client.patch(f"/v1/specialists/{a.id}/locations/{other_pid}", json={"accepting_new_patients": False},
                            headers=admin)
    assert response.status_code == 404


def test_the_directory_shows_population_and_licences(client, admin):
    body = {"npi": "1234567893", "first_name": "Ada", "last_name": "Child", "population": None,
            "licensed_states": ["NY", "NJ", "NJ"], "specialties": [{"code": "2080P0207X", "primary": True}]}
    created = client.post("/v1/specialists", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    shown = client.get(f"/v1/specialists/{created.get_json()['id']}").get_json()
    assert shown["population"] == "pediatric"  # implied by the paediatric NUCC code
    assert shown["licensed_states"] == ["NJ", "NY"]
    patched = client.patch(f"/v1/specialists/{shown['id']}", json={"population": "all"}, headers=admin)
    assert patched.get_json()["population"] == "all" and patched.get_json()["licensed_states"] == ["NJ", "NY"]
    refused = client.patch(f"/v1/specialists/{shown['id']}", json={"population": "teens"}, headers=admin)
    assert refused.status_code == 422
