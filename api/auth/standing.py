"""The one place that says which accounts may act on cases yet.

An account signs in as soon as it exists, but until it is in good standing it may only manage
itself (the endpoints marked `pending_ok`: who am I, log out, the /v1/accounts/me endpoints).
Every other signed-in endpoint (cases, case invitations, referrals, records, opinions, bookings,
administration) answers 403 with the reason below:
- an e-mail address nobody has confirmed (self-registered accounts until the link is followed);
- a referring physician whose NPI no administrator has verified: they cannot start cases or send
  referrals (nor see any, having started none).
Seeded, admin-made and invited-specialist accounts are verified from the start (an invitation
link proves the mailbox).
"""

from __future__ import annotations

from api.auth.services import Identity
from api.errors import Forbidden
from api.models import Role

UNVERIFIED_EMAIL = (
    "Confirm your e-mail address first: follow the link we sent you "
    "(POST /v1/accounts/me/verification-email sends a new one)."
)
UNVERIFIED_PHYSICIAN = (
    "An administrator has not verified your NPI yet; you can start cases and send "
    "referrals once they have (GET /v1/auth/me shows when)."
)


def standing_problem(identity: Identity) -> str | None:
    """Why this account may not act on cases yet, or None when it may."""
    if not identity.email_verified:
        return UNVERIFIED_EMAIL
    if identity.role is Role.REFERRING_PHYSICIAN and not identity.physician_verified:
        return UNVERIFIED_PHYSICIAN
    return None


def require_standing(identity: Identity) -> None:
    """Raise 403 with the reason when the account is not in good standing."""
    problem = standing_problem(identity)
    if problem:
        raise Forbidden(problem)
