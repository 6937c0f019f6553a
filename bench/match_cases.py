"""Varied, reproducible match cases drawn from a seeded directory (for the matching benchmark)."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.engine import Engine

from search.case import REASONS, MatchCase
from reference import conditions as catalogue
from reference import zip_centroids

NOW = datetime(2025, 6, 2, 14, 0, tzinfo=timezone.utc)  # fixed, so runs compare


def make_cases(engine: Engine, count: int, seed: int = 7) -> list[MatchCase]:
    """`count` cases: held and unheld codes, specialties, places weighted by population, plans, exclusions."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        # Every k-th specialist's, so codes and specialties are drawn from the whole directory.
        step = max(1, (conn.execute(text("SELECT count(*) FROM specialist")).scalar() or 0) // 5000)
        held = [tuple(r) for r in conn.execute(text(
            f"SELECT system, code FROM condition_expertise WHERE specialist_id % {step} = 0 ORDER BY id")).all()]
        specialties = [r[0] for r in conn.execute(text(
            f"SELECT taxonomy_code FROM specialist_specialty WHERE is_primary AND specialist_id % {step} = 0 "
            "ORDER BY specialist_id"))]
        plans = {}
        for plan_id, name, network_id in conn.execute(text(
                "SELECT p.id, p.name, pn.network_id FROM plan p JOIN plan_network pn ON pn.plan_id = p.id")):
            plans.setdefault((plan_id, name), set()).add(network_id)
        institutions = [r[0] for r in conn.execute(text("SELECT name FROM institution ORDER BY id LIMIT 5000"))]
        max_sid = conn.execute(text("SELECT max(id) FROM specialist")).scalar() or 1
    weights = zip_centroids.population_proxy()
    zips = list(weights)
    zip_weights = [weights[z] for z in zips]
    icd_pool = [c for c in (catalogue.lookup("ICD-10-CM", code) for code in
                            ("I10", "E11.9", "C50.911", "C92.00", "M06.9", "G35", "K50.90", "J45.909", "N18.3",
                             "C34.90", "I48.91", "E05.00", "L40.0", "G40.909", "C61")) if c]
    plan_list = sorted(plans)
    rare = [pair for pair in held if pair[0] == "ORPHA"]
    cases = []
    for _ in range(count):
        kind = rng.random()
        conditions: tuple = ()
        specialty = None
        if kind < 0.25 and rare:  # a second opinion is often about a rare disease
            conditions = (rng.choice(rare),)
        elif kind < 0.55:
            conditions = (rng.choice(held),)
        elif kind < 0.70:
            conditions = (rng.choice(held), rng.choice(held))
        elif kind < 0.85:
            c = rng.choice(icd_pool)
            conditions = ((c.system, c.code),)
        else:
            specialty = rng.choice(specialties)
        centroid = zip_centroids.get(rng.choices(zips, zip_weights)[0])
        coverage = rng.random()
        plan = rng.choice(plan_list) if plan_list and coverage < 0.7 else None
        excluded = rng.random() < 0.3
        cases.append(MatchCase(
            # The patient's state, as the API sets it from their ZIP: telehealth needs a licence there.
            conditions=conditions, specialty=specialty, point=(centroid.lat, centroid.lon), patient_state=centroid.state,
            max_distance_mi=rng.choice((25.0, 50.0, 100.0, 100.0, 200.0)), telehealth_ok=rng.random() < 0.4,
            plan_id=plan[0] if plan else None, plan_name=plan[1] if plan else None,
            network_ids=frozenset(plans[plan]) if plan else frozenset(), self_pay=plan is None and coverage < 0.9,
            languages=(rng.choice(("es", "zh", "vi", "ko", "ru", "fr", "ar")),) if rng.random() < 0.15 else (),
            exclude_specialist_ids=frozenset({rng.randint(1, max_sid)}) if excluded else frozenset(),
            exclude_institution_names=(rng.choice(institutions),) if excluded and institutions else (),
            reason=rng.choice(REASONS), urgency=rng.choices(("routine", "soon", "emergent"), (80, 15, 5))[0],
            limit=10, now=NOW))
    return cases
