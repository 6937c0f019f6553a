"""A patient's sign-up and e-mail confirmation: the same registration and link as /v1/accounts.

The answer to a sign-up is the same whether or not the address has an account (what differs goes
by e-mail to its owner), and takes the same time (`uniform_timing`, as the API's). The confirmation
link opens a page whose button confirms: a mail scanner that fetches the link confirms nothing.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for

from api.accounts import services
from api.accounts.links import LinkSettings
from api.accounts.schemas import PatientRegistrationSchema
from api.auth.timing import uniform_timing
from api.models import Role
from api.unit_of_work import unit_of_work
from api.web.account import safe_next
from api.web.blueprint import bp
from api.web.forms import load

AFTER_CONFIRM = "after_confirm"  # where to go once signed in, kept from the sign-up (e.g. a case invitation)


@bp.get("/signup")
def sign_up():
    """The sign-up form."""
    return render_template("signup.html", next=request.args.get("next", ""), form={}, errors={})


@bp.post("/signup")
@uniform_timing
def sign_up_post():
    """Register a patient account; the confirmation link goes by e-mail."""
    form = request.form
    data, errors = load(
        PatientRegistrationSchema(),
        {
            "display_name": form.get("display_name", "").strip(),
            "email": form.get("email", "").strip(),
            "password": form.get("password", ""),
        },
    )
    if data is None:
        return render_template("signup.html", next=form.get("next", ""), form=form, errors=errors), 422
    with unit_of_work() as uow:
        services.register(uow, LinkSettings.from_config(current_app.config), data, Role.PATIENT)
    session[AFTER_CONFIRM] = safe_next(form.get("next"))
    return redirect(url_for("web.sign_up_sent"))


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
