"""Factories for case tests: accounts with ready bearer tokens, cases, referrals, authorizations, documents.

Accounts get a token written straight to the database: hashing a password costs half a second,
and these tests are about cases, not logins (tests/api/test_auth.py covers those).
"""
from __future__ import annotations

import hashlib
import io
import itertools
import secrets
from datetime import date, timedelta

from api.cases.storage import LocalFolderStorage
from api.db import utcnow
from api.models import (
    AccessToken, Case, CaseCopy, RecordDocument, RecordKind, RecordsAuthorization, Referral, ReferralStatus, Role,
    Urgency, User,
)
from tests.factories import make_specialist
from tests.sample_files import DICOM, JPEG, PDF, PNG, ZIP  # noqa: F401 (real documents; tests import them from here)

_seq = itertools.count(1)
RARE = ("ORPHA", "520")  # acute promyelocytic leukaemia


def make_account(session, role: Role, *, specialist=None, email: str | None = None) -> User:
    """An account that cannot log in by password (use `bearer`)."""
    n = next(_seq)
    user = User(email=email or f"{role.value}{n}@cases.test", password_hash="!no-password-login",
                role=role, display_name=f"{role.value} {n}",
                specialist_id=specialist.id if specialist is not None else None)
    session.add(user)
    session.flush()
    return user


def bearer(session, user: User) -> dict:
    """Authorization headers with a live token for `user`."""
    token = secrets.token_urlsafe(24)
    session.add(AccessToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                            expires_at=utcnow() + timedelta(hours=1)))
    return {"Authorization": f"Bearer {token}"}


def make_case(session, *, creator: User, patient: User, plan=None, conditions=(RARE,), copied=(),
              first_npi: str | None = None, questions=("Is induction chemotherapy needed?",), **kw) -> Case:
    """A case as intake would store it (self-pay unless a plan is given)."""
    case = Case(created_by_user_id=creator.id, patient_user_id=patient.id, patient_name="Pat Example",
                patient_birth_date=date(1980, 5, 17), patient_sex="female", patient_zip="10001",
                conditions=[{"system": s, "code": c} for s, c in conditions], first_diagnosis="APL",
                proposed_treatment="ATRA plus chemotherapy", second_opinion_reasons=["rare_condition"],
                urgency=Urgency.SOON, plan_id=plan.id if plan else None, member_id="M123" if plan else None,
                self_pay=plan is None, questions=list(questions), goals=[], languages=[],
                first_physician_npi=first_npi, copies=[CaseCopy(user_id=u.id) for u in copied], **kw)
    session.add(case)
    session.flush()
    return case


def make_referral(session, case: Case, specialist, status: ReferralStatus = ReferralStatus.REQUESTED,
                  sender: User | None = None) -> Referral:
    """A referral already in `status` (no history: these tests start mid-way)."""
    referral = Referral(case_id=case.id, specialist_id=specialist.id, status=status, info_needed=[],
                        sent_by_user_id=sender.id if sender else case.created_by_user_id)
    session.add(referral)
    session.flush()
    return referral


def make_referred_case(session, status: ReferralStatus = ReferralStatus.ACCEPTED) -> tuple[Case, User]:
    """A case a referring physician sent to a new specialist (referral in `status`); (case, the referrer)."""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    specialist = make_specialist(session)
    session.flush()
    case = make_case(session, creator=referrer, patient=patient)
    make_referral(session, case, specialist, status)
    return case, referrer


def make_authorization(session, case: Case, specialist, *, scope=("all",), days: int = 30) -> RecordsAuthorization:
    """The patient's authorization for `specialist` (negative `days`: already expired)."""
    row = RecordsAuthorization(case_id=case.id, granted_by_user_id=case.patient_user_id,
                               recipient_specialist_id=specialist.id, scope=list(scope),
                               expires_at=utcnow() + timedelta(days=days))
    session.add(row)
    session.flush()
    return row


def make_document(session, app, case: Case, kind: RecordKind = RecordKind.LABS, content: bytes = PDF) -> RecordDocument:
    """A stored document of the case's packet, in the app's records folder."""
    blob = LocalFolderStorage(app.config["RECORDS_DIR"]).put(io.BytesIO(content), len(content))
    document = RecordDocument(case_id=case.id, kind=kind, filename="labs.pdf", media_type=blob.media_type,
                              size_bytes=blob.size, sha256=blob.sha256, storage_key=blob.key)
    session.add(document)
    session.flush()
    return document


class RecordingTransport:
    """A mail transport that remembers every message as (to, subject, body)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, message) -> None:
        """Remember the message."""
        self.sent.append((message["To"], message["Subject"], message.get_content()))

    def token(self, index: int = -1) -> str:
        """The token of the link in a message (the latest by default)."""
        return self.sent[index][2].split("token=")[1].split()[0]


def case_body(**overrides) -> dict:
    """A valid POST /v1/cases body (self-pay, the rare condition); override any top-level field."""
    body = {
        "patient": {"name": "Pat Example", "birth_date": "1980-05-17", "sex": "female", "zip": "10001"},
        "conditions": [{"system": RARE[0], "code": RARE[1]}],
        "first_physician": {"name": "Dr. First", "diagnosis": "Acute promyelocytic leukemia",
                            "proposed_treatment": "ATRA plus chemotherapy"},
        "reasons": ["rare_condition"], "urgency": "soon", "insurance": {"self_pay": True},
        "questions": ["Is chemotherapy needed?"], "goals": ["Avoid chemotherapy if possible"],
        "preferences": {"languages": ["en"], "telehealth": True},
    }
    body.update(overrides)
    return body
