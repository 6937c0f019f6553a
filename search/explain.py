"""Human-readable reasons for a candidate: why this specialist, for this case, at this location."""

from __future__ import annotations

from reference import conditions as catalogue
from reference import nucc
from reference.specialty_map import is_diagnostic
from search import scoring
from search.case import MatchCase

# English names of the consultation languages the directory lists (ISO 639-1); others show as codes.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "fr": "French",
    "ko": "Korean",
    "ru": "Russian",
    "de": "German",
    "ht": "Haitian Creole",
    "hi": "Hindi",
    "pt": "Portuguese",
    "it": "Italian",
    "pl": "Polish",
    "ur": "Urdu",
    "fa": "Persian",
    "gu": "Gujarati",
    "ja": "Japanese",
    "bn": "Bengali",
    "pa": "Punjabi",
    "he": "Hebrew",
    "el": "Greek",
    "ta": "Tamil",
}

# Said on a pathologist or diagnostic imager offered for a treatment question (scoring.standing -1).
READS_ONLY = "reviews slides or images: ranked after the specialists who treat it, as the question is about treatment"


def reasons_for(case: MatchCase, doc: dict, levels: list, status: str, distance_mi: float | None) -> list[str]:
    """Short sentences a patient can read, most important first."""
    reasons = _expertise_reasons(case, doc, levels)
    reasons += _coverage_reasons(case, doc, status)
    if doc["specialist_id"] in case.referred_specialist_ids:
        reasons.append("a referral to this specialist is on file for this case")
    if distance_mi is not None:
        reasons.append(f"{distance_mi:.1f} mi" if distance_mi < 10 else f"{distance_mi:.0f} mi")
    reasons += _telehealth_reasons(case, doc)
    spoken = [lang for lang in case.languages if lang in doc["languages"]]
    if spoken:
        reasons.append("consults in " + ", ".join(_language_name(lang) for lang in spoken))
    days = scoring.days_until_available(case.now, doc.get("next_available"))
    if days is not None:
        reasons.append("next available today" if days < 1 else f"next available in {int(days + 0.5)} days")
    if doc["rating"] is not None and doc["review_count"] > 0:
        reasons.append(f"rated {doc['rating']:.1f} from {doc['review_count']} reviews")
    if case.exclude_institution_names or case.exclude_institution_ids:
        independence = scoring.independence(case, doc)
        if independence == scoring.AFFILIATED:
            reasons.append("same health system as an institution you excluded")
        elif independence < 1.0:
            reasons.append("name resembles an institution you excluded; they may be related")
        else:
            reasons.append("independent of the first opinion's institution")
    return reasons


def _telehealth_reasons(case: MatchCase, doc: dict) -> list[str]:
    if not doc["telehealth"]:
        return []
    if case.patient_state is None:
        return ["telehealth available"]
    if scoring.telehealth_reachable(case, doc):
        return [f"telehealth available: licensed in {case.patient_state}"]
    return [f"telehealth not offered to you: not licensed in {case.patient_state}"]


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _expertise_reasons(case: MatchCase, doc: dict, levels: list) -> list[str]:
    if not case.conditions:
        name = _specialty_name(case.specialty)
        return [f"specialises in {name}" if doc["primary_specialty"] == case.specialty else f"practises {name}"]
    out = []
    for (key, group), (_, kind, held) in zip(
        zip(case.condition_keys, case.condition_groups, strict=True), levels, strict=True
    ):
        if kind == "exact":
            out.append(f"treats {key} ({_evidence(held)})")
        elif kind == "group":
            out.append(f"treats {held['key']}, related to {key}{_group_label(group)} ({_evidence(held)})")
        elif kind == "specialty":
            code = (
                doc["primary_specialty"]
                if doc["primary_specialty"] in case.treating_specialties
                else next(c for c in doc["specialties"] if c in case.treating_specialties)
            )
            does = "reviews the diagnosis of" if is_diagnostic(code) else "treats"
            out.append(f"{_specialty_name(code)}, a specialty that {does} {key}")
    if scoring.reads_only(case, doc):
        out.append(READS_ONLY)
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
    notes = list(case.coverage_notes)
    if status == "in_network":
        return notes + [f"in network for {plan} at this location", *case.in_network_notes]
    if status == "out_of_network_self_pay":
        return notes + [f"not in network for {plan} here; {price_text}"]
    return notes + ([price_text] if price_text else [])


def _specialty_name(code: str | None) -> str:
    taxonomy = nucc.get(code or "")
    return taxonomy.display if taxonomy else str(code)


def _group_label(group: str | None) -> str:
    label = catalogue.group_label(group) if group else None
    return f" ({label})" if label else ""
