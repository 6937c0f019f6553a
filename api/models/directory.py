"""The specialist directory: specialists, specialties, practice locations and condition expertise."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow
from api.models.insurance import NetworkParticipation
from reference.populations import population_of


class HealthSystem(Base):
    """A parent organisation owning several institutions: "affiliated" means the same one."""

    __tablename__ = "health_system"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_synthetic: Mapped[bool] = mapped_column(default=False)


class Institution(Base):
    """A hospital, academic medical centre or practice group that specialists belong to."""

    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # academic_medical_center | community_practice | ...
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    health_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_system.id", ondelete="SET NULL"), index=True
    )
    is_synthetic: Mapped[bool] = mapped_column(default=False)


class Specialist(Base):
    """A physician who gives second opinions (FHIR Practitioner)."""

    __tablename__ = "specialist"
    __table_args__ = (
        CheckConstraint("self_pay_price_cents IS NULL OR self_pay_price_cents >= 0", name="price_nonneg"),
        CheckConstraint("rating IS NULL OR (rating >= 0 AND rating <= 5)", name="rating_range"),
        CheckConstraint("review_count >= 0", name="review_count_nonneg"),
        CheckConstraint("population IS NULL OR population IN ('pediatric', 'adult', 'all')", name="population_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    credentials: Mapped[str | None] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(1))
    board_certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    bio: Mapped[str | None] = mapped_column(Text)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="SET NULL"), index=True)
    accepts_second_opinions: Mapped[bool] = mapped_column(default=True)
    telehealth: Mapped[bool] = mapped_column(default=False)
    # Whom they see: pediatric | adult | all; NULL means "as their NUCC codes imply" (reference.populations).
    population: Mapped[str | None] = mapped_column(String(10))
    self_pay_price_cents: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    data_source: Mapped[str] = mapped_column(String(32), default="manual")  # synthetic | nppes | manual
    last_verified: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution | None] = relationship()
    specialties: Mapped[list[SpecialistSpecialty]] = relationship(
        cascade="all, delete-orphan", order_by="SpecialistSpecialty.taxonomy_code"
    )
    language_rows: Mapped[list[SpecialistLanguage]] = relationship(cascade="all, delete-orphan")
    practice_locations: Mapped[list[PracticeLocation]] = relationship(
        cascade="all, delete-orphan", order_by="PracticeLocation.id"
    )
    conditions: Mapped[list[ConditionExpertise]] = relationship(cascade="all, delete-orphan")
    licence_rows: Mapped[list[SpecialistLicence]] = relationship(cascade="all, delete-orphan")

    @property
    def licensed_states(self) -> list[str]:
        """States (2-letter) where the specialist holds a medical licence."""
        return sorted(row.state for row in self.licence_rows)

    @property
    def patient_population(self) -> str:
        """Whom the specialist sees: the recorded population, else what their NUCC codes imply."""
        return self.population or population_of(self.primary_specialty, [s.taxonomy_code for s in self.specialties])

    @property
    def languages(self) -> list[str]:
        """ISO 639-1 codes of the languages the specialist consults in."""
        return sorted(row.language for row in self.language_rows)

    @property
    def primary_specialty(self) -> str | None:
        """The NUCC code marked primary."""
        return next((s.taxonomy_code for s in self.specialties if s.is_primary), None)


class SpecialistSpecialty(Base):
    """One NUCC taxonomy code held by a specialist; exactly one is primary."""

    __tablename__ = "specialist_specialty"

    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), primary_key=True)
    taxonomy_code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    is_primary: Mapped[bool] = mapped_column(default=False)


class SpecialistLanguage(Base):
    """A language a specialist consults in (a row each, so it can be filtered in SQL)."""

    __tablename__ = "specialist_language"

    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class SpecialistLicence(Base):
    """A state medical licence: telehealth across state lines needs one in the patient's state."""

    __tablename__ = "specialist_licence"

    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)
    via_compact: Mapped[bool] = mapped_column(default=False)  # issued through the Interstate Medical Licensure Compact


class Location(Base):
    """A physical place where care is given (FHIR Location); may be shared by many specialists."""

    __tablename__ = "location"
    __table_args__ = (Index("ix_location_lat_lon", "lat", "lon"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    address_line: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(5), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(20))
    # e.g. ["wheelchair_accessible", "accessible_parking", "asl_interpreter"]
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="SET NULL"), index=True)


class PracticeLocation(Base):
    """A specialist practising at a location (FHIR PractitionerRole): network participation hangs here."""

    __tablename__ = "practice_location"
    __table_args__ = (UniqueConstraint("specialist_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), index=True)
    accepting_new_patients: Mapped[bool] = mapped_column(default=True)

    location: Mapped[Location] = relationship(lazy="joined")
    participations: Mapped[list[NetworkParticipation]] = relationship(cascade="all, delete-orphan")


class ConditionExpertise(Base):
    """A condition a specialist treats, with the evidence for calling it expertise."""

    __tablename__ = "condition_expertise"
    __table_args__ = (
        UniqueConstraint("specialist_id", "system", "code"),
        Index("ix_condition_expertise_system_code", "system", "code"),
        CheckConstraint("system IN ('ICD-10-CM', 'ORPHA')", name="system_known"),
        CheckConstraint("cases_per_year >= 0 AND publications >= 0", name="evidence_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialist.id", ondelete="CASCADE"), index=True)
    system: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(16))
    cases_per_year: Mapped[int] = mapped_column(Integer, default=0)
    publications: Mapped[int] = mapped_column(Integer, default=0)
    center_of_expertise: Mapped[bool] = mapped_column(default=False)
