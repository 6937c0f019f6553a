"""Sign-up for patients and referring physicians, and e-mail confirmation: the same registration and
link as POST /v1/accounts/patients and /v1/accounts/physicians.

The answer to a sign-up is the same whether or not the address has an account (what differs goes
by e-mail to its owner), and takes the same time (`uniform_timing`, as the API's). A physician's NPI
is checked by the API's own schema (its Luhn check digit) and service (the directory record names
them); an administrator then verifies it (api/web/admin.py). The confirmation link opens a page
whose button confirms: a mail scanner that fetches the link confirms nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from flask import current_app, redirect, render_template, request, session, url_for

from api.accounts import services
from api.accounts.links import LinkSettings
from api.accounts.schemas import PatientRegistrationSchema, PhysicianRegistrationSchema
from api.auth.timing import uniform_timing
from api.errors import DomainError
from api.models import Role
from api.unit_of_work import unit_of_work
from api.web.account import safe_next
from api.web.blueprint import bp
from api.web.form_errors import form_field
from api.web.forms import load

AFTER_CONFIRM = "after_confirm"  # where to go once signed in, kept from the sign-up (e.g. a case invitation)
PASSWORD_HELP = "At least 10 characters; a few words you will remember work well."


@dataclass(frozen=True)
class Field:
    """One input of a sign-up form."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    help: str | None = None
    attrs: str = ""


@dataclass(frozen=True)
class SignUp:
    """A kind of account people create themselves: its form, the API's schema for it, and where they go next."""

    role: Role
    schema: ma.Schema
    fields: tuple[Field, ...]
    heading: str
    endpoint: str
    then: str  # the endpoint to go to once confirmed and signed in, unless the sign-up said where


EMAIL = Field("email", "E-mail", "email", "email")
PASSWORD = Field("password", "Password", "password", "new-password", PASSWORD_HELP, 'minlength="10"')
PATIENT = SignUp(
    Role.PATIENT,
    PatientRegistrationSchema(),
    (Field("display_name", "Your name", autocomplete="name"), EMAIL, PASSWORD),
    "Create your patient account",
    "web.sign_up_post",
    "web.home",
)
PHYSICIAN = SignUp(
    Role.REFERRING_PHYSICIAN,
    PhysicianRegistrationSchema(),
    (
        Field("first_name", "First name", autocomplete="given-name", help="As on your NPPES record."),
        Field("last_name", "Last name", autocomplete="family-name"),
        EMAIL,
        PASSWORD,
        Field(
            "npi",
            "NPI",
            help="Your 10-digit National Provider Identifier.",
            attrs='inputmode="numeric" pattern="[0-9]{10}" maxlength="10"',
        ),
    ),
    "Create your referring physician account",
    "web.physician_sign_up_post",
    "web.new_case",
)


def _form_page(kind: SignUp, form, errors: dict, status: int = 200):
    shown = {name: value for name, value in form.items() if name != "password"}  # a password is never sent back
    return render_template("signup.html", kind=kind, next=form.get("next", ""), form=shown, errors=errors), status


def _register(kind: SignUp):
    """Register the account the form describes; the confirmation link goes by e-mail."""
    form = request.form
    data, errors = load(
        kind.schema,
        {f.name: form.get(f.name, "") if f is PASSWORD else form.get(f.name, "").strip() for f in kind.fields},
    )
    if data is None:
        return _form_page(kind, form, errors, 422)
    try:
        with unit_of_work() as uow:
            services.register(uow, LinkSettings.from_config(current_app.config), data, kind.role)
    except DomainError as refused:  # a physician's NPI without a directory record, or one naming someone else
        return _form_page(
            kind,
            form,
            {form_field(refused.field, {f.name: f.name for f in kind.fields}): refused.detail},
            refused.status,
        )
    session[AFTER_CONFIRM] = safe_next(form.get("next") or url_for(kind.then))
    return redirect(url_for("web.sign_up_sent"))


@bp.get("/signup")
def sign_up():
    """The patient's sign-up form."""
    return _form_page(PATIENT, {"next": request.args.get("next", "")}, {})


@bp.post("/signup")
@uniform_timing
def sign_up_post():
    """Register a patient account (POST /v1/accounts/patients)."""
    return _register(PATIENT)


@bp.get("/signup/physician")
def physician_sign_up():
    """The referring physician's sign-up form."""
    return _form_page(PHYSICIAN, {"next": request.args.get("next", "")}, {})


@bp.post("/signup/physician")
@uniform_timing
def physician_sign_up_post():
    """Register a referring physician with their NPI (POST /v1/accounts/physicians)."""
    return _register(PHYSICIAN)


@bp.get("/signup/sent")
def sign_up_sent():
    """What happens next: the message with the link."""
    return render_template("signup_sent.html")


@bp.get("/signup/confirm/<token>")
def confirm_email(token: str):
    """The page the confirmation link opens."""
    return render_template("confirm.html", token=token, confirmed=False)


@bp.post("/signup/confirm/<token>")
def confirm_email_post(token: str):
    """Confirm the address (an unknown, used or expired link is a 404 page)."""
    with unit_of_work() as uow:
        services.confirm_email(uow, token)
    then = session.pop(AFTER_CONFIRM, None) or url_for("web.home")
    return render_template("confirm.html", token=token, confirmed=True, next=then)
