"""Random match cases drawn from a directory's own documents, so most of them find someone."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from search.case import REASONS, URGENCIES, MatchCase

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
DISTANCES = (5.0, 10.0, 25.0, 50.0, 100.0, 250.0)
OTHER_CONDITIONS = (("ORPHA", "520"), ("ICD-10-CM", "C92.00"), ("ICD-10-CM", "M32.14"), ("ICD-10-CM", "G35"))


def random_case(rng: random.Random, docs: list[dict]) -> MatchCase:
    """One case: anchored on a random document, with every optional constraint switched on at random."""
    anchor = rng.choice(docs)
    conditions: list[tuple[str, str]] = []
    if anchor["conditions"] and rng.random() < 0.7:
        held = rng.sample(anchor["conditions"], k=min(len(anchor["conditions"]), rng.choice((1, 1, 2))))
        conditions = [(c["system"], c["code"]) for c in held]
        if rng.random() < 0.2:
            conditions.append(rng.choice(OTHER_CONDITIONS))
    specialty = None if conditions and rng.random() < 0.6 else rng.choice(anchor["specialties"] or ["207RX0202X"])
    other = rng.choice(docs)
    lat, lon = anchor["location"]["lat"] + rng.uniform(-0.5, 0.5), anchor["location"]["lon"] + rng.uniform(-0.5, 0.5)
    networks = sorted({n for d in rng.sample(docs, 3) for n in d["network_ids"]})
    with_plan = rng.random() < 0.5 and networks
    fields = dict(
        conditions=tuple(conditions), specialty=specialty,
        point=(lat, lon) if rng.random() < 0.9 else None,
        max_distance_mi=rng.choice(DISTANCES), telehealth_ok=rng.random() < 0.4,
        plan_id=1 if with_plan else None,
        network_ids=frozenset(rng.sample(networks, k=rng.randint(1, len(networks)))) if with_plan else frozenset(),
        self_pay=not with_plan and rng.random() < 0.3,
        languages=tuple(rng.sample(anchor["languages"], k=1)) if anchor["languages"] and rng.random() < 0.3 else (),
        exclude_specialist_ids=frozenset([other["specialist_id"]]) if rng.random() < 0.3 else frozenset(),
        exclude_institution_ids=frozenset([other["institution_id"]])
        if other["institution_id"] and rng.random() < 0.2 else frozenset(),
        exclude_institution_names=(other["institution_name"],)
        if other["institution_name"] and rng.random() < 0.2 else (),
        reason=rng.choice(REASONS), urgency=rng.choice(URGENCIES),
        limit=10, now=NOW,
    )
    # Drawn last, so the draws above stay what they were before these constraints existed.
    system = other.get("health_system_id")
    return MatchCase(
        **fields, age_range=rng.choice((None, None, None, None, (8.0, 9.0), (45.0, 46.0))),
        patient_state=rng.choice((None, "NY", *anchor.get("licensed_states", ()))),
        exclude_health_system_ids=frozenset([system]) if system is not None and rng.random() < 0.3 else frozenset(),
        affiliation_words=frozenset(["mayo"]) if rng.random() < 0.1 else frozenset(),
        secondary_specialties=frozenset(rng.sample(anchor["specialties"], 1))
        if anchor["specialties"] and rng.random() < 0.3 else frozenset(),
    )


def random_cases(seed: int, docs: list[dict], n: int) -> list[MatchCase]:
    """`n` reproducible cases for a directory."""
    rng = random.Random(seed)
    return [random_case(rng, docs) for _ in range(n)]
