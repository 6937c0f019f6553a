"""Human-readable reasons for a candidate: why this specialist, for this case, at this location."""
from __future__ import annotations

from reference import conditions as catalogue
from reference import nucc
from search import scoring
from search.case import MatchCase


def reasons_for(case: MatchCase, doc: dict, levels: list, status: str, distance_mi: float | None) -> list[str]:
    """Short sentences a patient can read, most important first."""
    reasons = _expertise_reasons(case, doc, levels)
    reasons += _coverage_reasons(case, doc, status)
    if distance_mi is not None:
        reasons.append(f"{distance_mi:.1f} mi" if distance_mi < 10 else f"{distance_mi:.0f} mi")
    if doc["telehealth"]:
        reasons.append("telehealth available")
    days = scoring.days_until_available(case.now, doc.get("next_available"))
    if days is not None:
        reasons.append("next available today" if days < 1 else f"next available in {int(days + 0.5)} days")
    if doc["rating"] is not None and doc["review_count"] > 0:
        reasons.append(f"rated {doc['rating']:.1f} from {doc['review_count']} reviews")
    if case.exclude_institution_names or case.exclude_institution_ids:
        if scoring.independence(case, doc) < 1.0:
            reasons.append("may be affiliated with an institution you excluded")
        else:
            reasons.append("independent of the first opinion's institution")
    return reasons


def _expertise_reasons(case: MatchCase, doc: dict, levels: list) -> list[str]:
    if not case.conditions:
        name = _specialty_name(case.specialty)
        return [f"specialises in {name}" if doc["primary_specialty"] == case.specialty else f"practises {name}"]
    out = []
    for (key, group), (_, kind, held) in zip(zip(case.condition_keys, case.condition_groups), levels):
        if kind == "exact":
            out.append(f"treats {key} ({_evidence(held)})")
        elif kind == "group":
            out.append(f"treats {held['key']}, related to {key}{_group_label(group)} ({_evidence(held)})")
        elif kind == "specialty":
            code = doc["primary_specialty"] if doc["primary_specialty"] in case.treating_specialties else \
                next(c for c in doc["specialties"] if c in case.treating_specialties)
            out.append(f"{_specialty_name(code)}, a specialty that treats {key}")
    return out


def _evidence(held: dict) -> str:
    parts = [_count(held["cases_per_year"], "case") + "/yr"]
    if held["publications"]:
        parts.append(_count(held["publications"], "publication"))
    if held["center_of_expertise"]:
        parts.append("centre of expertise")
    return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _coverage_reasons(case: MatchCase, doc: dict, status: str) -> list[str]:
    plan = case.plan_name or "your plan"
    price = doc["self_pay_price_cents"]
    price_text = f"self-pay ${price / 100:,.0f}" if price is not None else ""
    if status == "in_network":
        return [f"in network for {plan} at this location"]
    if status == "out_of_network_self_pay":
        return [f"not in network for {plan} here; {price_text}"]
    return [price_text] if price_text else []


def _specialty_name(code: str | None) -> str:
    taxonomy = nucc.get(code or "")
    return taxonomy.display if taxonomy else str(code)


def _group_label(group: str | None) -> str:
    label = catalogue.group_label(group) if group else None
    return f" ({label})" if label else ""
