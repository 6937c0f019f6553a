"""SQLAlchemy 2.0 typed models; importing this package registers every table."""
from api.db import Base
from api.models.accounts import AccessToken, AccountToken, LoginThrottle, Role, TokenPurpose, User
from api.models.mail import MailOutbox
from api.models.audit import AuditEvent
from api.models.cases import (
    Case, CaseConference, CaseCopy, CaseDecision, CaseInvitation, CaseStatus, ChosenPath, NotificationOutbox, Opinion, RecordDocument, RecordKind, RecordsAuthorization,
    Referral, ReferralEvent, ReferralStatus, Urgency,
)
from api.models.directory import (
    ConditionExpertise,
    HealthSystem,
    Institution,
    Location,
    PracticeLocation,
    Specialist,
    SpecialistLanguage,
    SpecialistLicence,
    SpecialistSpecialty,
)
from api.models.insurance import Network, NetworkParticipation, Payer, Plan, PlanNetwork, PlanType
from api.models.outbox import OutboxEvent
from api.models.coverage import MemberCoverage, PlanBenefit, PriorAuthRule
from api.models.scheduling import Booking, BookingStatus, IdempotencyRecord, Slot, VisitMode
from api.models.billing import LedgerAccount, LedgerEntry, LedgerKind, Payment, PaymentStatus, StripeEvent
from api.models.denials import DenialReason, InsuranceDenial

__all__ = [
    "AuditEvent", "Case", "CaseConference", "CaseCopy", "CaseDecision", "CaseInvitation", "CaseStatus", "ChosenPath", "NotificationOutbox", "Opinion", "RecordDocument",
    "RecordKind", "RecordsAuthorization", "Referral", "ReferralEvent", "ReferralStatus", "Urgency",
    "AccessToken", "Base", "ConditionExpertise", "Institution", "Location", "Network",
    "NetworkParticipation", "OutboxEvent", "Payer", "Plan", "PlanNetwork", "PlanType",
    "PracticeLocation", "Role", "Specialist", "SpecialistLanguage", "SpecialistSpecialty", "User",
    "MemberCoverage", "PlanBenefit", "PriorAuthRule", "Booking", "BookingStatus", "IdempotencyRecord", "Slot",
    "VisitMode", "LedgerAccount", "LedgerEntry", "LedgerKind", "Payment", "PaymentStatus", "StripeEvent",
    "DenialReason", "InsuranceDenial", "AccountToken", "LoginThrottle", "TokenPurpose", "MailOutbox",
    "HealthSystem", "SpecialistLicence",
]
