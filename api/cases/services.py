"""Case verbs: take in a case, read it, list the caller's cases, match it to specialists.

Every verb takes plain data and the caller's identity, checks permission through `permissions`,
writes an audit event in the caller's transaction and never commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.cases import consent
from api.cases.matching import match_for_case
from api.errors import Forbidden, NotFound
from api.models import Case, CaseCopy, CaseStatus, Plan, Role, Urgency, User
from api.pagination import Page, paginate
from api.unit_of_work import UnitOfWork
from search.backends.base import MatchResult
from search.case import MatchCase


def create_case(work: UnitOfWork, identity: Identity, data: dict, reason: str | None) -> Case:
    """Take in a case from its patient, or from a referring physician who invites the patient by e-mail."""
    session = work.session
    patient_data = data["patient"]
    case = Case(
        created_by_user_id=identity.user_id,
        patient_user_id=_patient_account(session, identity, patient_data),
        status=CaseStatus.OPEN,
        patient_name=patient_data["name"],
        patient_birth_date=patient_data["birth_date"],
        patient_sex=patient_data["sex"],
        patient_zip=patient_data["zip"],
        conditions=[{"system": s, "code": c} for s, c in data["conditions"]],
        specialty=data.get("specialty"),
        urgency=Urgency(data["urgency"]),
        questions=data["questions"],
        goals=data["goals"],
        second_opinion_reasons=data["reasons"],
        reason_note=data.get("reason_note"),
    )
    first = data["first_physician"]
    case.first_physician_name, case.first_physician_npi = first.get("name"), first.get("npi")
    case.first_physician_institution = first.get("institution")
    case.first_diagnosis, case.proposed_treatment = first["diagnosis"], first.get("proposed_treatment")
    _apply_insurance(session, case, data["insurance"])
    preferences = data["preferences"]
    case.languages, case.telehealth_ok = preferences["languages"], preferences["telehealth"]
    case.preferred_zip, case.max_distance_mi = preferences.get("zip"), preferences.get("max_distance_mi")
    case.copies = [CaseCopy(user_id=user_id) for user_id in _copied_physicians(session, identity, data)]
    session.add(case)
    session.flush()
    audit(session, identity, "case.create", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    if case.patient_user_id is None:
        consent.invite(work, identity, case, patient_data["email"])
    return case


def _patient_account(session: Session, identity: Identity, patient: dict) -> int | None:
    """The patient's own account, or None: a physician's case waits for the invited patient to accept it."""
    if identity.role is Role.PATIENT:
        if patient.get("user_id") not in (None, identity.user_id) or (
            patient.get("email")
            and patient["email"].lower() != getattr(session.get(User, identity.user_id), "email", None)
        ):
            raise Forbidden("A patient opens cases for themself only.", field="patient")
        return identity.user_id
    # No lookup at all: the answer must not depend on whether the address has an account.
    if patient.get("user_id") is not None or not patient.get("email"):
        raise Forbidden("Invite the patient by e-mail (patient.email); they accept the case themself.", field="patient")
    return None


def _apply_insurance(session: Session, case: Case, insurance: dict) -> None:
    case.self_pay = insurance["self_pay"]
    if not case.self_pay:
        if session.get(Plan, insurance["plan_id"]) is None:
            raise NotFound(f"No plan {insurance['plan_id']}.", field="insurance")
        case.plan_id, case.member_id = insurance["plan_id"], insurance["member_id"]
        case.prior_authorization_number = insurance.get("prior_authorization_number")


def _copied_physicians(session: Session, identity: Identity, data: dict) -> list[int]:
    ids = sorted(set(data.get("copied_physician_ids", ())) - {identity.user_id})
    if not ids:
        return []
    found = session.scalars(select(User.id).where(User.id.in_(ids), User.role == Role.REFERRING_PHYSICIAN)).all()
    if len(found) != len(ids):
        raise NotFound(
            "No referring physician's account has one of copied_physician_ids.", field="copied_physician_ids"
        )
    return ids


def read_case(work: UnitOfWork, identity: Identity, case_id: int, reason: str | None) -> Case:
    """A case the caller is a party to."""
    case, _ = permissions.authorize(work.session, identity, case_id, "case.read", reason)
    audit(work.session, identity, "case.read", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return case


def list_cases(work: UnitOfWork, identity: Identity, page: int, page_size: int, reason: str | None) -> Page[Case]:
    """The cases the caller may see; each one listed is an audited read."""
    if identity.role is Role.ADMIN and not reason:
        raise Forbidden("Support access to cases needs a reason: send it in the X-Access-Reason header.")
    session = work.session
    where = permissions.visible_cases_clause(identity)
    cases = paginate(session, select(Case).where(where).order_by(Case.id.desc()), page, page_size)
    for case in cases.items:
        audit(session, identity, "case.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return cases


def match_case(
    work: UnitOfWork, identity: Identity, case_id: int, limit: int, reason: str | None
) -> tuple[MatchCase, MatchResult]:
    """Specialists for the case, never its first physician or their institution."""
    case, _ = permissions.authorize(work.session, identity, case_id, "case.match", reason)
    audit(work.session, identity, "case.match", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return match_for_case(work.session, case, limit=limit)
