"""A consultation booked for a second opinion belongs to its case and referral.

A hold may name the referral it is for; it is accepted only from that case's patient, on a referral
its specialist has accepted (or scheduled), for a slot of that same specialist, while the case is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.services import Identity
from api.errors import Conflict, Invalid, NotFound
from api.models import Case, CaseStatus, Referral, ReferralStatus, Slot

BOOKABLE = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.SCHEDULED})


@dataclass(frozen=True)
class ReferralLink:
    """The case and referral a booking is made for."""

    case_id: int
    referral_id: int


def link_for_hold(session: Session, identity: Identity, slot_id: int, referral_id: int | None) -> ReferralLink | None:
    """The link a hold on `slot_id` may carry.

    Or NotFound (not yours), Conflict (not bookable), Invalid (wrong slot).
    """
    if referral_id is None:
        return None
    referral = session.get(Referral, referral_id)
    case = session.get(Case, referral.case_id) if referral is not None else None
    if referral is None or case is None or case.patient_user_id != identity.user_id:
        raise NotFound(f"No referral {referral_id} on a case of yours.")
    if case.status is CaseStatus.CLOSED:
        raise Conflict("This case is closed: the patient has recorded their decision.")
    if referral.status not in BOOKABLE:
        raise Conflict(f"Book once the specialist has accepted the referral; it is {referral.status.value}.")
    slot_specialist = session.scalar(select(Slot.specialist_id).where(Slot.id == slot_id))
    if slot_specialist is not None and slot_specialist != referral.specialist_id:
        raise Invalid("That slot is with another specialist than the referral's.", field="referral_id")
    return ReferralLink(case_id=case.id, referral_id=referral.id)
