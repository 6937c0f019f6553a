"""Account endpoints: /v1/accounts for everyone's own account, /v1/admin for administrators."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.accounts import admin, invitations, services
from api.accounts.links import LinkSettings
from api.accounts.schemas import (
    AcceptedSchema,
    AccountChangeSchema,
    AccountPageSchema,
    AccountQuerySchema,
    AccountSchema,
    ClaimSchema,
    EmailChangeSchema,
    EmailSchema,
    InvitationPreviewSchema,
    InvitationReportSchema,
    InvitationRequestSchema,
    LinkTokenQuerySchema,
    LinkTokenSchema,
    PasswordSchema,
    PatientRegistrationSchema,
    PhysicianRegistrationSchema,
    ResetCompletionSchema,
)
from api.auth.identity import secured
from api.auth.schemas import MeSchema
from api.auth.timing import uniform_timing
from api.db import db
from api.models import Role
from api.unit_of_work import unit_of_work

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/v1/accounts",
    description="Register, confirm the e-mail, claim a specialist profile, reset the password",
)
admin_blp = Blueprint(
    "admin", __name__, url_prefix="/v1/admin", description="Accounts and specialist invitations (administrators only)"
)
ACCEPTED = {
    "status": "accepted",
    "detail": "If this address can receive mail, a message with the next step is on its way.",
}


def _links() -> LinkSettings:
    return LinkSettings.from_config(current_app.config)


@blp.route("/patients")
class Patients(MethodView):
    """Patients' own registration."""

    @blp.arguments(PatientRegistrationSchema)
    @blp.response(202, AcceptedSchema)
    @uniform_timing
    def post(self, data):
        """Register as a patient; the confirmation link goes by e-mail (same answer if the address is taken)"""
        with unit_of_work() as uow:
            services.register(uow, _links(), data, Role.PATIENT)
        return ACCEPTED


@blp.route("/physicians")
class Physicians(MethodView):
    """Referring physicians' own registration."""

    @blp.arguments(PhysicianRegistrationSchema)
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(422, description="Bad NPI check digit")
    @blp.alt_response(404, description="No NPPES or directory record has this NPI")
    @blp.alt_response(403, description="The directory record of this NPI names someone else")
    @uniform_timing
    def post(self, data):
        """Register as a referring physician with your NPI; an administrator then verifies it"""
        with unit_of_work() as uow:
            services.register(uow, _links(), data, Role.REFERRING_PHYSICIAN)
        return ACCEPTED


@blp.route("/email-verification")
class EmailVerification(MethodView):
    """The link that confirms an address (of a new account, or the new address of an e-mail change)."""

    @blp.arguments(LinkTokenQuerySchema, location="query")
    @blp.response(200, MeSchema)
    @blp.alt_response(404, description="The link is unknown, used or expired (one answer for all three)")
    @blp.alt_response(409, description="Another account uses the new address now")
    def get(self, args):
        """Confirm an e-mail address by following the link in the message"""
        return self._confirm(args["token"])

    @blp.arguments(LinkTokenSchema)
    @blp.response(200, MeSchema)
    @blp.alt_response(404, description="The link is unknown, used or expired (one answer for all three)")
    @blp.alt_response(409, description="Another account uses the new address now")
    def post(self, data):
        """Confirm an e-mail address with the token of the link"""
        return self._confirm(data["token"])

    @staticmethod
    def _confirm(token: str):
        with unit_of_work() as uow:
            return services.confirm_email(uow, token)


@blp.route("/password-reset")
class PasswordReset(MethodView):
    """Asking for a reset link."""

    @blp.arguments(EmailSchema)
    @blp.response(202, AcceptedSchema)
    @uniform_timing
    def post(self, data):
        """Ask for a password-reset link (same answer whether or not the address has an account)"""
        with unit_of_work() as uow:
            services.request_password_reset(uow, _links(), data["email"])
        return ACCEPTED


@blp.route("/password-reset/complete")
class PasswordResetCompletion(MethodView):
    """Setting the new password."""

    @blp.arguments(ResetCompletionSchema)
    @blp.response(204)
    @blp.alt_response(404, description="The link is unknown, used or expired (one answer for all three)")
    def post(self, data):
        """Set a new password with the token of a reset link; every session is signed out"""
        with unit_of_work() as uow:
            services.complete_password_reset(uow, data["token"], data["password"])


