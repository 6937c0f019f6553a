"""A small directory for the contract run: one account per role, specialists, a plan, slots and cases.

Ids start at 1 in every table of a fresh test database, so generated path ids (small integers
are among the first ones hypothesis tries) reach real rows some of the time.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from api.models import ReferralStatus, Role, User
from tests.cases.factories import make_account, make_authorization, make_case, make_referral
from tests.factories import make_specialist
from tests.payments_support import make_bookable, make_plan


def seed_directory(session: Session) -> dict[Role, User]:
    """Write the directory and return one account per role (the session is committed)."""
    network, plan = make_plan(session)
    specialists = [make_specialist(session, networks=[network], self_pay_price_cents=40_000),
                   make_specialist(session, specialty="207RH0003X", telehealth=True)]
    session.flush()
    bookable, _ = make_bookable(session, slots=3, networks=[network])
    accounts = {role: make_account(session, role) for role in Role}
    accounts[Role.SPECIALIST].specialist_id = specialists[0].id
    for role in Role:
        case = make_case(session, creator=accounts[role], patient=accounts[Role.PATIENT],
                         plan=plan if role is Role.PATIENT else None)
        make_referral(session, case, specialists[0], status=ReferralStatus.REQUESTED)
        make_authorization(session, case, specialists[0])
    make_referral(session, case, bookable, status=ReferralStatus.ACCEPTED)
    session.commit()
    return accounts
