"""Insurance refusals: record a denial on a case (which then goes self-pay) and draft the appeal letter.

A formal appeal is often the way through: the letter asks for an internal appeal and, failing
that, an external review, and argues from the denial's stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import Party, authorize
from api.errors import Forbidden, Invalid, NotFound
from api.models import Case, DenialReason, InsuranceDenial, Plan, Specialist
from reference import conditions as catalogue

_ARGUMENT = {
    DenialReason.NOT_MEDICALLY_NECESSARY: (
        "An independent review of the diagnosis and the treatment plan by a specialist experienced in this "
        "condition is medically necessary before I start treatment: the decision is serious, and an error in "
        "the diagnosis or the plan would be costly to my health and to the plan."
    ),
    DenialReason.OUT_OF_NETWORK: (
        "No in-network specialist within a reasonable distance has comparable experience with this condition."
        " I ask the plan to approve this consultation as an in-network exception, as its network cannot "
        "provide the expertise the condition requires."
    ),
    DenialReason.NO_REFERRAL: (
        "My physician supports this second opinion and the referral is enclosed; I ask that it be applied to "
        "this consultation."
    ),
    DenialReason.NO_PRIOR_AUTHORIZATION: (
        "I ask the plan to grant authorization for this consultation, retroactively if need be; the clinical "
        "reasons are set out above and in the enclosed records."
    ),
    DenialReason.EXPERIMENTAL: (
        "The service requested is a specialist consultation, a standard evaluation, not an experimental or "
        "investigational treatment."
    ),
    DenialReason.NOT_A_COVERED_BENEFIT: (
        "Specialist consultations are a covered benefit of my plan, and a second opinion is a specialist "
        "consultation; I ask the plan to show the exclusion it relies on, or to cover the visit."
    ),
    DenialReason.OTHER: "I believe the denial is mistaken for the reasons above, and ask the plan to reconsider it.",
}


@dataclass(frozen=True)
class AppealLetter:
    """A drafted appeal, for the patient to review, sign and send."""

    subject: str
    body: str


def _party(session: Session, identity: Identity, case_id: int, reason: str | None, *, write: bool) -> Case:
    case, party = authorize(session, identity, case_id, "case.read", reason)
    if write and party not in (Party.PATIENT, Party.REFERRER):
        raise Forbidden("Only the patient or their referring physician records a denial.")
    return case


def record_denial(
    session: Session, identity: Identity, case_id: int, data: dict, reason: str | None
) -> InsuranceDenial:
    """Record the insurer's refusal; the case moves to the self-pay path (an appeal may still follow)."""
    case = _party(session, identity, case_id, reason, write=True)
    if data["denied_on"] > date.today():
        raise Invalid("A denial cannot be dated in the future.", field="denied_on")
    denial = InsuranceDenial(
        case_id=case.id,
        plan_id=case.plan_id,
        reason=data["reason"],
        reason_detail=data.get("reason_detail"),
        denied_on=data["denied_on"],
        reference=data["reference"],
        recorded_by_user_id=identity.user_id,
    )
    session.add(denial)
    case.self_pay = True
    session.flush()
    audit(session, identity, "denial.record", case_id=case.id, entity_type="denial", entity_id=denial.id, reason=reason)
    return denial


def list_denials(session: Session, identity: Identity, case_id: int, reason: str | None) -> list[InsuranceDenial]:
    """A case's denials, oldest first."""
    case = _party(session, identity, case_id, reason, write=False)
    audit(session, identity, "denial.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return list(
        session.scalars(select(InsuranceDenial).where(InsuranceDenial.case_id == case.id).order_by(InsuranceDenial.id))
    )


def appeal_letter(
    session: Session, identity: Identity, case_id: int, denial_id: int, reason: str | None, today: date
) -> AppealLetter:
    """Draft the appeal of one denial from the case: diagnosis, treatment, the denial's reason, the asks."""
    case = _party(session, identity, case_id, reason, write=False)
    denial = session.get(InsuranceDenial, denial_id)
    if denial is None or denial.case_id != case.id:
        raise NotFound(f"No denial {denial_id} on case {case_id}.")
    audit(
        session,
        identity,
        "denial.appeal_letter",
        case_id=case.id,
        entity_type="denial",
        entity_id=denial.id,
        reason=reason,
    )
    plan = session.get(Plan, denial.plan_id) if denial.plan_id else None
    subject = f"Appeal of denied second-opinion consultation, reference {denial.reference}"
    return AppealLetter(subject, "\n\n".join(_paragraphs(session, case, denial, plan, subject, today)))


def _condition_names(case: Case) -> str:
    names = []
    for item in case.conditions or ():
        found = catalogue.lookup(item["system"], item["code"])
        names.append(f"{found.name if found else 'condition'} ({item['system']} {item['code']})")
    return "; ".join(names)


def _specialists(session: Session, case: Case) -> str:
    ids = [r.specialist_id for r in case.referrals if r.specialist_id is not None]
    rows = session.scalars(select(Specialist).where(Specialist.id.in_(ids))).all() if ids else []
    return ", ".join(f"Dr. {s.first_name} {s.last_name}{', ' + s.credentials if s.credentials else ''}" for s in rows)


def _paragraphs(
    session: Session, case: Case, denial: InsuranceDenial, plan: Plan | None, subject: str, today: date
) -> list[str]:
    payer = plan.payer.name if plan else "[Insurer]"
    diagnosis = _condition_names(case) or case.first_diagnosis
    specialists = _specialists(session, case)
    urgent = case.urgency.value != "routine"
    paragraphs = [
        today.strftime("%B %d, %Y"),
        f"{payer}\nAppeals Department",
        f"Re: {subject}\nMember: {case.patient_name}, born {case.patient_birth_date:%B %d, %Y}\n"
        f"Member ID: {case.member_id or '[member ID]'}\nPlan: {plan.name if plan else '[plan]'}",
        "To whom it may concern:",
        f"I am writing to appeal your decision of {denial.denied_on:%B %d, %Y} (reference {denial.reference}) "
        "to deny coverage of a second-opinion consultation with a specialist"
        + (f" ({specialists})" if specialists else "")
        + ".",
        f"I have been diagnosed with {diagnosis}. My physician's assessment: {case.first_diagnosis}."
        + (f" The proposed treatment is: {case.proposed_treatment}." if case.proposed_treatment else ""),
        f"The stated reason for the denial was: {denial.reason.value.replace('_', ' ')}"
        + (f' ("{denial.reason_detail}")' if denial.reason_detail else "")
        + ". "
        + _ARGUMENT[denial.reason],
        "I request an internal appeal of this decision"
        + (" and, because a delay could seriously harm my health, an expedited review" if urgent else "")
        + ". If the denial is upheld, I request an external review by an independent review organization, "
        "as provided for under the Affordable Care Act (45 CFR 147.136). Please send me the criteria and "
        "any documents the decision relied on.",
        "Enclosed: the denial notice, my physician's referral and the relevant medical records.",
        f"Sincerely,\n\n{case.patient_name}",
    ]
    return paragraphs
