"""Request and response bodies of the account endpoints."""

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.accounts.admin import STATUSES
from api.auth.schemas import MeSchema
from api.fields import ID_RANGE, NPI_DOC, UtcDateTime, validate_npi
from api.models import Role
from api.pages import PageArgs, page_schema
from api.schema_rules import rules

PASSWORD: dict[str, Any] = dict(
    required=True,
    load_only=True,
    validate=validate.Length(min=10, max=256),
    metadata={"description": "At least 10 characters", "example": "a long passphrase"},
)
EMAIL: dict[str, Any] = dict(required=True, validate=validate.Length(max=254), metadata={"example": "pat@example.test"})
NAME: dict[str, Any] = dict(required=True, validate=validate.Length(min=1, max=100))
TOKEN = ma.fields.String(
    required=True,
    validate=validate.Length(min=10, max=200),
    metadata={
        "description": "The token of the link in the e-mail",
        "example": "Vh3kQ9s2xW0bJm5rTn8yLc1dPz4aFe7gHu6iKo2qRs0",
    },
)


class PatientRegistrationSchema(ma.Schema):
    """A patient's new account."""

    email = ma.fields.Email(**EMAIL)
    password = ma.fields.String(**PASSWORD)
    display_name = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Pat Example"}
    )


class PhysicianRegistrationSchema(ma.Schema):
    """A referring physician's new account: the NPI and the name on its NPPES/directory record."""

    email = ma.fields.Email(**EMAIL)
    password = ma.fields.String(**PASSWORD)
    npi = ma.fields.String(required=True, validate=validate_npi, metadata={"example": "1234567893", **NPI_DOC})
    first_name = ma.fields.String(**NAME, metadata={"example": "Ada"})
    last_name = ma.fields.String(**NAME, metadata={"example": "Lovelace"})
    display_name = ma.fields.String(validate=validate.Length(min=1, max=200))


class AcceptedSchema(ma.Schema):
    """The same answer whatever the address: what happens next goes by e-mail."""

    status = ma.fields.String(metadata={"example": "accepted"})
    detail = ma.fields.String()


class LinkTokenSchema(ma.Schema):
    """The token of a one-time link."""

    token = TOKEN


class LinkTokenQuerySchema(ma.Schema):
    """The token of a one-time link, as the link carries it."""

    token = TOKEN


class EmailSchema(ma.Schema):
    """An e-mail address."""

    email = ma.fields.Email(**EMAIL)


class ResetCompletionSchema(ma.Schema):
    """The token of a reset link and the new password."""

    token = TOKEN
    password = ma.fields.String(**PASSWORD)


class EmailChangeSchema(ma.Schema):
    """The new address, and the current password."""

    email = ma.fields.Email(**EMAIL)
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"example": "my current passphrase"},
    )


class PasswordSchema(ma.Schema):
    """The current password, to confirm a grave step."""

    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"example": "my current passphrase"},
    )


class ClaimSchema(ma.Schema):
    """The token of an invitation, the password to set and, optionally, the name shown."""

    token = TOKEN
    password = ma.fields.String(**PASSWORD)
    display_name = ma.fields.String(validate=validate.Length(min=1, max=200))


class InvitationPreviewSchema(ma.Schema):
    """The directory entry an invitation binds the new account to, and the address it was sent to."""

    specialist_id = ma.fields.Integer(metadata={"example": 42})
    npi = ma.fields.String(metadata={"example": "1234567893"})
    display_name = ma.fields.String(metadata={"example": "Dr. Grace Hopper"})
    email = ma.fields.String(metadata={"example": "npi-1234567893@specialists.secondlook.test"})
    expires_at = UtcDateTime()


class ContactSchema(ma.Schema):
    """The e-mail address to invite a specialist at."""

    npi = ma.fields.String(required=True, validate=validate_npi, metadata=NPI_DOC)
    email = ma.fields.Email(**EMAIL)


_SELECTORS = [{"required": ["npis"]}, {"required": ["institution_id"]}, {"required": ["state"]}]


@rules(
    oneOf=[
        *_SELECTORS,
        {"not": {"anyOf": _SELECTORS}, "required": ["contacts"], "properties": {"contacts": {"minItems": 1}}},
    ]
)
class InvitationRequestSchema(ma.Schema):
    """Which specialists to invite: exactly one of npis, institution_id or state; contacts give addresses.

    With no selector, the NPIs of `contacts` (then at least one) are the ones invited.
    """

    npis = ma.fields.List(
        ma.fields.String(validate=validate_npi, metadata=NPI_DOC), validate=validate.Length(min=1, max=500)
    )
    institution_id = ma.fields.Integer(validate=ID_RANGE)
    state = ma.fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$", error="A two-letter state code."), metadata={"example": "NY"}
    )
    contacts = ma.fields.List(
        ma.fields.Nested(ContactSchema),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "An address per NPI; required for specialists that are not synthetic"},
    )

    @ma.validates_schema
    def _one_selector(self, data, **_):
        chosen = [key for key in ("npis", "institution_id", "state") if key in data]
        if not chosen and data.get("contacts"):
            data["npis"] = [c["npi"] for c in data["contacts"]]
            return
        if len(chosen) != 1:
            raise ma.ValidationError("Give exactly one of npis, institution_id or state.", "npis")


class InvitedSchema(ma.Schema):
    """A specialist who was sent an invitation."""

    specialist_id = ma.fields.Integer()
    npi = ma.fields.String()
    email = ma.fields.String()


class SkippedSchema(ma.Schema):
    """A specialist who was not: claimed already, no address, or not in the directory."""

    specialist_id = ma.fields.Integer(allow_none=True)
    npi = ma.fields.String()
    reason = ma.fields.String(metadata={"example": "no_contact"})


class InvitationReportSchema(ma.Schema):
    """Who was invited and who was skipped."""

    invited = ma.fields.List(ma.fields.Nested(InvitedSchema))
    skipped = ma.fields.List(ma.fields.Nested(SkippedSchema))


class AccountSchema(MeSchema):
    """An account as administrators see it."""

    is_active = ma.fields.Boolean()
    locked_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


AccountPageSchema = page_schema(AccountSchema, "AccountPage")


class AccountQuerySchema(PageArgs):
    """Find accounts."""

    q = ma.fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "E-mail or name contains, or the NPI"}
    )
    role = ma.fields.String(validate=validate.OneOf([r.value for r in Role]))
    status = ma.fields.String(validate=validate.OneOf(STATUSES))


class AccountChangeSchema(ma.Schema):
    """What an administrator changes on an account."""

    role = ma.fields.String(validate=validate.OneOf([r.value for r in Role]))
    locked = ma.fields.Boolean(
        metadata={"description": "Locked accounts cannot sign in; their tokens are revoked", "example": True}
    )
    active = ma.fields.Boolean(metadata={"description": "False deactivates the account"})
