"""The verdict engine as a pure function: every verdict, and the arithmetic of the estimate in cents."""
import dataclasses

import pytest

from api.coverage.verdict import (
    CoverageRules, MemberState, Visit, decide, in_network_cost, out_of_network_cost, share,
)

ONCOLOGY = "207RX0202X"
RULES = CoverageRules(network_ids=frozenset({1}), coinsurance_pct=20, deductible_cents=150_000, oop_max_cents=600_000)
VISIT = Visit(frozenset({1, 7}), frozenset({ONCOLOGY}), "consultation", 24_000, 40_000)


def test_share_rounds_half_up_to_a_whole_cent():
    assert share(10_001, 50) == 5_001 and share(10_000, 33) == 3_300 and share(3, 50) == 2 and share(0, 20) == 0


def test_in_network_deductible_first_then_coinsurance():
    cost = in_network_cost(RULES, MemberState(deductible_met_cents=140_000), 24_000)
    assert (cost.deductible_cents, cost.coinsurance_cents, cost.patient_cents, cost.plan_cents) == (10_000, 2_800, 12_800, 11_200)


def test_a_copay_replaces_deductible_and_coinsurance():
    cost = in_network_cost(dataclasses.replace(RULES, copay_cents=5_000), MemberState(), 24_000)
    assert (cost.copay_cents, cost.deductible_cents, cost.coinsurance_cents, cost.patient_cents) == (5_000, 0, 0, 5_000)


def test_the_out_of_pocket_maximum_caps_the_patient_share():
    cost = in_network_cost(RULES, MemberState(deductible_met_cents=0, oop_met_cents=595_000), 24_000)
    assert cost.patient_cents == 5_000 and cost.oop_cap_savings_cents == 19_000 and cost.plan_cents == 19_000
    spent = in_network_cost(RULES, MemberState(oop_met_cents=700_000), 24_000)
    assert spent.patient_cents == 0


def test_out_of_network_adds_the_balance_bill():
    rules = dataclasses.replace(RULES, out_of_network_covered=True, oon_coinsurance_pct=40, oon_deductible_cents=0)
    cost = out_of_network_cost(rules, MemberState(), 24_000, 40_000)
    assert (cost.coinsurance_cents, cost.balance_billing_cents, cost.patient_cents) == (9_600, 16_000, 25_600)


@pytest.mark.parametrize("rules, visit, verdict, action", [
    (RULES, VISIT, "covered", "book"),
    (dataclasses.replace(RULES, referral_required=True), VISIT, "needs_referral", "get_referral"),
    (dataclasses.replace(RULES, referral_required=True), dataclasses.replace(VISIT, has_referral=True), "covered", "book"),
    (dataclasses.replace(RULES, prior_auth=frozenset({(ONCOLOGY, None)})), VISIT,
     "needs_prior_authorization", "request_prior_authorization"),
    (dataclasses.replace(RULES, prior_auth=frozenset({(None, "consultation")})), VISIT,
     "needs_prior_authorization", "request_prior_authorization"),
    (dataclasses.replace(RULES, prior_auth=frozenset({(ONCOLOGY, "records_review")})), VISIT, "covered", "book"),
    (dataclasses.replace(RULES, prior_auth=frozenset({(None, "consultation")})),
     dataclasses.replace(VISIT, has_prior_authorization=True), "covered", "book"),
    (RULES, dataclasses.replace(VISIT, location_network_ids=frozenset({9})), "out_of_network", "self_pay"),
    (dataclasses.replace(RULES, second_opinion_covered=False), VISIT, "not_covered", "self_pay"),
    (dataclasses.replace(RULES, second_opinion_covered=False), dataclasses.replace(VISIT, self_pay_price_cents=None),
     "not_covered", "contact_specialist"),
])
def test_verdicts_and_next_steps(rules, visit, verdict, action):
    answer = decide(rules, MemberState(), visit)
    assert (answer.verdict, answer.next_step.action) == (verdict, action)
    assert answer.reasons


def test_self_pay_answers_state_the_price():
    answer = decide(dataclasses.replace(RULES, second_opinion_covered=False), MemberState(), VISIT)
    assert answer.estimate.basis == "self_pay" and answer.estimate.patient_cents == 40_000
    assert answer.next_step.self_pay_price_cents == 40_000 and "$400.00" in answer.next_step.detail


def test_out_of_network_benefits_suggest_the_cheaper_way():
    # With the out-of-network deductible unmet, a cash price below the allowed amount is cheaper.
    rules = dataclasses.replace(RULES, out_of_network_covered=True, oon_deductible_cents=300_000)
    cheap = decide(rules, MemberState(), dataclasses.replace(VISIT, location_network_ids=frozenset(),
                                                             self_pay_price_cents=20_000))
    assert cheap.verdict == "out_of_network" and cheap.next_step.action == "self_pay"
    dear = decide(rules, MemberState(), dataclasses.replace(VISIT, location_network_ids=frozenset(),
                                                            self_pay_price_cents=90_000))
    assert dear.next_step.action == "book" and dear.estimate.basis == "out_of_network"
    assert dear.estimate.patient_cents == 24_000 + 66_000  # deductible on the allowed amount, plus the balance bill
