"""Second-opinion cases and what hangs on them: referrals, records, authorizations, opinions.

Health data lives only in these tables: it is never logged, indexed or put in a notification.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow
from api.models.insurance import Plan


def _enum(kind: type[enum.Enum]) -> Enum:
    """A portable VARCHAR enum column that stores the member values."""
    return Enum(kind, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Urgency(str, enum.Enum):
    """How soon the patient needs the opinion."""

    ROUTINE = "routine"
    SOON = "soon"
    EMERGENT = "emergent"


class ReferralStatus(str, enum.Enum):
    """FHIR Task status subset used for a referral's closed loop."""

    DRAFT = "draft"
    REQUESTED = "requested"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RecordKind(str, enum.Enum):
    """An item of the records packet checklist."""

    PATHOLOGY_REPORT = "pathology_report"
    PATHOLOGY_SLIDES = "pathology_slides"
    IMAGING = "imaging"
    LABS = "labs"
    CLINICAL_NOTES = "clinical_notes"
    MEDICATION_LIST = "medication_list"
    GENETIC_TESTING = "genetic_testing"
    OPERATIVE_REPORT = "operative_report"
    OTHER = "other"


class CaseStatus(str, enum.Enum):
    """Where a case stands: waiting for its patient's consent, open, or closed by the patient's decision."""

    INVITED = "invited"
    OPEN = "open"
    CLOSED = "closed"


class ChosenPath(str, enum.Enum):
    """The treatment path the patient chose once the opinions were in."""

    FIRST_PLAN = "first_plan"
    SECOND_OPINION = "second_opinion"
    TIE_BREAKER = "tie_breaker"


class Case(Base):
    """A patient's request for a second opinion, as taken in at intake."""

    __tablename__ = "patient_case"
    __table_args__ = (CheckConstraint("self_pay OR plan_id IS NOT NULL", name="insurance_or_self_pay"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    # None until the invited patient accepts the case (consent before it is shared).
    patient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.OPEN, server_default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Minimal demographics, kept here only.
    patient_name: Mapped[str] = mapped_column(String(200))
    patient_birth_date: Mapped[date] = mapped_column(Date)
    patient_sex: Mapped[str] = mapped_column(String(16))  # female | male | other | unknown
    patient_zip: Mapped[str] = mapped_column(String(5))
    conditions: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"system", "code"}]
    specialty: Mapped[str | None] = mapped_column(String(10))
    first_physician_name: Mapped[str | None] = mapped_column(String(200))
    first_physician_npi: Mapped[str | None] = mapped_column(String(10))
    first_physician_institution: Mapped[str | None] = mapped_column(String(200))
    first_diagnosis: Mapped[str] = mapped_column(Text)
    proposed_treatment: Mapped[str | None] = mapped_column(Text)
    second_opinion_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason_note: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency), default=Urgency.ROUTINE)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    member_id: Mapped[str | None] = mapped_column(String(64))
    # The plan's approval of this second opinion, as the patient or physician copied it from the letter.
    prior_authorization_number: Mapped[str | None] = mapped_column(String(64))
    self_pay: Mapped[bool] = mapped_column(Boolean, default=False)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    telehealth_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_zip: Mapped[str | None] = mapped_column(String(5))
    max_distance_mi: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan | None] = relationship()
    copies: Mapped[list[CaseCopy]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Referral.id"
    )
    invitation: Mapped[CaseInvitation | None] = relationship(cascade="all, delete-orphan", lazy="selectin")
    decision: Mapped[CaseDecision | None] = relationship(cascade="all, delete-orphan", lazy="selectin")


class CaseCopy(Base):
    """A referring physician copied on a case (sees it as its creator does)."""

    __tablename__ = "case_copy"

    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Referral(Base):
    """A case sent to one specialist (FHIR ServiceRequest + Task), with its closed-loop status."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    # SET NULL keeps the referral's history if the directory entry is ever removed.
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"), index=True)
    sent_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus), default=ReferralStatus.DRAFT, index=True)
    business_status: Mapped[str | None] = mapped_column(String(32))  # info_requested | info_provided
    info_needed: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock: two transitions racing on one referral cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="referrals")
    events: Mapped[list[ReferralEvent]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralEvent.id", lazy="selectin"
    )


class ReferralEvent(Base):
    """One transition of a referral: who moved it, from what, to what, when and why."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[ReferralStatus | None] = mapped_column(_enum(ReferralStatus))
    to_status: Mapped[ReferralStatus] = mapped_column(_enum(ReferralStatus))
    business_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RecordsAuthorization(Base):
    """The patient's release-of-information authorization for one receiving specialist."""

    __tablename__ = "records_authorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    granted_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    recipient_specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), index=True)
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)  # record kinds, or ["all"]
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class RecordDocument(Base):
    """An uploaded document of a case's records packet; the bytes live in records storage."""

    __tablename__ = "record_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RecordKind] = mapped_column(_enum(RecordKind))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Opinion(Base):
    """A specialist's written second opinion, delivered on one referral."""

    __tablename__ = "opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    diagnosis_codes: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"system", "code"}]
    agrees_with_diagnosis: Mapped[bool] = mapped_column(Boolean)
    agrees_with_treatment: Mapped[bool] = mapped_column(Boolean)
    recommended_plan: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    clinical_trials: Mapped[list[str]] = mapped_column(JSON, default=list)  # NCT identifiers
    answers: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"question_index", "answer"}]
    delivered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseConference(Base):
    """A request that two specialists review a case together."""

    __tablename__ = "case_conference"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    first_specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"))
    second_specialist_id: Mapped[int | None] = mapped_column(ForeignKey("specialist.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseInvitation(Base):
    """A referring physician's invitation for a patient to accept a case; only the token's SHA-256 is kept."""

    __tablename__ = "case_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CaseDecision(Base):
    """The patient's chosen path after the opinions, and the physician they continue with; it closes the case."""

    __tablename__ = "case_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), unique=True)
    decided_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    path: Mapped[ChosenPath] = mapped_column(_enum(ChosenPath))
    opinion_id: Mapped[int | None] = mapped_column(ForeignKey("opinion.id", ondelete="SET NULL"))
    physician_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NotificationOutbox(Base):
    """A status change to announce, written with the change; only ids and statuses, never health data."""

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(48))  # referral.status_changed | conference.requested
    entity_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    business_status: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # leased by a sender until then
