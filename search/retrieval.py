"""The hard constraints of a match, as one pure predicate both backends implement.

A document qualifies when every one of these holds:
1. expertise: it holds one of the treating specialties (the named one, or those that treat a case
   condition), or a case condition code, or a code in a case condition's group;
2. coverage: with a plan, in network at this location or self-pay accepted; self-paying, a self-pay
   price is published; with neither, no constraint;
3. accepting: the location takes new patients and the specialist gives second opinions;
4. place: within `max_distance_mi` of the case's point, or telehealth on both sides with a licence in
   the patient's state (no point: any);
5. language: speaks one of the requested languages (none requested: any);
6. exclusions: neither the specialist nor the institution (by id or by name) is excluded;
7. population: a child (under 18) never gets an adult-only specialist, an adult never a
   paediatric-only one; all-ages specialists serve both (no age given: any).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from search.case import MatchCase, normalise_institution_name
from search.scoring import doc_distance, telehealth_reachable


def qualifies_by_expertise(case: MatchCase, doc: dict) -> bool:
    """Constraint 1: a treating specialty, a case condition code or one in its group."""
    if case.treating_specialties.intersection(doc["specialties"]):
        return True
    if set(case.condition_keys).intersection(doc["condition_keys"]):
        return True
    return bool(case.group_keys.intersection(doc["condition_groups"]))


def qualifies_by_coverage(case: MatchCase, doc: dict) -> bool:
    """Constraint 2: in network for the plan at this location, or self-pay accepted."""
    self_pay_ok = doc["self_pay_price_cents"] is not None
    if case.has_plan:
        return bool(case.network_ids.intersection(doc["network_ids"])) or self_pay_ok
    return self_pay_ok if case.self_pay else True


def qualifies_by_place(case: MatchCase, doc: dict, distance_mi: float | None) -> bool:
    """Constraint 4: close enough, or both sides happy with telehealth."""
    if distance_mi is None or distance_mi <= case.max_distance_mi:
        return True
    return case.telehealth_ok and telehealth_reachable(case, doc)


def qualifies_by_population(case: MatchCase, doc: dict) -> bool:
    """Constraint 7: the specialist sees patients of this age."""
    return not case.age_known or doc["population"] in case.populations


def is_excluded(case: MatchCase, doc: dict) -> bool:
    """Constraint 6: the patient asked not to see this doctor or this institution again."""
    if doc["specialist_id"] in case.exclude_specialist_ids:
        return True
    if doc["institution_id"] is not None and doc["institution_id"] in case.exclude_institution_ids:
        return True
    return (
        bool(case.exclude_institution_names)
        and normalise_institution_name(doc["institution_name"]) in case.exclude_institution_names
    )


def qualifies(case: MatchCase, doc: dict) -> bool:
    """Whether a document passes every hard constraint of the case."""
    return (
        doc["accepting"]
        and qualifies_by_expertise(case, doc)
        and qualifies_by_coverage(case, doc)
        and (not case.languages or bool(set(case.languages).intersection(doc["languages"])))
        and not is_excluded(case, doc)
        and qualifies_by_population(case, doc)
        and qualifies_by_place(case, doc, doc_distance(case, doc))
    )


def retrieve(case: MatchCase, docs: Iterable[dict]) -> Iterator[dict]:
    """The documents that pass the hard constraints (the reference a backend is tested against)."""
    return (doc for doc in docs if qualifies(case, doc))
