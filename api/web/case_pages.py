"""What the case pages of patients and specialists share: names for codes and specialists, and a case's page frame."""

from __future__ import annotations

from collections.abc import Iterable

from api.cases.present import case_warnings
from api.db import db
from api.models import Case, Specialist
from reference import conditions as catalogue


def condition_names(codes: Iterable[dict]) -> list[str]:
    """Each coded condition by its name and code, as a person reads it."""
    named = []
    for code in codes:
        found = catalogue.lookup(code["system"], code["code"])
        named.append(f"{found.name} ({code['system']}:{code['code']})" if found else f"{code['system']}:{code['code']}")
    return named


def specialists(ids: Iterable[int | None]) -> dict[int, Specialist]:
    """Directory entries by id (the ids that are None or unknown are left out)."""
    found = (db.session.get(Specialist, i) for i in set(ids) if i is not None)
    return {s.id: s for s in found if s is not None}


def doctor(specialist: Specialist | None) -> str:
    """A specialist's name as the pages write it."""
    if specialist is None:
        return "A specialist no longer in the directory"
    name = f"Dr. {specialist.first_name} {specialist.last_name}"
    return f"{name}, {specialist.credentials}" if specialist.credentials else name


def frame(case: Case) -> dict:
    """What every page about a case shows: the do-not-delay warning first (emergent cases), and the case."""
    return {"case": case, "warnings": case_warnings(case), "conditions": condition_names(case.conditions)}
