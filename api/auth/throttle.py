"""Wrong-password throttling that slows an attacker, never tells whether an account exists, and
cannot be used to shut an owner out for long.

- Counters live in the database (`login_throttle`), so every worker sees the same ones.
- Two counters per attempt: one for the e-mail (a digest of it: the row exists whether or not there
  is an account, so the answers for real and unknown e-mails are the same) and one for the client
  address (over every e-mail it tries).
- Past the free failures, each further failure blocks that counter for LOGIN_BACKOFF_BASE_S
  seconds, doubling, up to LOGIN_LOCKOUT_S: exponential back-off rather than a fixed lock.
- While blocked, attempts are answered 429 with Retry-After without checking the password.
- A completed password reset clears the e-mail's counter, so a verified owner can always get in;
  a success clears it too. A counter starts again once its last failure is LOGIN_LOCKOUT_S old.

The counters are written in a transaction of their own: they must stay counted when the login
request itself rolls back (a wrong password is a 401, a DomainError).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.db import as_utc, utcnow
from api.models import LoginThrottle
from api.unit_of_work import unit_of_work


@dataclass(frozen=True)
class ThrottlePolicy:
    """Free failures per e-mail and per address, the first block and the longest one."""

    email_free: int = 5
    address_free: int = 20
    base_s: int = 2
    cap_s: int = 15 * 60

    def block_s(self, failures: int, free: int) -> int:
        """How long `failures` in a row block a counter that allows `free` of them."""
        if failures < free:
            return 0
        return min(self.cap_s, self.base_s * 2 ** min(failures - free, 30))

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        """The policy the configuration sets."""
        return cls(
            config["LOGIN_MAX_FAILURES"],
            config["LOGIN_ADDRESS_MAX_FAILURES"],
            config["LOGIN_BACKOFF_BASE_S"],
            config["LOGIN_LOCKOUT_S"],
        )


def email_key(email: str) -> str:
    """The counter key of an e-mail (a digest: mistyped e-mails are not stored in clear)."""
    return hashlib.sha256(f"email:{email.strip().lower()}".encode()).hexdigest()


def address_key(address: str) -> str:
    """The counter key of a client address."""
    return hashlib.sha256(f"addr:{address}".encode()).hexdigest()


class Throttle:
    """The counters of one login attempt: the e-mail's and the address's."""

    def __init__(
        self, new_session: Callable[[], Session], policy: ThrottlePolicy, email: str, address: str | None
    ) -> None:
        self.new_session, self.policy = new_session, policy
        self.keys = {email_key(email): policy.email_free}
        if address:
            self.keys[address_key(address)] = policy.address_free

    def retry_after(self) -> int:
        """Seconds until both counters allow an attempt; 0 when they do now."""
        now = utcnow()
        with self.new_session() as session:
            until = session.scalars(
                select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(list(self.keys)))
            ).all()
        waits = [(as_utc(moment) - now).total_seconds() for moment in until if moment is not None]
        return max([0, *(math.ceil(w) for w in waits if w > 0)])

    def failed(self) -> None:
        """Count a wrong password on both counters and block those past their free failures."""
        now = utcnow()
        stale = now - timedelta(seconds=self.policy.cap_s)
        with self.new_session() as session, unit_of_work(session) as uow:
            for key, free in self.keys.items():
                failures = _increment(uow.session, key, now, stale)
                block = self.policy.block_s(failures, free)
                if block:
                    uow.session.get_one(LoginThrottle, key).blocked_until = now + timedelta(seconds=block)

    def succeeded(self) -> None:
        """The right password: the e-mail's counter starts again (the address's does not)."""
        clear_email(self.new_session, next(iter(self.keys)))


def clear_email(new_session: Callable[[], Session], key: str) -> None:
    """Forget an e-mail's failures (after a success or a completed password reset)."""
    with new_session() as session, unit_of_work(session) as uow:
        row = uow.session.get(LoginThrottle, key)
        if row is not None:
            uow.session.delete(row)


def _increment(session: Session, key: str, now: datetime, stale: datetime) -> int:
    # One statement, so two failures arriving together on two workers both count.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(LoginThrottle).values(key=key, failures=1, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": case((LoginThrottle.updated_at < stale, 1), else_=LoginThrottle.failures + 1),
            "updated_at": now,
        },
    )
    session.execute(statement)
    return session.execute(select(LoginThrottle.failures).where(LoginThrottle.key == key)).scalar_one()
