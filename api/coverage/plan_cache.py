"""Plans, their networks and coverage rules held in memory, so a match reads none of them from the database;
with them the institutions (api/directory/institution_book.py), which a match reads to leave the first
opinion's institutions out.

They are a few hundred rows (institutions: a few thousand) that change rarely. The protocol, like the
embedded index's outbox cursor:
- every statement writing payers, networks, plans, plan networks, benefits, prior-authorization
  rules or institutions bumps `insurance_version` in the same transaction (an engine hook, so ORM flushes and the
  seeders' bulk inserts alike are counted);
- a process compares its copy's version with the table's at most once per `poll_interval_s`, and
  at once after a transaction of its own that bumped it commits; a new version reloads everything.
So a request reads memory only; another process's change shows within the interval, this process's
own at its next match (a refresh racing that very commit in another thread can delay it by one interval).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from api.coverage.services import coverage_rules
from api.coverage.verdict import CoverageRules
from api.directory.institution_book import InstitutionBook, load_institutions
from api.models import Institution, InsuranceVersion, Network, Payer, Plan, PlanBenefit, PlanNetwork, PriorAuthRule

WATCHED_TABLES = frozenset(
    model.__table__.name for model in (Payer, Network, Plan, PlanNetwork, PlanBenefit, PriorAuthRule, Institution)
)
# One statement, the same on SQLite (3.24+) and PostgreSQL; an upsert so an emptied table restarts it.
BUMP = (
    "INSERT INTO insurance_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = insurance_version.version + 1"
)
_BUMPED = "insurance_version_bumped"  # Connection.info key: this transaction wrote a watched table


@dataclass(frozen=True)
class CachedPlan:
    """A plan as matching needs it: its name, its networks and its coverage rules (None: none on file)."""

    id: int
    name: str
    network_ids: frozenset[int]
    rules: CoverageRules | None


@dataclass(frozen=True)
class PlanBook:
    """Every plan (also by name, for pickers), and every institution, at one version."""

    version: int
    plans: dict[int, CachedPlan] = field(default_factory=dict)
    institutions: InstitutionBook = field(default_factory=InstitutionBook)
    by_name: tuple[CachedPlan, ...] = ()


class PlanCache:
    """The process's copy of the plans, checked against `insurance_version` at most once per interval."""

    def __init__(self, engine: Engine, poll_interval_s: float = 1.0) -> None:
        # Its own read-only sessions: a reload never takes the write lock nor joins a request's transaction.
        self._engine = engine.execution_options(sqlite_deferred=True, postgresql_readonly=True)
        self.poll_interval_s = poll_interval_s
        self._lock = threading.Lock()
        self._book: PlanBook | None = None
        self._checked_at = float("-inf")

    def plan(self, plan_id: int) -> CachedPlan | None:
        """The plan with this id, or None."""
        return self.current().plans.get(plan_id)

    def current(self) -> PlanBook:
        """The plans, reloaded first when the interval has passed and the version moved."""
        book = self._book
        if book is not None and time.monotonic() - self._checked_at < self.poll_interval_s:
            return book
        with self._lock:
            if self._book is None or time.monotonic() - self._checked_at >= self.poll_interval_s:
                self._refresh()
            assert self._book is not None, "_refresh installs a book"
            return self._book

    def expire(self) -> None:
        """Make the next read compare versions (after this process committed a bump)."""
        self._checked_at = float("-inf")

    def _refresh(self) -> None:
        with Session(self._engine) as session:
            version = session.scalar(select(InsuranceVersion.version).where(InsuranceVersion.id == 1)) or 0
            if self._book is None or self._book.version != version:
                self._book = load_plans(session, version)
        self._checked_at = time.monotonic()


def load_plans(session: Session, version: int) -> PlanBook:
    """Every plan with its networks and rules, in four queries, and the institutions in a fifth."""
    networks: dict[int, set[int]] = defaultdict(set)
    for plan_id, network_id in session.execute(select(PlanNetwork.plan_id, PlanNetwork.network_id)):
        networks[plan_id].add(network_id)
    prior_auth: dict[int, set[tuple[str | None, str | None]]] = defaultdict(set)
    for plan_id, code, service in session.execute(
        select(PriorAuthRule.plan_id, PriorAuthRule.taxonomy_code, PriorAuthRule.service)
    ):
        prior_auth[plan_id].add((code, service))
    benefits = {b.plan_id: b for b in session.scalars(select(PlanBenefit))}
    plans: dict[int, CachedPlan] = {}
    for plan_id, name in session.execute(select(Plan.id, Plan.name)):
        benefit, network_ids = benefits.get(plan_id), frozenset(networks[plan_id])
        rules = None if benefit is None else coverage_rules(benefit, network_ids, frozenset(prior_auth[plan_id]))
        plans[plan_id] = CachedPlan(plan_id, name, network_ids, rules)
    by_name = tuple(sorted(plans.values(), key=lambda plan: (plan.name, plan.id)))
    return PlanBook(version, plans, load_institutions(session), by_name)


def watch_writes(engine: Engine, cache: PlanCache) -> None:
    """Bump `insurance_version` with every write to a watched table; expire the cache when one commits."""

    def bump(conn: Connection, clauseelement, *_args) -> None:
        if isinstance(clauseelement, UpdateBase) and getattr(clauseelement.table, "name", None) in WATCHED_TABLES:
            conn.exec_driver_sql(BUMP)
            conn.info[_BUMPED] = True

    def committed(conn: Connection) -> None:
        if conn.info.pop(_BUMPED, False):
            cache.expire()

    def rolled_back(conn: Connection) -> None:
        conn.info.pop(_BUMPED, None)

    event.listen(engine, "before_execute", bump)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)


def init_app(app: Flask) -> None:
    """Give the app its plan cache and count writes on its engine."""
    engine = app.extensions["db"][0]
    cache = PlanCache(engine, app.config["PLAN_CACHE_POLL_INTERVAL_S"])
    app.extensions["plan_cache"] = cache
    watch_writes(engine, cache)


def plan_cache() -> PlanCache:
    """The current app's plan cache."""
    return current_app.extensions["plan_cache"]
