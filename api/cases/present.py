"""Shaping case rows into the nested form the schemas dump."""

from __future__ import annotations

import json
from typing import Any

from api.cases.consent import invitation_view
from api.cases.opinions import Comparison, classify
from api.matching.present import match_response
from api.models import Case, Opinion, Specialist, Urgency
from search.ranking import EMERGENT_WARNING


def case_warnings(case: Case) -> list[str]:
    """What every answer about the case must say first: an emergent case must not wait for us."""
    return [EMERGENT_WARNING] if case.urgency is Urgency.EMERGENT else []


def case_view(case: Case) -> dict:
    """A case as the API shows it to its parties."""
    plan = case.plan
    return {
        "id": case.id,
        "created_by_user_id": case.created_by_user_id,
        "created_at": case.created_at,
        "patient": {
            "user_id": case.patient_user_id,
            "name": case.patient_name,
            "birth_date": case.patient_birth_date,
            "sex": case.patient_sex,
            "zip": case.patient_zip,
        },
        "conditions": case.conditions,
        "specialty": case.specialty,
        "first_physician": {
            "name": case.first_physician_name,
            "npi": case.first_physician_npi,
            "institution": case.first_physician_institution,
            "diagnosis": case.first_diagnosis,
            "proposed_treatment": case.proposed_treatment,
        },
        "reasons": case.second_opinion_reasons,
        "reason_note": case.reason_note,
        "urgency": case.urgency.value,
        "insurance": {
            "self_pay": case.self_pay,
            "plan_id": case.plan_id,
            "member_id": case.member_id,
            "prior_authorization_number": case.prior_authorization_number,
            "plan_name": plan.name if plan else None,
            "plan_type": plan.plan_type.value if plan else None,
        },
        "questions": case.questions,
        "goals": case.goals,
        "preferences": {
            "languages": case.languages,
            "telehealth": case.telehealth_ok,
            "zip": case.preferred_zip,
            "max_distance_mi": case.max_distance_mi,
        },
        "copied_physician_ids": sorted(copy.user_id for copy in case.copies),
        "status": case.status.value,
        "invitation": invitation_view(case.invitation),
        "warnings": case_warnings(case),
    }


def _keys(codes: list[dict]) -> list[str]:
    return sorted(f"{c['system']}:{c['code']}" for c in codes)


def comparison_view(comparison: Comparison) -> dict:
    """The comparison as the API shows it: one column per source, one row per compared field."""
    case, opinions = comparison.case, comparison.opinions
    rows: list[tuple[str, Any, list[Any]]] = [
        ("diagnosis_codes", _keys(case.conditions), [_keys(o.diagnosis_codes) for o in opinions]),
        ("agrees_with_diagnosis", None, [o.agrees_with_diagnosis for o in opinions]),
        ("agrees_with_treatment", None, [o.agrees_with_treatment for o in opinions]),
        ("treatment", case.proposed_treatment, [o.recommended_plan for o in opinions]),
        ("alternatives", None, [o.alternatives for o in opinions]),
        ("clinical_trials", None, [o.clinical_trials for o in opinions]),
        ("classification", None, [classify(o) for o in opinions]),
    ]
    view = {
        "case_id": case.id,
        "conflict": comparison.conflict,
        "opinions": [_summary(o, comparison.specialists.get(o.specialist_id or 0)) for o in opinions],
        "columns": ["first_physician"] + [f"opinion:{o.id}" for o in opinions],
        "rows": [
            {"field": name, "values": [first] + values, "differs": _differs([first] + values)}
            for name, first, values in rows
        ],
        "tie_breaker": None,
    }
    if comparison.tie_breaker is not None:
        view["tie_breaker"] = {
            "excluded_specialist_ids": sorted(comparison.excluded_specialist_ids),
            "excluded_institution_ids": sorted(comparison.excluded_institution_ids),
            "match": match_response(*comparison.tie_breaker),
        }
    return view


def _summary(opinion: Opinion, specialist: Specialist | None) -> dict:
    name = None
    if specialist:
        name = f"Dr. {specialist.first_name} {specialist.last_name}"
        name += f", {specialist.credentials}" if specialist.credentials else ""
    return {
        "opinion_id": opinion.id,
        "referral_id": opinion.referral_id,
        "specialist_id": opinion.specialist_id,
        "specialist_name": name,
        "institution_id": specialist.institution_id if specialist else None,
        "classification": classify(opinion),
    }


def _differs(values: list) -> bool:
    # Blank cells (the first physician has no "agrees" answer) do not count as a difference.
    present = [json.dumps(v, sort_keys=True) for v in values if v is not None]
    return len(set(present)) > 1