@blp.route("/specialist-claims")
class SpecialistClaims(MethodView):
    """Specialists claiming their directory profile."""

    @blp.arguments(LinkTokenQuerySchema, location="query")
    @blp.response(200, InvitationPreviewSchema)
    @blp.alt_response(404, description="The invitation is unknown, used or expired (one answer for all three)")
    def get(self, args):
        """See which directory profile an invitation link offers (the link is not used up)"""
        return invitations.preview_invitation(db.session, args["token"])

    @blp.arguments(ClaimSchema)
    @blp.response(201, MeSchema)
    @blp.alt_response(409, description="The profile is claimed already, or the address has an account")
    @blp.alt_response(404, description="The invitation is unknown, used or expired (one answer for all three)")
    def post(self, data):
        """Claim your directory profile with the token of your invitation and set your password"""
        with unit_of_work() as uow:
            return invitations.claim_profile(uow, data["token"], data["password"], data.get("display_name"))


@blp.route("/me/verification-email")
class VerificationEmail(MethodView):
    """A new confirmation link."""

    @secured(blp, pending_ok=True)
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(409, description="The address is confirmed already")
    def post(self, identity):
        """Send a new confirmation link to my address"""
        with unit_of_work() as uow:
            services.resend_verification(uow, _links(), identity.user_id)
        return ACCEPTED


@blp.route("/me/email")
class EmailChange(MethodView):
    """Moving the account to another address."""

    @secured(blp, pending_ok=True)
    @blp.arguments(EmailChangeSchema)
    @blp.response(202, AcceptedSchema)
    @uniform_timing
    def post(self, data, identity):
        """Change my e-mail: the new address must be confirmed by its link before it takes effect"""
        with unit_of_work() as uow:
            services.request_email_change(uow, _links(), identity.user_id, data["email"], data["password"])
        return ACCEPTED


@blp.route("/me/deactivation")
class Deactivation(MethodView):
    """Closing the account."""

    @secured(blp, pending_ok=True)
    @blp.arguments(PasswordSchema)
    @blp.response(204)
    def post(self, data, identity):
        """Deactivate my account: no more sign-in, every token revoked"""
        with unit_of_work() as uow:
            services.deactivate(uow, identity.user_id, data["password"])


@admin_blp.route("/users")
class Users(MethodView):
    """Every account."""

    @secured(admin_blp, Role.ADMIN)
    @admin_blp.arguments(AccountQuerySchema, location="query")
    @admin_blp.response(200, AccountPageSchema)
    def get(self, filters, identity):
        """Find accounts by e-mail, name or NPI, role and status"""
        return admin.list_users(db.session, filters)


@admin_blp.route("/users/<id:user_id>")
class UserById(MethodView):
    """One account."""

    @secured(admin_blp, Role.ADMIN)
    @admin_blp.response(200, AccountSchema)
    @admin_blp.alt_response(404, description="No such account")
    def get(self, user_id, identity):
        """Read an account"""
        return admin.load_user(db.session, user_id)

    @secured(admin_blp, Role.ADMIN)
    @admin_blp.arguments(AccountChangeSchema)
    @admin_blp.response(200, AccountSchema)
    @admin_blp.alt_response(404, description="No such account")
    @admin_blp.alt_response(409, description="An administrator's own account")
    def patch(self, data, user_id, identity):
        """Change an account's role, lock or unlock it, deactivate or reactivate it (audited)"""
        with unit_of_work() as uow:
            return admin.update_user(uow.session, identity, user_id, data)


@admin_blp.route("/users/<id:user_id>/physician-verification")
class PhysicianVerification(MethodView):
    """An administrator's verification of a referring physician."""

    @secured(admin_blp, Role.ADMIN)
    @admin_blp.response(200, AccountSchema)
    @admin_blp.alt_response(404, description="No such account")
    @admin_blp.alt_response(409, description="Not a referring physician")
    def post(self, user_id, identity):
        """Verify a referring physician's NPI: they may then start cases and send referrals"""
        with unit_of_work() as uow:
            return admin.verify_physician(uow.session, identity, user_id)


@admin_blp.route("/specialist-invitations")
class SpecialistInvitations(MethodView):
    """Inviting specialists to claim their profiles."""

    @secured(admin_blp, Role.ADMIN)
    @admin_blp.arguments(InvitationRequestSchema)
    @admin_blp.response(202, InvitationReportSchema)
    def post(self, data, identity):
        """Invite one specialist or a set (by NPIs, institution or state) to claim their profiles"""
        with unit_of_work() as uow:
            return invitations.invite_specialists(uow, _links(), identity, data)
