"""An insurer's refusal to cover a case's second opinion, recorded so the case can go self-pay or appeal."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UtcDateTime, utcnow


class DenialReason(str, enum.Enum):
    """Why the insurer said no, in the categories denial letters use."""

    NOT_MEDICALLY_NECESSARY = "not_medically_necessary"
    OUT_OF_NETWORK = "out_of_network"
    NO_REFERRAL = "no_referral"
    NO_PRIOR_AUTHORIZATION = "no_prior_authorization"
    EXPERIMENTAL = "experimental_or_investigational"
    NOT_A_COVERED_BENEFIT = "not_a_covered_benefit"
    OTHER = "other"


class InsuranceDenial(Base):
    """One denial on a case: the reason, the insurer's date and reference, and who recorded it."""

    __tablename__ = "insurance_denial"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("patient_case.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    reason: Mapped[DenialReason] = mapped_column(
        Enum(DenialReason, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    reason_detail: Mapped[str | None] = mapped_column(Text)  # the insurer's wording, if the patient adds it
    denied_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64))  # the insurer's claim or case number
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
