"""Match results carry the coverage verdict per candidate when a plan is given, and the next free slot."""

from api.models import PlanType
from search.documents import build_documents
from tests.factories import make_network, make_specialist
from tests.payments_support import make_bookable, make_plan, reading

ONCOLOGY = "207RX0202X"


def test_match_with_a_plan_gives_each_candidate_its_verdict_and_next_slot(app, client, session):
    network, plan = make_plan(session, PlanType.HMO)
    other, _ = make_network(session)
    inside, slots = make_bookable(session, specialty=ONCOLOGY, networks=[network], slots=2)
    outside = make_specialist(session, specialty=ONCOLOGY, networks=[other], self_pay_price_cents=30_000)
    session.commit()
    with reading(session) as s:
        docs = {d["specialist_id"]: d for d in build_documents(s)}
    assert docs[inside.id]["next_available"] == slots[0].starts_at.isoformat()
    assert docs[outside.id]["next_available"] is None

    body = {"specialty": ONCOLOGY, "zip": "10001", "plan_id": plan.id}
    answer = client.post("/v1/matches", json=body)
    assert answer.status_code == 200, answer.get_json()
    by_id = {c["specialist"]["id"]: c for c in answer.get_json()["candidates"]}
    assert by_id[inside.id]["coverage"]["verdict"] == "needs_referral"
    assert by_id[inside.id]["coverage"]["estimate"]["allowed_cents"] == 24_000
    assert by_id[inside.id]["location"]["next_available"] is not None
    assert by_id[outside.id]["coverage"]["verdict"] == "out_of_network"
    assert by_id[outside.id]["coverage"]["next_step"]["self_pay_price_cents"] == 30_000
    without_plan = client.post("/v1/matches", json={"specialty": ONCOLOGY, "zip": "10001"}).get_json()
    assert all("coverage" not in c or c["coverage"] is None for c in without_plan["candidates"])
