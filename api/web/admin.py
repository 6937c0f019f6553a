"""The administrator's pages: verify referring physicians, invite specialists to claim their profiles.

The same services as POST /v1/admin/users/{id}/physician-verification and
POST /v1/admin/specialist-invitations, each change audited there with the administrator as actor.
"""

from __future__ import annotations

import re

import marshmallow as ma
from flask import current_app, redirect, render_template, request, url_for

from api.accounts import admin, invitations
from api.accounts.links import LinkSettings
from api.accounts.schemas import InvitationRequestSchema
from api.db import db
from api.models import Role, User
from api.unit_of_work import unit_of_work
from api.web.blueprint import bp
from api.web.form_errors import field_errors
from api.web.identity import sign_in_required

PENDING_SHOWN = 100
INVITE_FIELDS = {"npis": "npis", "institution_id": "institution_id", "state": "state", "contacts": "contacts"}
_SEPARATORS = re.compile(r"[\s,;]+")


@bp.get("/admin")
@sign_in_required(Role.ADMIN)
def admin_home(identity):
    """Administration starts with the physicians waiting for verification."""
    return redirect(url_for("web.admin_physicians"))


@bp.get("/admin/physicians")
@sign_in_required(Role.ADMIN)
def admin_physicians(identity):
    """Physicians whose NPI no administrator has verified yet (GET /v1/admin/users?status=pending_physician)."""
    pending = admin.list_users(db.session, {"status": "pending_physician", "page": 1, "page_size": PENDING_SHOWN})
    verified = db.session.get(User, request.args.get("verified", 0, type=int) or 0)
    return render_template("admin_physicians.html", pending=pending, verified=verified)


@bp.post("/admin/physicians/<id:user_id>/verify")
@sign_in_required(Role.ADMIN)
def admin_verify_physician(user_id: int, identity):
    """Verify a physician's NPI: from now on they may start cases and send referrals."""
    with unit_of_work() as uow:
        admin.verify_physician(uow.session, identity, user_id)
    return redirect(url_for("web.admin_physicians", verified=user_id))


def _invite_page(form, errors: dict, report=None, status: int = 200):
    return render_template("admin_invite.html", form=form, errors=errors, report=report), status


@bp.get("/admin/specialists/invite")
@sign_in_required(Role.ADMIN)
def admin_invite(identity):
    """The invitation form; `?npi=` fills in one specialist (from a match, say)."""
    return _invite_page({"npis": request.args.get("npi", "")}, {})


def invitation_body(form) -> dict:
    """The POST /v1/admin/specialist-invitations body the form describes."""
    body: dict = {}
    if npis := _SEPARATORS.split(form.get("npis", "").strip()):
        body["npis"] = [npi for npi in npis if npi]
    for name in ("institution_id", "state"):
        if value := form.get(name, "").strip():
            body[name] = value.upper() if name == "state" else value
    contacts = [line.split() for line in form.get("contacts", "").splitlines() if line.strip()]
    body["contacts"] = [{"npi": parts[0], "email": parts[-1]} for parts in contacts]
    return {key: value for key, value in body.items() if value}


@bp.post("/admin/specialists/invite")
@sign_in_required(Role.ADMIN)
def admin_invite_post(identity):
    """Invite one specialist or a set; the page then says who was invited and who was skipped, and why."""
    try:
        data = InvitationRequestSchema().load(invitation_body(request.form))
    except ma.ValidationError as invalid:
        return _invite_page(request.form, field_errors(invalid.messages, INVITE_FIELDS), status=422)
    with unit_of_work() as uow:
        report = invitations.invite_specialists(uow, LinkSettings.from_config(current_app.config), identity, data)
    return _invite_page(request.form if report.skipped else {}, {}, report=report)  # kept to add addresses
