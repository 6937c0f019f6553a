"""The case pages: the referring physician starts a case (inviting its patient), matches and refers it;
every party follows it on `/cases/<id>`.

Each page calls the service the matching API view calls, with the same identity and access reason,
so each read is authorised and audited exactly as the API's (api/case_permissions.py decides who may).
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from api.auth.identity import MAX_REASON
from api.case_permissions import roles_for
from api.cases import referrals, services, timeline
from api.cases.present import case_view
from api.cases.schemas import CaseCreateSchema, ReferralCreateSchema
from api.db import db
from api.errors import BadRequest, DomainError, Forbidden
from api.matching.present import match_response
from api.models import Role, Specialist
from api.unit_of_work import unit_of_work
from api.web import case_form
from api.web.blueprint import bp
from api.web.form_errors import field_errors, form_field
from api.web.identity import sign_in_required
from api.web.search import plans, read_condition
from reference import conditions as catalogue
from search.case import REASONS, URGENCIES
from search.ranking import EMERGENT_WARNING

CASES_SHOWN = 20
MATCHES_SHOWN = 10
STEP_TEXT = {
    "created": "Case started",
    "patient_accepted": "The patient accepted the invitation",
    "matched": "Matched to specialists",
    "referred": "Referred to {specialist}",
    "referral_accepted": "{specialist} accepted the referral",
    "records_released": "Records released to {specialist}",
    "booked": "Consultation booked",
    "paid": "Consultation paid",
    "opinion_delivered": "Opinion delivered by {specialist}",
    "compared": "Opinions compared",
    "tie_breaker_referred": "Referred to {specialist} to break the tie",
    "tie_breaker_delivered": "Tie-breaking opinion delivered by {specialist}",
    "chosen_path": "Path chosen: {path}",
}
REASON_TEXT = {
    "rare_condition": "A rare condition",
    "high_risk_treatment": "A high-risk treatment is proposed",
    "unclear_diagnosis": "The diagnosis is unclear",
    "treatment_not_working": "The treatment is not working",
    "experimental_or_trial": "An experimental treatment or a trial",
    "feel_dismissed": "The patient feels dismissed",
    "other": "Another reason",
}


def access_reason() -> str | None:
    """The reason stated for this access (`?reason=`, the page's X-Access-Reason); administrators must give one."""
    reason = (request.args.get("reason") or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise BadRequest(f"A reason may be at most {MAX_REASON} characters.")
    return reason


def existing_page(path: str) -> str | None:
    """`path` when the app serves a page there (other parts of the app add the patient's and
    specialist's case pages), else None, so a link is shown only where it leads somewhere."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path


def step_text(entry: timeline.Entry) -> str:
    """One timeline entry in words."""
    path = (entry.detail.get("path") or "").replace("_", " ")
    return STEP_TEXT[entry.step].format(specialist=entry.specialist_name or "a specialist", path=path)


def condition_names(codes: list[dict]) -> list[str]:
    """A case's coded conditions by name."""
    found = (catalogue.lookup(c["system"], c["code"]) for c in codes)
    return [f"{c.name} ({c.key})" for c in found if c is not None]


@bp.context_processor
def _case_helpers() -> dict:
    return {"existing_page": existing_page, "step_text": step_text, "condition_names": condition_names}


@bp.get("/cases")
@sign_in_required(*roles_for("case.read"))
def my_cases(identity):
    """The cases I am a party to, newest first (each listed case is an audited read, as in GET /v1/cases)."""
    number = max(request.args.get("page", 1, type=int), 1)
    with unit_of_work() as uow:
        page = services.list_cases(uow, identity, number, CASES_SHOWN, access_reason())
        rows = [case_view(case) for case in page.items]
    return render_template("cases.html", rows=rows, page=page, physician=identity.role is Role.REFERRING_PHYSICIAN)


def _new_case_page(form, errors: dict, status: int = 200, readings: list | None = None):
    return render_template(
        "case_new.html",
        form=form,
        errors=errors,
        readings=[case_form.picked(c) for c in readings or ()],
        plan_options=[("", "Choose a plan"), ("self", "Self-pay (no plan)")] + [(str(p.id), p.name) for p in plans()],
        urgencies=URGENCIES,
        reasons=[(key, REASON_TEXT[key]) for key in REASONS],
        emergent_warning=EMERGENT_WARNING,
    ), status


@bp.get("/cases/new")
@sign_in_required(Role.REFERRING_PHYSICIAN)
def new_case(identity):
    """The form that starts a case for a patient, who is invited by e-mail to accept it."""
    return _new_case_page(MultiDict({"urgency": "routine", "telehealth": "on"}), {})


@bp.post("/cases/new")
@sign_in_required(Role.REFERRING_PHYSICIAN)
def new_case_post(identity):
    """Start the case as POST /v1/cases does; words that were not a picked suggestion are read back first."""
    form = request.form
    words = (form.get("other_words") or form.get("condition") or "").strip()
    condition, alternatives = read_condition(words)
    if condition is None:
        return _new_case_page(form, {"condition": "We could not find that condition. Try other words."}, 422)
    if words != case_form.picked(condition):  # the physician confirms our reading before it goes into the case
        return _new_case_page(form, {}, readings=[condition, *alternatives])
    try:
        body = CaseCreateSchema().load(case_form.case_body(form, condition))
        with unit_of_work() as uow:
            case = services.create_case(uow, identity, body, access_reason())
            case_id = case.id
    except ma.ValidationError as invalid:
        return _new_case_page(form, case_form.in_words(field_errors(invalid.messages, case_form.FIELD_OF), form), 422)
    except DomainError as refused:
        if refused.field is None:
            raise
        return _new_case_page(form, {form_field(refused.field, case_form.FIELD_OF): refused.detail}, refused.status)
    return redirect(url_for("web.case_page", case_id=case_id))


@bp.get("/cases/<id:case_id>")
@sign_in_required(*roles_for("case.read"))
def case_page(case_id: int, identity):
    """A case, its referrals and its timeline, each read authorised and audited as the API's GETs are."""
    reason = access_reason()
    with unit_of_work() as uow:
        try:
            case = services.read_case(uow, identity, case_id, reason)
        except Forbidden:
            if reason is None:  # support access needs a reason (the service's rule): ask for it on the page
                return render_template("case_reason.html", case_id=case_id), 403
            raise
        view = case_view(case)
        sent = [(r, _specialist(r.specialist_id)) for r in referrals.list_referrals(uow, identity, case_id, reason)]
        try:
            _, entries = timeline.read_timeline(uow.session, identity, case_id, reason)
        except Forbidden:
            entries = None  # a referred specialist reads the case, not its timeline (api/case_permissions.py)
    return render_template("case.html", case=view, referrals=sent, entries=entries, role=identity.role.value)


def _specialist(specialist_id: int | None) -> Specialist | None:
    return db.session.get(Specialist, specialist_id) if specialist_id else None


def _match_page(case_id: int, identity, run: bool):
    reason = access_reason()
    with unit_of_work() as uow:
        view = case_view(services.read_case(uow, identity, case_id, reason))
        matched = services.match_case(uow, identity, case_id, MATCHES_SHOWN, reason) if run else None
    answer = match_response(*matched) if matched else None
    return render_template("case_match.html", case=view, answer=answer, reason=reason)


@bp.get("/cases/<id:case_id>/match")
@sign_in_required(*roles_for("case.match"))
def case_match(case_id: int, identity):
    """The case and the button that matches it: reading this page (or a browser's prefetch of it) matches nothing."""
    return _match_page(case_id, identity, run=False)


@bp.post("/cases/<id:case_id>/match")
@sign_in_required(*roles_for("case.match"))
def case_match_post(case_id: int, identity):
    """Specialists for the case with the reasons and the coverage verdict, as POST /v1/cases/{id}/matches answers
    (audited as case.match, the timeline's "matched"). Nothing of a match is stored, so its answer is this page."""
    return _match_page(case_id, identity, run=True)


@bp.post("/cases/<id:case_id>/refer")
@sign_in_required(*roles_for("referral.send"))
def case_refer(case_id: int, identity):
    """Refer the case to the specialists picked on the match page (POST /v1/cases/{id}/referrals)."""
    body = {"specialist_ids": request.form.getlist("specialist_ids"), "send": True}
    if note := request.form.get("note", "").strip():
        body["note"] = note
    try:
        data = ReferralCreateSchema().load(body)
    except ma.ValidationError:
        abort(422, "Pick at least one specialist (at most ten) to refer the case to.")
    with unit_of_work() as uow:
        referrals.send_referrals(uow, identity, case_id, data, access_reason())
    return redirect(url_for("web.case_page", case_id=case_id))
