"""The patient's case pages: accept a physician's invitation, release records to a specialist (and
revoke), read the opinions and their comparison, record the decision.

Each page calls the case services the API calls, with the signed-in identity; every read they make
is audited there, and every refusal comes back as a page. The case's own page (the timeline) is
`/cases/<id>`, which the physicians' pages provide.
"""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for

from api.case_permissions import SPECIALIST_VISIBLE
from api.cases import authorizations, consent, decision, opinions, records, referrals, services
from api.cases.journey_schemas import DecisionCreateSchema
from api.cases.present import comparison_view
from api.cases.record_schemas import AuthorizationCreateSchema, AuthorizationSchema
from api.cases.timeline import tie_breaker_referral_ids
from api.db import db, utcnow
from api.errors import Invalid
from api.models import ChosenPath, Role, User
from api.unit_of_work import unit_of_work
from api.web.blueprint import bp
from api.web.case_pages import condition_names, doctor, frame, specialists
from api.web.forms import load
from api.web.identity import sign_in_required, web_identity

RELEASE_DAYS = 90  # the release form's suggested end
TIE_BREAKERS_SHOWN = 5


@bp.get("/invitations/<token>")
def invitation(token: str):
    """The page a case invitation opens: sign up or sign in with the invited address, then accept."""
    return render_template("invitation.html", token=token, identity=web_identity())


@bp.post("/invitations/<token>")
@sign_in_required(Role.PATIENT)
def invitation_accept(token: str, identity):
    """Accept the case: it is linked to this account and may now be shared with specialists."""
    with unit_of_work() as uow:
        case = consent.accept(uow, identity, token)
    return redirect(url_for("web.case_release", case_id=case.id))


def _release_page(case_id: int, identity, errors: dict | None = None, status: int = 200):
    with unit_of_work() as uow:
        case = services.read_case(uow, identity, case_id, None)
        sent = referrals.list_referrals(uow, identity, case_id, None)
        grants = authorizations.list_authorizations(uow, identity, case_id, None)
        checklist, documents = records.list_records(uow, identity, case_id, None)
    referred = [r for r in sent if r.status in SPECIALIST_VISIBLE]
    names = specialists([r.specialist_id for r in referred] + [g.recipient_specialist_id for g in grants])
    return render_template(
        "release.html",
        **frame(case),
        referred=referred,
        grants=AuthorizationSchema(many=True).dump(grants),
        names={i: doctor(s) for i, s in names.items()},
        kinds=checklist,
        documents=documents,
        until=(utcnow() + timedelta(days=RELEASE_DAYS)).date().isoformat(),
        errors=errors or {},
    ), status


@bp.get("/cases/<id:case_id>/release")
@sign_in_required(Role.PATIENT)
def case_release(case_id: int, identity):
    """The specialists the case is sent to, what each may read, and the forms to release or revoke."""
    return _release_page(case_id, identity)


@bp.post("/cases/<id:case_id>/release")
@sign_in_required(Role.PATIENT)
def case_release_post(case_id: int, identity):
    """Release the records (all, or some kinds) to one referred specialist until a day."""
    form = request.form
    until = form.get("until", "").strip()
    data, errors = load(
        AuthorizationCreateSchema(),
        {
            "recipient_specialist_id": form.get("specialist_id", ""),
            "scope": form.getlist("scope") or ["all"],
            "expires_at": f"{until}T23:59:59+00:00" if until else "",
        },
    )
    if data is None:
        return _release_page(case_id, identity, errors, 422)
    try:
        with unit_of_work() as uow:
            authorizations.grant(uow, identity, case_id, data, None)
    except Invalid as refused:
        return _release_page(case_id, identity, {refused.field or "expires_at": refused.detail}, 422)
    return redirect(url_for("web.case_release", case_id=case_id))


@bp.post("/cases/<id:case_id>/release/<id:authorization_id>/revoke")
@sign_in_required(Role.PATIENT)
def case_release_revoke(case_id: int, authorization_id: int, identity):
    """Revoke a release: the specialist's next read of the records is refused."""
    with unit_of_work() as uow:
        authorizations.revoke(uow, identity, case_id, authorization_id, None)
    return redirect(url_for("web.case_release", case_id=case_id))


