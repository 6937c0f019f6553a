"""POST /v1/matches answers go to JSON without a marshmallow dump: the schema must still be exactly their shape.

Over many varied cases on a seeded directory with coverage rules, each real answer
- is what MatchResponseSchema would have dumped (same JSON text: same keys, same types),
- carries every field its schemas declare and no other,
- validates against the served OpenAPI document.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import jsonschema
import marshmallow as ma
import pytest
from sqlalchemy.orm import Session

from api.db import db
from api.matching.schemas import MatchResponseSchema
from api.models import Plan
from bench.relevance.runner import seeded_app
from seed_data.coverage_rules import ensure_coverage_rules

CASES_CSV = Path(__file__).resolve().parents[2] / "bench" / "relevance" / "cases.csv"
CASES = 60


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """An app over 1,500 synthetic specialists, every plan with coverage rules; and its plan ids."""
    app = seeded_app(1500, tmp_path_factory.mktemp("answers") / "directory.db")
    with app.app_context(), Session(db.engine) as session:
        ensure_coverage_rules(session)
        session.commit()
        plans = sorted(session.scalars(Plan.__table__.select().with_only_columns(Plan.id)))
    yield app, plans
    with app.app_context():
        db.engine.dispose()


def _bodies(plans: list[int]) -> list[dict]:
    """Varied requests: the relevance cases' codes and places, with and without a plan and options."""
    with open(CASES_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    options = itertools.cycle(
        [
            {},
            {"telehealth_ok": True, "max_distance_mi": 200},
            {"self_pay": True, "languages": ["es"]},
            {"limit": 3, "urgency": "soon", "reason": "rare_condition"},
            {"specialty": "207RH0003X", "max_distance_mi": 500},
            {"exclude_institutions": ["Mount Sinai Hospital"], "limit": 25},
        ]
    )
    bodies = []
    for i, (row, extra) in enumerate(zip(rows[:CASES], options, strict=False)):
        system, code = row["condition"].split(":", 1)
        body = {"conditions": [{"system": system, "code": code}], "zip": row["zip"], **extra}
        if i % 2 == 0 and not body.get("self_pay"):
            body["plan_id"] = plans[i % len(plans)]
        bodies.append(body)
    return bodies


def _declared(schema: ma.Schema, data: dict, absent: frozenset[str], path: str = "answer") -> None:
    """Every field the schema declares is in `data` (but those `absent`), and nothing else; nested ones likewise."""
    assert set(data) == set(schema.fields) - absent, f"{path}: {set(data) ^ (set(schema.fields) - absent)}"
    for name, value in data.items():
        field = schema.fields[name]
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Nested) and value is not None:
            for i, item in enumerate(value if isinstance(field, ma.fields.List) else [value]):
                _declared(inner.schema, item, absent, f"{path}.{name}[{i}]")


def test_every_answer_is_exactly_what_the_schema_and_the_openapi_document_describe(seeded):
    app, plans = seeded
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/MatchResponse", "components": spec["components"]}
    )
    schema, seen = MatchResponseSchema(), {"coverage": 0, "plain": 0}
    for body in _bodies(plans):
        response = client.post("/v1/matches", json=body)
        assert response.status_code == 200, (body, response.get_json())
        answer = json.loads(response.get_data())
        dumped = schema.dump(answer)
        assert json.dumps(dumped, sort_keys=True) == json.dumps(answer, sort_keys=True), body
        _declared(schema, answer, frozenset() if "plan_id" in body else frozenset({"coverage"}))  # with a plan only
        validator.validate(answer)
        for candidate in answer["candidates"]:
            seen["coverage" if candidate.get("coverage") else "plain"] += 1
    assert seen["coverage"] > 50 and seen["plain"] > 50  # both shapes of a candidate were checked
