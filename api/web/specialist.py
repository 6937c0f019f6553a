"""The specialist's pages: claim the directory profile from the invitation, the inbox, a referral
(accept or decline it, read the released records) and the opinion form.

The records download through the same authorised, audited read as GET /v1/cases/{id}/records/{doc}:
under the patient's live release only, checked on every download.
"""

from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for

from api import case_permissions as permissions
from api.accounts import invitations
from api.accounts.schemas import ClaimSchema
from api.case_permissions import SPECIALIST_VISIBLE
from api.cases import inbox, opinions, records, referrals, services
from api.cases.journey_schemas import InboxQuerySchema
from api.cases.opinion_schemas import OpinionCreateSchema
from api.cases.opinions import DELIVERABLE
from api.cases.schemas import TransitionSchema
from api.cases.web import document_response
from api.db import db
from api.errors import Forbidden, Invalid
from api.models import RecordDocument, Role
from api.unit_of_work import unit_of_work
from api.web.blueprint import bp
from api.web.case_pages import condition_names, frame
from api.web.forms import lines, load
from api.web.identity import sign_in_required

INBOX_PAGE_SIZE = 50


@bp.get("/claim/<token>")
def claim(token: str):
    """The page an invitation opens: the directory profile it offers and the password to set."""
    offer = invitations.preview_invitation(db.session, token)
    return render_template("claim.html", offer=offer, token=token, errors={})


@bp.post("/claim/<token>")
def claim_post(token: str):
    """Claim the profile: an account bound to the directory entry, with the invited address."""
    offer = invitations.preview_invitation(db.session, token)  # an unknown, used or expired link: 404 page
    body = {"token": token, "password": request.form.get("password", "")}
    if request.form.get("display_name", "").strip():
        body["display_name"] = request.form["display_name"].strip()
    data, errors = load(ClaimSchema(), body)
    if data is None:
        return render_template("claim.html", offer=offer, token=token, errors=errors), 422
    with unit_of_work() as uow:
        user = invitations.claim_profile(uow, token, data["password"], data.get("display_name"))
        email = user.email
    return render_template("claimed.html", email=email)


@bp.get("/inbox")
@sign_in_required(Role.SPECIALIST)
def inbox_page(identity):
    """Referrals sent to me, emergent first, with whether the patient has released the records to me."""
    args, _ = load(InboxQuerySchema(), {"page": request.args.get("page", "1"), "page_size": INBOX_PAGE_SIZE})
    with unit_of_work() as uow:
        page = inbox.read_inbox(uow.session, identity, args or {"page": 1, "page_size": INBOX_PAGE_SIZE})
    items = [{"item": item, "conditions": condition_names(item.case.conditions)} for item in page.items]
    return render_template("inbox.html", items=items, page=page)


def _referral_page(referral_id: int, identity, errors: dict | None = None, status: int = 200):
    with unit_of_work() as uow:
        referral = referrals.read_referral(uow, identity, referral_id, None)  # the first read marks it received
        case, refused = None, None
        documents: list[RecordDocument] = []
        if referral.status in SPECIALIST_VISIBLE:  # declined or cancelled: the case is no longer shown
            case = services.read_case(uow, identity, referral.case_id, None)
            try:
                _, documents = records.list_records(uow, identity, referral.case_id, None)
            except Forbidden as no_release:
                refused = no_release.detail
        delivered = opinions.list_opinions(uow, identity, referral.case_id, None) if case else []
    return render_template(
        "referral.html",
        **(frame(case) if case else {"case": None, "warnings": []}),
        referral=referral,
        documents=documents,
        no_release=refused,
        opinion=next((o for o in delivered if o.referral_id == referral.id), None),
        can_write=referral.status in DELIVERABLE,
        errors=errors or {},
    ), status


@bp.get("/referrals/<id:referral_id>")
@sign_in_required(Role.SPECIALIST)
def referral_page(referral_id: int, identity):
    """A referral to me: the case, its questions, the records released to me, and what I can do next."""
    return _referral_page(referral_id, identity)


@bp.post("/referrals/<id:referral_id>/<any(accept, decline):action>")
@sign_in_required(Role.SPECIALIST)
def referral_answer(referral_id: int, action: str, identity):
    """Accept the referral, or decline it and say why: the same transitions as the API's referral endpoint."""
    body = {"action": "accept"} if action == "accept" else {"action": "reject", "reason": request.form.get("reason")}
    data, errors = load(TransitionSchema(), {k: v for k, v in body.items() if v})
    if data is None:
        return _referral_page(referral_id, identity, errors, 422)
    try:
        with unit_of_work() as uow:
            referrals.transition(uow, identity, referral_id, data, None)
    except Invalid as refused:
        return _referral_page(referral_id, identity, {"reason": refused.detail}, 422)
    return redirect(url_for("web.referral_page", referral_id=referral_id))


@bp.get("/referrals/<id:referral_id>/records/<id:document_id>")
@sign_in_required(Role.SPECIALIST)
def referral_record(referral_id: int, document_id: int, identity):
    """Download a released document: refused (403 page) once the patient has revoked the release."""
    referral, _ = permissions.authorize_referral(db.session, identity, referral_id, "record.download", None)
    with unit_of_work() as uow:
        document = records.download_record(uow, identity, referral.case_id, document_id, None)
    return document_response(document)


def _opinion_body(form) -> dict:
    """The POST /v1/referrals/{id}/opinion body the form describes."""
    codes = [code.partition(":") for code in re.split(r"[\s,;]+", form.get("diagnosis_codes", "")) if code]
    answers = [
        {"question_index": int(key.removeprefix("answer-")), "answer": text.strip()}
        for key, text in form.items()
        if re.fullmatch(r"answer-\d{1,2}", key) and text.strip()
    ]
    return {
        "diagnosis_codes": [{"system": system, "code": code} for system, _, code in codes],
        "agrees_with_diagnosis": form.get("agrees_with_diagnosis", ""),
        "agrees_with_treatment": form.get("agrees_with_treatment", ""),
        "recommended_plan": form.get("recommended_plan", "").strip(),
        "alternatives": lines(form.get("alternatives")),
        "clinical_trials": lines(form.get("clinical_trials")),
        "answers": answers,
    }


def _opinion_form(referral_id: int, identity, form: dict, errors: dict, status: int = 200):
    with unit_of_work() as uow:
        referral = referrals.read_referral(uow, identity, referral_id, None)
        case = services.read_case(uow, identity, referral.case_id, None)
    return render_template("opinion_form.html", **frame(case), referral=referral, form=form, errors=errors), status


@bp.get("/referrals/<id:referral_id>/opinion")
@sign_in_required(Role.SPECIALIST)
def opinion_form(referral_id: int, identity):
    """The opinion form: the first physician's view beside it, and one answer for each of the patient's questions."""
    return _opinion_form(referral_id, identity, {}, {})


@bp.post("/referrals/<id:referral_id>/opinion")
@sign_in_required(Role.SPECIALIST)
def opinion_post(referral_id: int, identity):
    """Deliver the opinion; the referral is then completed and the patient told."""
    data, errors = load(OpinionCreateSchema(), _opinion_body(request.form))
    if data is None:
        return _opinion_form(referral_id, identity, request.form, errors, 422)
    try:
        with unit_of_work() as uow:
            opinions.deliver(uow, identity, referral_id, data, None)
    except Invalid as refused:
        return _opinion_form(referral_id, identity, request.form, {refused.field or "answers": refused.detail}, 422)
    return redirect(url_for("web.referral_page", referral_id=referral_id))
