"""The pages read plans, their networks and coverage rules (and institutions) as a match does: from the plan
cache (api/coverage/plan_cache.py), never a statement per request. Statements are counted on the app's engine as
in tests/matching/test_read_path.py; a page may still read what it must (the case, the specialist's places)."""
from __future__ import annotations

import re

import pytest

import search
from api.coverage.plan_cache import WATCHED_TABLES, plan_cache
from tests.matching.test_read_path import Statements
from tests.web.test_case_pages import _csrf, _start, doctor  # noqa: F401 (the fixture)

SEARCH = {"condition": "promyelocytic leukemia", "where": "10001"}
# A specialist's page shows their own institution and the networks of their places (directory data); what
# a plan says (its networks, benefit and rules) comes from the cache there too.
PLAN_TABLES = WATCHED_TABLES - {"institution", "network"}


def _tables(statements: list[str], tables) -> set[str]:
    """Which of `tables` the statements name (as a FROM, JOIN, INSERT or UPDATE target)."""
    return {t for t in tables for s in statements if re.search(rf'(FROM|JOIN|INTO|UPDATE)\s+"?{t}"?(\s|$|,|\))', s)}


@pytest.fixture
def counted(app):
    """Run the block's requests with both caches warm and checked no more than hourly; the statements they sent."""

    def run(*requests) -> list[tuple[object, list[str]]]:
        [request() for request in requests]  # warm-up: the index and the plan cache load once
        with app.app_context():
            search.backend().poll_interval_s = plan_cache().poll_interval_s = 3600
        answers = []
        for request in requests:
            statements = Statements(app.extensions["db"][0])
            try:
                answers.append((request(), statements.seen))
            finally:
                statements.close()
        return answers

    return run


def test_the_search_and_specialist_pages_read_no_plan_network_or_coverage_rule(client, directory, counted):
    plan_id, expert = directory["plan"].id, directory["expert"]
    (home, home_seen), (found, found_seen), (profile, profile_seen) = counted(
        lambda: client.get("/"),
        lambda: client.get("/search", query_string={**SEARCH, "plan": plan_id}),
        lambda: client.get(f"/specialists/{expert.id}", query_string={"plan": plan_id}),
    )
    assert directory["plan"].name in home.get_data(as_text=True)  # the picker lists the plan, from the cache
    assert found.status_code == 200 and "Coverage: covered." in found.get_data(as_text=True)
    assert profile.status_code == 200 and "covered" in profile.get_data(as_text=True)
    assert _tables(home_seen + found_seen, WATCHED_TABLES) == set(), home_seen + found_seen
    assert _tables(profile_seen, {"specialist", "practice_location"}), profile_seen  # the count sees its reads
    assert _tables(profile_seen, PLAN_TABLES) == set(), profile_seen


def test_matching_a_case_reads_no_plan_network_rule_or_institution(doctor, directory, counted):  # noqa: F811
    case_id = _start(doctor, plan=str(directory["plan"].id), member_id="XZ123456789")
    token = _csrf(doctor.get(f"/cases/{case_id}/match").get_data(as_text=True))
    ((matched, seen),) = counted(lambda: doctor.post(f"/cases/{case_id}/match", data={"csrf_token": token}))
    html = matched.get_data(as_text=True)
    assert matched.status_code == 200 and "Dr. Ada Hematon, MD" in html and "Coverage: covered." in html
    assert _tables(seen, {"patient_case"}), seen  # the case itself is read, as it must be
    # The case page's own header names its plan (the case's row and its plan, as GET /v1/cases/{id} shows them);
    # the match reads neither the plan again nor its networks, rules or the institutions.
    assert _tables(seen, WATCHED_TABLES - {"plan"}) == set(), seen
    assert len([s for s in seen if _tables([s], {"plan"})]) <= 1, seen
