"""Payers, their networks and plans, and network participation at a practice location."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base


class PlanType(str, enum.Enum):
    """Plan product types; HMO and POS plans usually require a referral."""

    HMO = "HMO"
    PPO = "PPO"
    EPO = "EPO"
    POS = "POS"
    MEDICARE_ADVANTAGE = "MEDICARE_ADVANTAGE"
    MEDICAID = "MEDICAID"


class Payer(Base):
    """An insurer. Every seeded payer is synthetic and says so in its name."""

    __tablename__ = "payer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_synthetic: Mapped[bool] = mapped_column(default=False)

    networks: Mapped[list[Network]] = relationship(back_populates="payer")
    plans: Mapped[list[Plan]] = relationship(back_populates="payer")


class Network(Base):
    """A provider network: the set of practice locations a payer contracts with."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id", ondelete="RESTRICT"), index=True)

    payer: Mapped[Payer] = relationship(back_populates="networks")


class Plan(Base):
    """An insurance product a member holds; it reaches providers through its networks."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    plan_type: Mapped[PlanType] = mapped_column(Enum(PlanType, native_enum=False, length=32))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id", ondelete="RESTRICT"), index=True)
    state: Mapped[str | None] = mapped_column(String(2))
    is_synthetic: Mapped[bool] = mapped_column(default=False)

    payer: Mapped[Payer] = relationship(back_populates="plans")
    networks: Mapped[list[Network]] = relationship(secondary="plan_network")


class PlanNetwork(Base):
    """Which networks a plan uses (a plan may use several, a network serves many plans)."""

    __tablename__ = "plan_network"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), primary_key=True)


class NetworkParticipation(Base):
    """A specialist is in a network at one practice location (FHIR Plan-Net PractitionerRole.network)."""

    __tablename__ = "network_participation"
    __table_args__ = (UniqueConstraint("practice_location_id", "network_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_location_id: Mapped[int] = mapped_column(
        ForeignKey("practice_location.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)

    network: Mapped[Network] = relationship()


class InsuranceVersion(Base):
    """One row counting writes to payers, networks, plans and coverage rules (api/coverage/plan_cache.py).

    Every statement that writes one of those tables bumps it in the same transaction, so a process
    holding them in memory knows, from one cheap read, whether its copy is current.
    """

    __tablename__ = "insurance_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(BigInteger, default=0)
