"""Referral verbs: send a case to specialists, move a referral through its states, read its status."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import case_permissions as permissions
from api.accounts.invitations import invite_referred
from api.accounts.links import LinkSettings
from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import Party
from api.cases import referral_states
from api.cases.matching import first_physician_exclusions
from api.cases.notifications import REFERRAL_STATUS_CHANGED, notify
from api.db import utcnow
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.models import Case, Plan, PlanBenefit, PlanType, Referral, ReferralEvent, ReferralStatus, Specialist
from api.unit_of_work import UnitOfWork

# Without a plan benefit on file, these plan types need a physician's referral (as the coverage rules say).
REFERRAL_REQUIRED_TYPES = frozenset({PlanType.HMO, PlanType.POS, PlanType.MEDICARE_ADVANTAGE, PlanType.MEDICAID})


def self_referral_allowed(session: Session, case: Case) -> bool:
    """Whether the patient may send the case themself: self-pay, or a plan that needs no referral."""
    if case.self_pay:
        return True
    benefit = session.get(PlanBenefit, case.plan_id)
    if benefit is not None:
        return not benefit.referral_required
    plan = session.get(Plan, case.plan_id)
    return plan is not None and plan.plan_type not in REFERRAL_REQUIRED_TYPES


def send_referrals(
    work: UnitOfWork, identity: Identity, case_id: int, data: dict, reason: str | None
) -> list[Referral]:
    """Refer the case to each named specialist (as drafts, or sent at once)."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "referral.send", reason)
    if party is Party.PATIENT and not self_referral_allowed(session, case):
        raise Forbidden("Your plan needs a referral: ask your referring physician to send this case.")
    referrals = []
    for specialist_id in _referable(session, case, data["specialist_ids"]):
        referral = Referral(
            case_id=case.id,
            specialist_id=specialist_id,
            sent_by_user_id=identity.user_id,
            status=ReferralStatus.DRAFT,
            note=data.get("note"),
            info_needed=[],
        )
        session.add(referral)
        session.flush()
        _record(work, identity, referral, "create", None)
        audit(
            session,
            identity,
            "referral.create",
            case_id=case.id,
            entity_type="referral",
            entity_id=referral.id,
            reason=reason,
        )
        if data["send"]:
            _apply(work, identity, referral, referral_states.check("send", referral.status, None), {}, reason)
        referrals.append(referral)
    return referrals


def _referable(session: Session, case: Case, specialist_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(specialist_ids))
    found = {row.id: row for row in session.scalars(select(Specialist).where(Specialist.id.in_(ids)))}
    first, _ = first_physician_exclusions(session, case)
    open_ = set(
        session.scalars(
            select(Referral.specialist_id).where(
                Referral.case_id == case.id, Referral.status.not_in(referral_states.TERMINAL)
            )
        )
    )
    for specialist_id in ids:
        if specialist_id not in found:
            raise NotFound(f"Specialist {specialist_id} is not in the directory.", field="specialist_ids")
        if not found[specialist_id].accepts_second_opinions:
            raise Conflict(f"Specialist {specialist_id} takes no second opinions now.", field="specialist_ids")
        if specialist_id in first:
            raise Invalid("A second opinion cannot come from the first physician.", field="specialist_ids")
        if specialist_id in open_:
            raise Conflict(f"The case is already referred to specialist {specialist_id}.")
    return ids


def transition(work: UnitOfWork, identity: Identity, referral_id: int, data: dict, reason: str | None) -> Referral:
    """Do one action of the state table on a referral, as its sender side or its specialist."""
    referral, party = permissions.authorize_referral(work.session, identity, referral_id, "referral.transition", reason)
    step = referral_states.TRANSITIONS[data["action"]]
    wanted = Party.SPECIALIST if step.side == referral_states.RECIPIENT else None
    if (wanted is Party.SPECIALIST) != (party is Party.SPECIALIST):
        who = "the receiving specialist" if wanted else "the patient or the referring physicians"
        raise Forbidden(f"Only {who} may {step.action.replace('_', ' ')} this referral.")
    if step.action == "send" and party is Party.PATIENT and not self_referral_allowed(work.session, referral.case):
        raise Forbidden("Your plan needs a referral: ask your referring physician to send this case.")
    step = referral_states.check(step.action, referral.status, referral.business_status)
    if step.needs_reason and not data.get("reason"):
        raise Invalid(f"Say why you {step.action} the referral.", field="reason")
    if step.action == "request_info" and not data.get("needed"):
        raise Invalid("Name the records you need.", field="needed")
    _apply(work, identity, referral, step, data, reason)
    return referral


