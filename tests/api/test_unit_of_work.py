"""One way for a request to end: the unit of work commits all or nothing, and only it commits.

- a DomainError raised mid-request rolls back everything the request wrote, runs the rollback
  hooks and never the after-commit ones, and answers the error's problem+json;
- a commit the database refuses rolls back and runs the rollback hooks too;
- no function under api/, billing/ or search/ calls `.commit()` but the unit of work itself;
- the duplicate exception classes and `begin_write` are gone: every error a client can be told
  about is a DomainError.
"""
import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import api
import billing
import search
from api.cases.notifications import notify
from api.errors import Conflict, DomainError
from api.models import NotificationOutbox, OutboxEvent, Role, User
from api.unit_of_work import UnitOfWork, unit_of_work
from tests.payments_support import reading

ROOT = Path(__file__).resolve().parents[2]
UNIT_OF_WORK = ROOT / "api" / "unit_of_work.py"
# Exceptions that never reach a client: a CLI rebuild's failure.
NOT_CLIENT_ERRORS = {"search.es.indexer.RebuildFailed"}


def _count(session, model) -> int:
    with reading(session) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_domain_error_mid_request_rolls_back_everything_and_runs_the_rollback_hooks(app, client, session):
    ran: list[str] = []

    def half_done():
        with unit_of_work() as uow:
            uow.index_specialist(7)  # an outbox row
            notify(uow, "referral.status_changed", 7, "sent")  # a notification and its after-commit dispatch
            uow.session.flush()
            uow.on_rollback(lambda: ran.append("compensated"))
            uow.after_commit(lambda: ran.append("after commit"))
            raise Conflict("The slot is taken.")

    app.add_url_rule("/v1/test/half-done", "half_done", half_done, methods=["POST"])
    response = app.test_client().post("/v1/test/half-done")

    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The slot is taken."
    assert ran == ["compensated"]
    assert _count(session, OutboxEvent) == 0 and _count(session, NotificationOutbox) == 0


def test_a_commit_the_database_refuses_rolls_back_and_runs_the_rollback_hooks(app, session):
    session.add(User(email="taken@example.test", password_hash="!", role=Role.PATIENT, display_name="First"))
    session.commit()
    ran: list[str] = []
    with app.app_context():
        with pytest.raises(IntegrityError):
            with unit_of_work() as uow:
                uow.index_specialist(9)
                uow.session.add(User(email="taken@example.test", password_hash="!", role=Role.PATIENT,
                                     display_name="Second"))
                uow.on_rollback(lambda: ran.append("compensated"))
                uow.after_commit(lambda: ran.append("after commit"))
    assert ran == ["compensated"]
    assert _count(session, OutboxEvent) == 0 and _count(session, User) == 1


def test_a_successful_unit_of_work_commits_then_runs_after_commit_hooks_only(app, session):
    ran: list[str] = []
    with app.app_context():
        with unit_of_work() as uow:
            uow.index_specialist(11)
            uow.on_rollback(lambda: ran.append("compensated"))
            uow.after_commit(lambda: ran.append(f"after commit, {_count(session, OutboxEvent)} row"))
    assert ran == ["after commit, 1 row"]


def _commit_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_only_the_unit_of_work_commits():
    sources = [p for package in ("api", "billing", "search") for p in (ROOT / package).rglob("*.py")]
    assert len(sources) > 50
    assert _commit_calls(UNIT_OF_WORK), "the unit of work is the one place that commits"
    offenders = [call for path in sources if path != UNIT_OF_WORK for call in _commit_calls(path)]
    assert offenders == []


def test_begin_write_and_the_per_feature_transaction_helpers_are_gone():
    assert not (ROOT / "api" / "transactions.py").exists() and not (ROOT / "api" / "cases" / "work.py").exists()
    text = "\n".join(p.read_text() for package in ("api", "billing", "search") for p in (ROOT / package).rglob("*.py"))
    for name in ("begin_write", "case_work", "directory_write", "coverage_request", "CaseWork"):
        assert name not in text, name


def _modules(package):
    yield package
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        yield importlib.import_module(info.name)


def test_every_exception_a_client_can_meet_is_a_domain_error():
    defined = {f"{cls.__module__}.{cls.__qualname__}": cls
               for package in (api, billing, search) for module in _modules(package)
               for _, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, BaseException) and cls.__module__ == module.__name__}
    assert "api.errors.DomainError" in defined and len(defined) > 10
    outside = sorted(name for name, cls in defined.items()
                     if not issubclass(cls, DomainError) and name not in NOT_CLIENT_ERRORS)
    assert outside == []


def test_the_unit_of_work_module_knows_no_feature():
    tree = ast.parse(UNIT_OF_WORK.read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "api.db" in imported and UnitOfWork.__module__ == "api.unit_of_work"
    features = {name for name in imported if name.split(".")[0] in ("api", "search", "billing")} - {
        "api.db", "api.models", "api.errors"}
    assert features == set()
