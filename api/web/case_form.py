"""The physician's "start a case" form: read into the body POST /v1/cases takes, and errors back onto its fields.

The case itself is checked by the API's own schema (CaseCreateSchema) and service; this module
only translates between form fields and that body.
"""

from __future__ import annotations

from collections.abc import Mapping

from reference import conditions as catalogue

# Where a problem with a part of the body is shown on the form (the longest matching path wins).
FIELD_OF = {
    "patient": "patient_email",
    "patient.email": "patient_email",
    "patient.name": "patient_name",
    "patient.birth_date": "birth_date",
    "patient.sex": "sex",
    "patient.zip": "zip",
    "conditions": "condition",
    "first_physician": "diagnosis",
    "first_physician.name": "first_physician_name",
    "first_physician.proposed_treatment": "proposed_treatment",
    "reasons": "reasons",
    "reason_note": "reason_note",
    "urgency": "urgency",
    "insurance": "plan",
    "insurance.member_id": "member_id",
    "questions": "questions",
    "preferences": "telehealth",
}
# Said instead of the schema's wording when the field was left blank (or, for the plan, incomplete).
BLANK = {
    "reasons": "Pick at least one reason.",
    "plan": "Choose the patient's plan and give the member id from their card, or choose self-pay.",
    "sex": "Choose one.",
}


def picked(condition: catalogue.Condition) -> str:
    """A condition as the suggestions spell it, which the search reads back exactly."""
    return f"{condition.name} ({condition.key})"


def _text(form: Mapping, name: str) -> str | None:
    return (form.get(name) or "").strip() or None


def case_body(form, condition: catalogue.Condition | None) -> dict:
    """The POST /v1/cases body the form describes (the patient invited by e-mail)."""
    plan = form.get("plan", "")
    insurance: dict = {"self_pay": True} if plan == "self" else {"self_pay": False}
    if plan != "self":
        insurance.update(plan_id=int(plan) if plan.isdigit() else None, member_id=_text(form, "member_id"))
    questions = [line.strip() for line in form.get("questions", "").splitlines() if line.strip()]
    return {
        "patient": {
            "email": _text(form, "patient_email") or "",
            "name": _text(form, "patient_name") or "",
            "birth_date": _text(form, "birth_date") or "",
            "sex": form.get("sex", ""),
            "zip": _text(form, "zip") or "",
        },
        "conditions": [{"system": condition.system, "code": condition.code}] if condition else [],
        "first_physician": {
            "name": _text(form, "first_physician_name"),
            "diagnosis": _text(form, "diagnosis") or "",
            "proposed_treatment": _text(form, "proposed_treatment"),
        },
        "reasons": form.getlist("reasons"),
        "reason_note": _text(form, "reason_note"),
        "urgency": form.get("urgency", "routine"),
        "insurance": insurance,
        "questions": questions,
        "preferences": {"languages": [], "telehealth": form.get("telehealth") == "on"},
    }


def in_words(errors: dict[str, str], form) -> dict[str, str]:
    """The errors as a person reads them: a blank field is asked for, not described by its length."""
    return {
        field: BLANK.get(field, "Please fill this in.")
        if field == "plan" or (field != "form" and not any(v.strip() for v in form.getlist(field)))
        else message
        for field, message in errors.items()
    }
