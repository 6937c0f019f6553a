"""`Idempotency-Key` for any POST: a retry gets the first answer back and creates nothing new.

The first request with a key inserts a record (the unique (scope, key) pair decides between
racing duplicates), runs, and stores its answer. A retry with the same key and body replays the
stored answer; with another body it is refused (422); while the first still runs, 409. A 5xx
answer is not stored, so a retry after the failure runs again (the services resume the work the
first attempt left, e.g. the booking it already holds).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
from typing import Any, cast

from flask import Response, json, request
from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from api.db import db, utcnow
from api.errors import PROBLEM_MIMETYPE, BadRequest, Conflict, DomainError, Invalid, problem_of
from api.models import IdempotencyRecord
from api.unit_of_work import unit_of_work

HEADER = "Idempotency-Key"
LEASE = timedelta(minutes=2)
RETENTION = timedelta(hours=24)
_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Makes a retry safe: the same key (and body) within 24 h returns the first answer.",
}


def idempotent(blp):
    """Decorate a view (inside `secured`) so that it honours the Idempotency-Key header."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                return view(*args, **kwargs)
            if len(key) > 255:
                raise BadRequest(f"{HEADER} is at most 255 characters.")
            identity = kwargs.get("identity")
            scope = f"user:{identity.user_id}" if identity else "anonymous"
            replay = _begin(scope, key)
            if replay is not None:
                return replay
            return _run_and_store(scope, key, view, args, kwargs)

        documented = blp.alt_response(400, description=f"{HEADER} longer than 255 characters")(wrapper)
        documented = blp.alt_response(409, description=f"A request with this {HEADER} is still running")(documented)
        documented = blp.alt_response(422, description=f"This {HEADER} was used with another body")(documented)
        return blp.doc(parameters=[_DOC])(documented)

    return decorator


def forget_old(session, now) -> int:
    """Delete the records past their retention (a step of the expire-holds sweep's unit of work)."""
    return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION)).rowcount


def _fingerprint() -> str:
    return hashlib.sha256(
        b"\n".join([request.method.encode(), request.full_path.encode(), request.get_data()])
    ).hexdigest()


def _begin(scope: str, key: str) -> Response | None:
    """Claim the key, or answer for it: a stored replay, 422 for another body, 409 while it runs.

    The claim is a unit of work of its own, committed before the view runs its own.
    """
    now, fingerprint = utcnow(), _fingerprint()
    try:
        with unit_of_work() as uow:
            uow.session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.scope == scope,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.created_at < now - RETENTION,
                )
            )
            uow.session.add(
                IdempotencyRecord(
                    scope=scope,
                    key=key,
                    method_path=f"{request.method} {request.path}",
                    request_sha256=fingerprint,
                    locked_until=now + LEASE,
                )
            )
        return None
    except IntegrityError:
        pass  # the key is known: replay its answer, or take it over if its lease ran out
    with unit_of_work() as uow:  # the read below and the claim after it are one write transaction
        record = uow.session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        )
        if record is None or record.request_sha256 != fingerprint or record.response_status is not None:
            stored = None if record is None else (record.request_sha256, record.response_status, record.response_body)
            return _answer_for(stored, fingerprint)
        claimed = cast(
            CursorResult,
            uow.session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.id == record.id,
                    IdempotencyRecord.response_status.is_(None),
                    or_(IdempotencyRecord.locked_until.is_(None), IdempotencyRecord.locked_until < now),
                )
                .values(locked_until=now + LEASE)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
    if not claimed:
        raise Conflict(f"A request with this {HEADER} is still being processed; retry shortly.")
    return None


def _answer_for(stored: tuple | None, fingerprint: str) -> Response:
    """The replay of a stored answer; 422 when the key came with another request, 409 if it just vanished."""
    if stored is None:
        raise Conflict(f"A request with this {HEADER} is being processed; retry shortly.")
    request_sha256, status, body = stored
    if request_sha256 != fingerprint:
        raise Invalid(f"This {HEADER} was used with a different request; use a new key.")
    response = Response(
        json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE if status >= 400 else "application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _run_and_store(scope: str, key: str, view, args, kwargs) -> Response:
    try:
        response = view(*args, **kwargs)
    except (HTTPException, DomainError) as error:
        response = problem_of(error)
    except Exception:
        _finish(scope, key, None)
        raise
    _finish(scope, key, response)
    return response


def _finish(scope: str, key: str, response: Response | None) -> None:
    """Store a final answer (2xx-4xx) or let go of the key so that a retry runs again (5xx)."""
    db.session.rollback()  # whatever the view left uncommitted is not part of its answer
    keep = response is not None and response.status_code < 500
    values: dict[str, Any] = {"locked_until": None}
    if keep and response is not None:
        values.update(response_status=response.status_code, response_body=response.get_json(silent=True))
    with unit_of_work() as uow:
        uow.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
