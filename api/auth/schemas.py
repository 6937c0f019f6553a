"""Request and response bodies of the auth endpoints."""

import marshmallow as ma

from api.fields import UtcDateTime


class LoginSchema(ma.Schema):
    """E-mail and password."""

    email = ma.fields.Email(required=True, metadata={"example": "admin@demo.secondlook.test"})
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(min=1, max=256),
        metadata={"example": "demo-admin-pass"},
    )


class TokenSchema(ma.Schema):
    """A bearer token and what it is for."""

    access_token = ma.fields.String(metadata={"example": "k3Jx...QZ"})
    token_type = ma.fields.String(metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(metadata={"description": "Seconds until the token expires", "example": 43200})
    role = ma.fields.String(metadata={"example": "admin"})


class MeSchema(ma.Schema):
    """The signed-in account."""

    id = ma.fields.Integer(metadata={"example": 1})
    email = ma.fields.String(metadata={"example": "admin@demo.secondlook.test"})
    display_name = ma.fields.String(metadata={"example": "Demo Admin"})
    role = ma.fields.Function(lambda u: u.role.value)
    specialist_id = ma.fields.Integer(allow_none=True)
    npi = ma.fields.String(allow_none=True, metadata={"description": "A referring physician's NPI"})
    email_verified_at = UtcDateTime(
        allow_none=True,
        metadata={"description": "When the owner confirmed the e-mail; until then the account cannot act on cases"},
    )
    physician_verified_at = UtcDateTime(
        allow_none=True,
        metadata={
            "description": (
                "When an administrator verified a referring physician's NPI; until then no cases or referrals"
            )
        },
    )
