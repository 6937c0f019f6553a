"""Payers, plans and networks people can find: a patient finds their plan by its card name and matches with it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.models import Network, Plan
from seed_data.synthetic_insurance import ensure_insurance
from tests.factories import make_specialist

HEMONC = "207RH0003X"
APL = {"system": "ORPHA", "code": "520"}


@pytest.fixture
def insurance(app):
    """The synthetic payers, networks and plans the seed makes."""
    with app.extensions["db"][0].begin() as conn:
        ensure_insurance(conn)


def test_a_patient_finds_their_plan_by_its_card_name_and_matches_with_its_id(client, session, insurance):
    found = client.get("/v1/plans?q=atlantic+shore+hmo&state=NY").get_json()
    assert [p["card_name"] for p in found["items"]] == ["Synthetic Atlantic Shore Health HMO (NY)"]
    plan = found["items"][0]
    assert plan["plan_type"] == "HMO" and plan["payer"]["name"] == "Synthetic Atlantic Shore Health"
    assert [n["code"] for n in plan["networks"]] == ["ATL-HMO"]

    network = session.query(Network).filter_by(code="ATL-HMO").one()
    inside = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 30)], networks=[network])
    outside = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 30)])
    session.commit()
    answer = client.post("/v1/matches", json={"conditions": [APL], "zip": "10001", "plan_id": plan["id"]})
    assert answer.status_code == 200, answer.get_json()
    by_id = {c["specialist"]["id"]: c for c in answer.get_json()["candidates"]}
    assert by_id[inside.id]["coverage_status"] == "in_network"
    assert outside.id not in by_id or by_id[outside.id]["coverage_status"] != "in_network"
    assert f"in network for {plan['name']} at this location" in by_id[inside.id]["reasons"]


def test_plans_filter_by_state_type_and_payer_and_page(client, session, insurance):
    medicaid_ny = client.get("/v1/plans?state=NY&type=MEDICAID").get_json()
    assert [p["code"] for p in medicaid_ny["items"]] == ["MCD-NY"]
    national = client.get("/v1/plans?state=NY&type=PPO").get_json()
    assert all(p["state"] in (None, "NY") for p in national["items"]) and national["total"] >= 2
    payer_id = medicaid_ny["items"][0]["payer"]["id"]
    by_payer = client.get(f"/v1/plans?payer_id={payer_id}&page_size=5&page=2").get_json()
    assert by_payer["total"] == session.query(Plan).filter_by(payer_id=payer_id).count()
    assert (by_payer["page"], by_payer["page_size"], len(by_payer["items"])) == (2, 5, 5)
    assert client.get("/v1/plans?type=GOLD").status_code == 422
    assert client.get("/v1/plans?state=new+york").status_code == 422


def test_payers_and_networks_are_public_and_searchable(client, insurance):
    payers = client.get("/v1/payers?q=lone+star").get_json()
    assert [p["name"] for p in payers["items"]] == ["Synthetic Lone Star Health"]
    networks = client.get(f"/v1/networks?payer_id={payers['items'][0]['id']}").get_json()
    assert sorted(n["code"] for n in networks["items"]) == ["LST-HMO", "LST-PPO"]
    plan = client.get("/v1/plans?q=LST-HMO-TX").get_json()["items"][0]
    used = client.get(f"/v1/networks?plan_id={plan['id']}").get_json()
    assert [n["code"] for n in used["items"]] == ["LST-HMO"]


def test_every_endpoint_an_error_message_names_exists(app):
    """Messages that send people to another endpoint ("see GET /v1/plans") send them somewhere real."""
    rules = {re.sub(r"<[^>]+>", "{}", rule.rule) for rule in app.url_map.iter_rules()}
    root = Path(__file__).resolve().parents[2]
    named = set()
    for source in [*root.glob("api/**/*.py"), *root.glob("search/**/*.py"), *root.glob("billing/**/*.py")]:
        named |= set(re.findall(r"(?:see|with|sends|shows)[^\"'\n]*?(?:GET|POST) (/v1/[a-z0-9_/\-]+)",
                                source.read_text()))
    assert "/v1/plans" in named
    assert sorted(path for path in named if path.rstrip("/") not in rules) == []
