"""How a specialist is shown: ORM rows to the plain shapes the schemas dump."""

from __future__ import annotations

from api.models import PracticeLocation, Specialist
from reference import conditions as condition_catalogue
from reference import nucc


def specialist_view(specialist: Specialist, distance_mi: float | None = None) -> dict:
    """The directory's view of a specialist."""
    view = {
        column: getattr(specialist, column)
        for column in (
            "id",
            "npi",
            "first_name",
            "last_name",
            "credentials",
            "gender",
            "board_certifications",
            "bio",
            "institution_id",
            "accepts_second_opinions",
            "telehealth",
            "self_pay_price_cents",
            "rating",
            "review_count",
            "data_source",
            "last_verified",
            "created_at",
            "updated_at",
            "institution",
            "languages",
            "licensed_states",
            "patient_population",
        )
    }
    view["specialties"] = [
        {"code": s.taxonomy_code, "display": _display(s.taxonomy_code), "primary": s.is_primary}
        for s in sorted(specialist.specialties, key=lambda s: (not s.is_primary, s.taxonomy_code))
    ]
    view["conditions"] = [_condition_view(c) for c in sorted(specialist.conditions, key=lambda c: (c.system, c.code))]
    view["locations"] = [practice_view(p) for p in specialist.practice_locations]
    if distance_mi is not None:
        view["distance_mi"] = distance_mi
    return view


def practice_view(practice: PracticeLocation) -> dict:
    """A practice location with its networks."""
    return {
        "id": practice.id,
        "location": practice.location,
        "accepting_new_patients": practice.accepting_new_patients,
        "networks": sorted((p.network for p in practice.participations), key=lambda n: n.code),
    }


def _display(code: str) -> str:
    taxonomy = nucc.get(code)
    return taxonomy.display if taxonomy else code


def _condition_view(row) -> dict:
    known = condition_catalogue.lookup(row.system, row.code)
    return {
        "system": row.system,
        "code": row.code,
        "name": known.name if known else None,
        "cases_per_year": row.cases_per_year,
        "publications": row.publications,
        "center_of_expertise": row.center_of_expertise,
    }