def complete(work: UnitOfWork, identity: Identity, referral: Referral, reason: str | None) -> None:
    """Mark a referral completed (its opinion has just been delivered)."""
    _apply(
        work,
        identity,
        referral,
        referral_states.check("complete", referral.status, referral.business_status),
        {},
        reason,
    )


def withdraw_unanswered(work: UnitOfWork, identity: Identity, case: Case, why: str) -> list[Referral]:
    """When the case closes, cancel each referral still waiting on its specialist (draft to accepted),
    so that it leaves their inbox and they are told. A scheduled consultation stays: it is the
    patient's booking, cancelled (and refunded) from the booking itself."""
    cancel = referral_states.TRANSITIONS["cancel"]
    waiting = [r for r in case.referrals if r.status in cancel.sources and r.status is not ReferralStatus.SCHEDULED]
    for referral in waiting:
        _apply(work, identity, referral, cancel, {"reason": why}, None)
    return waiting


def _apply(
    work: UnitOfWork,
    identity: Identity,
    referral: Referral,
    step: referral_states.Transition,
    data: dict,
    access_reason: str | None,
) -> None:
    previous = referral.status
    referral.status, referral.business_status = step.target, step.business_status
    if step.action == "request_info":
        referral.info_needed = list(data["needed"])
    elif step.action == "reject":
        referral.decision_reason = data["reason"]
    elif step.action == "schedule":
        referral.scheduled_for = data.get("scheduled_for")
    elif step.action == "send":  # a specialist with no account yet is invited to claim their profile
        invite_referred(work, LinkSettings.from_config(current_app.config), identity, [referral.specialist_id])
    _record(work, identity, referral, step.action, previous, data.get("reason"))
    audit(
        work.session,
        identity,
        f"referral.{step.action}",
        case_id=referral.case_id,
        entity_type="referral",
        entity_id=referral.id,
        reason=access_reason,
    )


def _record(
    work: UnitOfWork,
    identity: Identity,
    referral: Referral,
    action: str,
    previous: ReferralStatus | None,
    why: str | None = None,
) -> None:
    # Every status change: an event with its actor and time, and a notification in the same transaction.
    referral.events.append(
        ReferralEvent(
            actor_user_id=identity.user_id,
            action=action,
            from_status=previous,
            to_status=referral.status,
            business_status=referral.business_status,
            reason=why,
            at=utcnow(),
        )
    )
    notify(work, REFERRAL_STATUS_CHANGED, referral.id, referral.status.value, referral.business_status)


def read_referral(work: UnitOfWork, identity: Identity, referral_id: int, reason: str | None) -> Referral:
    """A referral with its history; the specialist's first read marks it received."""
    referral, party = permissions.authorize_referral(work.session, identity, referral_id, "referral.read", reason)
    audit(
        work.session,
        identity,
        "referral.read",
        case_id=referral.case_id,
        entity_type="referral",
        entity_id=referral.id,
        reason=reason,
    )
    if party is Party.SPECIALIST and referral.status is ReferralStatus.REQUESTED:
        _apply(work, identity, referral, referral_states.check("receive", referral.status, None), {}, reason)
    return referral


def list_referrals(work: UnitOfWork, identity: Identity, case_id: int, reason: str | None) -> list[Referral]:
    """The case's referrals (a specialist sees only their own)."""
    case, party = permissions.authorize(work.session, identity, case_id, "referral.read", reason)
    audit(
        work.session, identity, "referral.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason
    )
    if party is Party.SPECIALIST:
        return [r for r in case.referrals if r.specialist_id == identity.specialist_id]
    return list(case.referrals)
