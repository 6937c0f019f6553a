"""The patient's search: a condition in their own words -> matched specialists -> one specialist's page."""

from __future__ import annotations

import re
from datetime import timedelta

import marshmallow as ma
from flask import render_template, request

from api.coverage.plan_cache import CachedPlan, plan_cache
from api.coverage.present import verdict_view
from api.coverage.services import check_candidates
from api.db import db, utcnow
from api.directory import services as directory
from api.directory.present import specialist_view
from api.errors import DomainError
from api.matching import services as matching
from api.matching.present import match_response
from api.matching.schemas import MatchRequestSchema
from api.scheduling import availability
from api.web.blueprint import bp
from reference import conditions as catalogue
from search.case import URGENCIES

_PICKED = re.compile(r"\((ICD-10-CM|ORPHA):([^)]+)\)\s*$")  # "Name (ORPHA:520)", as the suggestions write it
PLANS_SHOWN = 500
SLOTS_SHOWN = 12


def plans() -> tuple[CachedPlan, ...]:
    """Plans by name, for the 'my plan' picker: from the plan cache, as a match reads them (no statement)."""
    return plan_cache().current().by_name[:PLANS_SHOWN]


def read_condition(words: str) -> tuple[catalogue.Condition | None, list[catalogue.Condition]]:
    """The condition a person meant: the one picked from the suggestions, else the best match of their words."""
    picked = _PICKED.search(words)
    if picked and (found := catalogue.lookup(picked.group(1), picked.group(2))):
        return found, []
    hits = catalogue.search(words, limit=6) if words.strip() else []
    return (hits[0], hits[1:]) if hits else (None, [])


def _match_body(form, condition) -> dict:
    """The POST /v1/matches body the search form describes."""
    body = {
        "conditions": [{"system": condition.system, "code": condition.code}] if condition else [],
        "urgency": form.get("urgency", "routine"),
        "telehealth_ok": form.get("telehealth") == "on",
        "limit": 20,
    }
    place = form.get("where", "").strip()
    body["zip" if re.fullmatch(r"\d{5}", place) else "address"] = place
    plan = form.get("plan", "")
    if plan == "self":
        body["self_pay"] = True
    elif plan.isdigit():
        body["plan_id"] = int(plan)
    return body


@bp.get("/")
def home():
    """The search form."""
    return render_template("home.html", plans=plans(), urgencies=URGENCIES, form={}, errors={})


@bp.get("/search")
def search_results():
    """Matched specialists with the reasons, and the coverage verdict under the plan picked."""
    form = request.args
    condition, alternatives = read_condition(form.get("condition", ""))
    errors, answer = {}, None
    if condition is None:
        errors["condition"] = "We could not find that condition. Try other words, or pick a suggestion."
    else:
        try:
            body = MatchRequestSchema().load(_match_body(form, condition))
            answer = match_response(*matching.find_matches(body))
        except ma.ValidationError as invalid:
            messages = invalid.messages if isinstance(invalid.messages, dict) else {"where": invalid.messages}
            errors = {
                ("where" if k in ("zip", "address") else k): " ".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in messages.items()
            }
        except DomainError as refused:
            errors[refused.field or "where"] = refused.detail
    status = 200 if not errors else 422
    return render_template(
        "results.html",
        plans=plans(),
        urgencies=URGENCIES,
        form=form,
        errors=errors,
        condition=condition,
        alternatives=alternatives,
        answer=answer,
    ), status


@bp.get("/specialists/<id:specialist_id>")
def specialist(specialist_id: int):
    """A specialist: expertise, places, open slots and (with a plan) the coverage verdict at each place."""
    found = specialist_view(directory.load_specialist(db.session, specialist_id))
    plan_id = request.args.get("plan", type=int)
    plan = plan_cache().plan(plan_id) if plan_id else None
    verdicts = {}
    if plan is not None and plan.rules is not None:  # else no rules on file: the page says coverage is unknown
        pairs = [(specialist_id, place["id"]) for place in found["locations"]]
        verdicts = {pair[1]: verdict_view(v) for pair, v in check_candidates(db.session, plan.rules, pairs).items()}
    now = utcnow()
    slots = availability.open_slots(
        db.session, specialist_id=specialist_id, now=now, start=now, end=now + timedelta(days=28), limit=SLOTS_SHOWN
    )
    return render_template("specialist.html", s=found, slots=slots, verdicts=verdicts, plan_id=plan_id)
