"""Demo logins, one per role, for trying the API on a seeded directory.

Demo only: these passwords are published in the README and printed by `secondlook demo-accounts`,
so they must never exist on a deployment that holds real data. The `.test` domain is reserved
(RFC 2606) and can never receive mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.services import create_user
from api.identifiers import make_npi
from api.models import Role, Specialist, User

DEMO_DOMAIN = "demo.secondlook.test"
# The demo referring physician's NPI: valid, and not meant to match any directory entry.
DEMO_REFERRER_NPI = make_npi(199_990_001)


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: its role, e-mail, (public) password and the name shown for it."""

    role: Role
    email: str
    password: str
    display_name: str


def _account(role: Role, display_name: str) -> DemoAccount:
    slug = role.value.replace("_", "-")
    return DemoAccount(role, f"{slug}@{DEMO_DOMAIN}", f"demo-{slug}-pass", display_name)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    _account(Role.PATIENT, "Demo Patient"),
    _account(Role.REFERRING_PHYSICIAN, "Dr. Demo Referrer"),
    _account(Role.SPECIALIST, "Dr. Demo Specialist"),
    _account(Role.ADMIN, "Demo Administrator"),
)


def ensure_demo_accounts(session: Session) -> list[User]:
    """Create the demo accounts that are missing and link the specialist one; returns those created.

    The caller commits. The specialist account is tied to the first synthetic specialist, once one exists.
    """
    first_synthetic = session.scalar(
        select(Specialist.id).where(Specialist.data_source == "synthetic").order_by(Specialist.id).limit(1)
    )
    existing = {
        u.email: u for u in session.scalars(select(User).where(User.email.in_([a.email for a in DEMO_ACCOUNTS])))
    }
    created = []
    for account in DEMO_ACCOUNTS:
        user = existing.get(account.email)
        if user is None:
            user = create_user(
                session,
                email=account.email,
                password=account.password,
                role=account.role,
                display_name=account.display_name,
                npi=DEMO_REFERRER_NPI if account.role is Role.REFERRING_PHYSICIAN else None,
            )
            created.append(user)
        if account.role is Role.SPECIALIST and user.specialist_id is None:
            user.specialist_id = first_synthetic
    return created
