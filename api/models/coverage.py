"""Coverage rules per plan and what a member has already paid towards them this plan year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow
from api.models.insurance import Plan


class PlanBenefit(Base):
    """A plan's specialist-visit benefit: cost sharing, referral rule and out-of-network terms."""

    __tablename__ = "plan_benefit"
    __table_args__ = (
        CheckConstraint(
            "coinsurance_pct BETWEEN 0 AND 100 AND oon_coinsurance_pct BETWEEN 0 AND 100", name="coinsurance_pct_range"
        ),
        CheckConstraint(
            "deductible_cents >= 0 AND oon_deductible_cents >= 0 AND (oop_max_cents IS NULL"
            " OR oop_max_cents >= 0) AND (copay_cents IS NULL OR copay_cents >= 0)",
            name="amounts_nonneg",
        ),
    )

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    second_opinion_covered: Mapped[bool] = mapped_column(default=True)
    referral_required: Mapped[bool] = mapped_column(default=False)  # HMO, POS
    # A copay replaces deductible and coinsurance for the visit when set (most HMO/PPO office visits).
    copay_cents: Mapped[int | None] = mapped_column(Integer)
    coinsurance_pct: Mapped[int] = mapped_column(Integer, default=20)
    deductible_cents: Mapped[int] = mapped_column(Integer, default=0)
    oop_max_cents: Mapped[int | None] = mapped_column(Integer)  # None: no out-of-pocket limit
    out_of_network_covered: Mapped[bool] = mapped_column(default=False)  # PPO, POS
    oon_coinsurance_pct: Mapped[int] = mapped_column(Integer, default=40)
    oon_deductible_cents: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship()
    prior_auth_rules: Mapped[list[PriorAuthRule]] = relationship(
        cascade="all, delete-orphan", order_by="PriorAuthRule.id"
    )


class PriorAuthRule(Base):
    """A plan needs prior authorization for a specialty (NUCC code), a service, or the pair."""

    __tablename__ = "prior_auth_rule"
    __table_args__ = (
        UniqueConstraint("plan_id", "taxonomy_code", "service"),
        CheckConstraint("taxonomy_code IS NOT NULL OR service IS NOT NULL", name="specialty_or_service"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan_benefit.plan_id", ondelete="CASCADE"), index=True)
    taxonomy_code: Mapped[str | None] = mapped_column(String(10))
    service: Mapped[str | None] = mapped_column(String(32))


class MemberCoverage(Base):
    """A patient's enrolment in a plan for a plan year, with what they have paid towards it."""

    __tablename__ = "member_coverage"
    __table_args__ = (
        UniqueConstraint("user_id", "plan_id", "plan_year"),
        CheckConstraint("deductible_met_cents >= 0 AND oop_met_cents >= 0", name="met_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    deductible_met_cents: Mapped[int] = mapped_column(Integer, default=0)
    oop_met_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
