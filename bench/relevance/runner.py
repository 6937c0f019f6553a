"""Run the judged set through POST /v1/matches on a seeded synthetic directory and score every answer."""
from __future__ import annotations

import os
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from api.app import create_app
from api.config import Config
from api.matching.schemas import MatchRequestSchema
from bench.relevance import JudgedCase
from bench.relevance.metrics import gain, ndcg_at, precision_at, wrong_population

K = 10
POOL = 50  # answers per case: the top K are scored, the whole pool gives nDCG's ideal order


@dataclass
class CaseResult:
    """One judged case's answer, scored."""

    case: JudgedCase
    gains: list[int]
    pool: list[int]
    wrong_population: int  # candidates in the top K whose specialty does not see this age
    top: list[tuple[str, str, int]] = field(default_factory=list)  # (name, primary specialty, gain)

    @property
    def precision(self) -> float:
        """precision@K (of what was returned when fewer came back)."""
        return precision_at(self.gains, K)

    @property
    def ndcg(self) -> float:
        """nDCG@K."""
        return ndcg_at(self.gains, self.pool, K)

    @property
    def empty(self) -> bool:
        """Nobody was offered."""
        return not self.gains


@dataclass(frozen=True)
class Summary:
    """The judged set's figures on one backend."""

    backend: str
    cases: int
    precision: float
    ndcg: float
    wrong_population_rate: float  # share of top-K candidates of the wrong population
    empty_rate: float
    empty_in_top_metros: int


def seeded_app(count: int, db_path: Path, backend: str = "embedded", seed: int = 42) -> Flask:
    """An app over a SQLite directory of `count` synthetic specialists (seeded once per path)."""
    from api.db import make_engine
    from api.migrate import upgrade
    from seed_data.synthetic import seed_directory

    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    upgrade(engine)
    with open(os.devnull, "w") as quiet:
        seed_directory(engine, count, seed=seed, out=quiet)
    engine.dispose()
    settings = {"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING", "SEARCH_BACKEND": backend}
    if backend == "elasticsearch":
        settings["ELASTICSEARCH_URL"] = os.environ["ELASTICSEARCH_URL"]
    if backend == "opensearch":
        settings["OPENSEARCH_URL"] = os.environ["OPENSEARCH_URL"]
    app = create_app(Config(**settings))
    if backend in ("elasticsearch", "opensearch"):
        import search
        from api.db import db
        from search.sync import reindex

        with app.app_context():
            reindex(search.backend(), db.new_session)
    return app


def request_body(case: JudgedCase) -> dict:
    """The POST /v1/matches body for a case: the patient's age and sex where the API takes them."""
    body = {"conditions": [{"system": case.system, "code": case.code}], "zip": case.zip, "limit": POOL,
            "reason": case.reason}
    fields = MatchRequestSchema().fields
    age_field = next((name for name in ("age_years", "age") if name in fields), None)
    if age_field and case.age is not None:
        body[age_field] = case.age
    if "sex" in fields:
        body["sex"] = {"F": "female", "M": "male"}[case.sex]
    return body


def patient_aware() -> bool:
    """Whether POST /v1/matches takes the patient's age (and so can keep to their population)."""
    return any(name in MatchRequestSchema().fields for name in ("age_years", "age"))


def run_case(client, case: JudgedCase) -> CaseResult:
    """Ask for a match and score the answer."""
    response = client.post("/v1/matches", json=request_body(case))
    if response.status_code != 200:
        raise RuntimeError(f"{case.id}: POST /v1/matches answered {response.status_code}: {response.get_json()}")
    candidates = response.get_json()["candidates"]
    scored, wrong = [], 0
    for rank, cand in enumerate(candidates):
        person = cand["specialist"]
        primary = person["primary_specialty"]["code"] if person.get("primary_specialty") else None
        codes = [s["code"] for s in person.get("specialties", [])] or [primary]
        scored.append((person.get("display_name") or str(person["id"]), primary, gain(case, codes)))
        wrong += rank < K and wrong_population(case, codes)
    top = scored[:K]
    return CaseResult(case, [g for *_, g in top], [g for *_, g in scored], wrong, top)


def run(app: Flask, cases: list[JudgedCase]) -> list[CaseResult]:
    """Every case through the app's POST /v1/matches."""
    client = app.test_client()
    return [run_case(client, case) for case in cases]


def summarise(backend: str, results: list[CaseResult]) -> Summary:
    """Mean precision@K and nDCG@K over answered cases; rates of wrong population and empty answers."""
    answered = [r for r in results if not r.empty]
    shown = sum(len(r.gains) for r in answered)
    return Summary(
        backend, len(results),
        statistics.fmean(r.precision for r in answered) if answered else 0.0,
        statistics.fmean(r.ndcg for r in answered) if answered else 0.0,
        sum(r.wrong_population for r in answered) / shown if shown else 0.0,
        sum(r.empty for r in results) / len(results) if results else 0.0,
        sum(r.empty for r in results if r.case.in_top_metro))


def worst(results: list[CaseResult], n: int = 10) -> list[CaseResult]:
    """The n non-empty answers with the lowest nDCG@K."""
    return sorted((r for r in results if not r.empty), key=lambda r: (r.ndcg, r.precision, -r.wrong_population))[:n]


def temp_db() -> Path:
    """A fresh SQLite path for one run."""
    return Path(tempfile.mkdtemp(prefix="relevance-")) / "directory.db"
