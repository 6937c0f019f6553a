"""The judged relevance set, a fixed subset of it, through POST /v1/matches on a seeded directory,
held to issue 9's acceptance figures: precision@10 >= 0.97, nDCG@10 >= 0.90, no wrong-population
candidate and no empty answer in the ten largest metros (the full set: `python -m bench.relevance`).
"""
import pytest

from bench.relevance import load_cases
from bench.relevance.runner import patient_aware, request_body, run, summarise

SUBSET_STEP = 5  # every 5th judged case: 42 cases, both systems, children and adults, every body system


@pytest.fixture(scope="module")
def answered(relevance_app):
    """The subset's scored answers on the seeded directory, and the app that gave them."""
    return relevance_app, run(relevance_app, load_cases()[::SUBSET_STEP])


def test_the_subset_spans_the_judged_set(answered):
    _, results = answered
    cases = [r.case for r in results]
    assert len(cases) >= 40
    assert {c.system for c in cases} == {"ICD-10-CM", "ORPHA"}
    assert any(c.is_child for c in cases) and any(not c.is_child for c in cases)
    assert {c.sex for c in cases} == {"F", "M"}
    assert len({c.code[0] for c in cases if c.system == "ICD-10-CM"}) >= 12  # ICD-10-CM chapters by letter


def test_specialty_relevance_meets_the_acceptance_figures(answered):
    _, results = answered
    summary = summarise("embedded", results)
    assert summary.precision >= 0.97, summary
    assert summary.ndcg >= 0.90, summary


def test_no_empty_answer_where_a_judged_specialist_is_within_reach(answered):
    app, results = answered
    client = app.test_client()
    for r in results:
        if not r.empty:
            continue
        body = request_body(r.case)
        for code in sorted(r.case.primary):
            by_specialty = {**{k: v for k, v in body.items() if k != "conditions"}, "specialty": code}
            found = client.post("/v1/matches", json=by_specialty).get_json()["candidates"]
            assert not found, f"{r.case.id}: {code} is within reach but the condition found nobody"


def test_no_wrong_population(answered):
    _, results = answered
    assert patient_aware(), "the match request carries the patient's age"
    assert summarise("embedded", results).wrong_population_rate == 0.0


def test_no_empty_answer_in_the_ten_largest_metros(answered):
    _, results = answered
    assert summarise("embedded", results).empty_in_top_metros == 0