@bp.get("/cases/<id:case_id>/opinions")
@sign_in_required(Role.PATIENT, Role.REFERRING_PHYSICIAN)
def case_opinions(case_id: int, identity):
    """The opinions delivered; with two or more, their comparison and, when they disagree, a tie-breaker."""
    with unit_of_work() as uow:
        case = services.read_case(uow, identity, case_id, None)
        delivered = opinions.list_opinions(uow, identity, case_id, None)
        comparison = None
        if len(delivered) >= 2:  # comparing is a step of the timeline: only once there is something to compare
            comparison = comparison_view(opinions.compare(uow, identity, case_id, TIE_BREAKERS_SHOWN, None))
    names = specialists(o.specialist_id for o in delivered)
    return render_template(
        "opinions.html",
        **frame(case),
        opinions=[
            {"opinion": o, "by": doctor(names.get(o.specialist_id or 0)), "codes": condition_names(o.diagnosis_codes)}
            for o in delivered
        ],
        comparison=comparison,
        classification=opinions.classify,
    )


def _paths(case, delivered: list, names: dict) -> list[tuple[str, str]]:
    """The paths to choose from: the first plan, or following one delivered opinion (a tie-breaker's or not)."""
    tie_breakers = tie_breaker_referral_ids(list(case.referrals), delivered)
    paths = [(ChosenPath.FIRST_PLAN.value, "Stay with the first physician's plan")]
    for o in delivered:
        kind = ChosenPath.TIE_BREAKER if o.referral_id in tie_breakers else ChosenPath.SECOND_OPINION
        which = "tie-breaker" if kind is ChosenPath.TIE_BREAKER else "second"
        paths.append(
            (f"{kind.value}:{o.id}", f"Follow the {which} opinion of {doctor(names.get(o.specialist_id or 0))}")
        )
    return paths


def _decision_page(case_id: int, identity, errors: dict | None = None, status: int = 200):
    with unit_of_work() as uow:
        case = services.read_case(uow, identity, case_id, None)
        delivered = opinions.list_opinions(uow, identity, case_id, None)
    names = specialists(o.specialist_id for o in delivered)
    referrers = [db.session.get(User, i) for i in [case.created_by_user_id] + [c.user_id for c in case.copies]]
    physicians = [(f"physician:{u.id}", u.display_name) for u in referrers if u and u.role is Role.REFERRING_PHYSICIAN]
    physicians += [(f"specialist:{i}", doctor(s)) for i, s in names.items()]
    chosen = case.decision
    return render_template(
        "decision.html",
        **frame(case),
        paths=_paths(case, delivered, names),
        physicians=list(dict.fromkeys(physicians)),
        decided=chosen,
        decided_with=db.session.get(User, chosen.physician_user_id) if chosen else None,
        errors=errors or {},
    ), status


@bp.get("/cases/<id:case_id>/decision")
@sign_in_required(Role.PATIENT)
def case_decision(case_id: int, identity):
    """The choice of path and of the physician to continue with (or the choice already recorded)."""
    return _decision_page(case_id, identity)


@bp.post("/cases/<id:case_id>/decision")
@sign_in_required(Role.PATIENT)
def case_decision_post(case_id: int, identity):
    """Record the decision: the physician chosen is told, and the case closes."""
    path, _, opinion_id = request.form.get("path", "").partition(":")
    who, _, whom = request.form.get("physician", "").partition(":")
    body = {"path": path, **({"opinion_id": opinion_id} if opinion_id else {})}
    if who in ("physician", "specialist"):
        body["physician_user_id" if who == "physician" else "specialist_id"] = whom
    data, errors = load(DecisionCreateSchema(), body)
    if data is None:
        return _decision_page(case_id, identity, errors, 422)
    try:
        with unit_of_work() as uow:
            decision.decide(uow, identity, case_id, data, None)
    except Invalid as refused:
        return _decision_page(case_id, identity, {refused.field or "path": refused.detail}, 422)
    return redirect(url_for("web.case_decision", case_id=case_id))
