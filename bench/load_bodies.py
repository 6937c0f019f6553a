"""Varied, realistic POST /v1/matches bodies for the load test, drawn from a seeded directory."""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.identifiers import normalise_zip
from reference import conditions as catalogue
from reference import zip_centroids
from search.case import REASONS

# Common conditions a patient arrives with, whether or not a sampled specialist holds them.
COMMON_ICD = (
    "I10",
    "E11.9",
    "C50.911",
    "C92.00",
    "M06.9",
    "G35",
    "K50.90",
    "J45.909",
    "N18.3",
    "C34.90",
    "I48.91",
    "E05.00",
    "L40.0",
    "G40.909",
    "C61",
)
LANGUAGES = ("es", "zh", "vi", "ko", "ru", "fr", "ar", "tl", "de")


def make_bodies(engine: Engine, count: int, seed: int = 11) -> list[dict]:
    """`count` request bodies: held rare and common codes, specialties, ZIPs by population, preferences;
    every other one names a plan of the directory (so its coverage rules are applied), the rest pay
    themselves (60%) or say nothing of payment."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        step = max(1, (conn.execute(text("SELECT count(*) FROM specialist")).scalar() or 0) // 3000)
        held = [
            tuple(r)
            for r in conn.execute(
                text(f"SELECT system, code FROM condition_expertise WHERE specialist_id % {step} = 0 ORDER BY id")
            )
        ]
        specialties = [
            r[0]
            for r in conn.execute(
                text(
                    f"SELECT taxonomy_code FROM specialist_specialty WHERE is_primary AND specialist_id % {step} = 0 "
                    "ORDER BY specialist_id"
                )
            )
        ]
        plan_ids = [r[0] for r in conn.execute(text("SELECT id FROM plan ORDER BY id"))]
        institutions = [r[0] for r in conn.execute(text("SELECT name FROM institution ORDER BY id LIMIT 2000"))]
    # Only codes the API accepts (the catalogue is the validator), so every request is a valid one.
    held = [pair for pair in held if catalogue.lookup(*pair) is not None]
    rare = [pair for pair in held if pair[0] == "ORPHA"]
    common = [("ICD-10-CM", code) for code in COMMON_ICD if catalogue.lookup("ICD-10-CM", code)]
    weights = zip_centroids.population_proxy()
    zips = [z for z in weights if normalise_zip(z)]
    zip_weights = [weights[z] for z in zips]
    return [
        _body(rng, held, rare, common, specialties, plan_ids if i % 2 == 0 else [], institutions, zips, zip_weights)
        for i in range(count)
    ]


def _body(rng, held, rare, common, specialties, plan_ids, institutions, zips, zip_weights) -> dict:
    """One case: what it is about, where the patient is, how they pay, what they prefer."""
    kind = rng.random()
    body: dict = {}
    if kind < 0.25 and rare:
        picked = [rng.choice(rare)]
    elif kind < 0.55:
        picked = [rng.choice(held)]
    elif kind < 0.70:
        picked = list(dict.fromkeys((rng.choice(held), rng.choice(held))))
    elif kind < 0.85:
        picked = [rng.choice(common)]
    else:
        picked = []
        body["specialty"] = rng.choice(specialties)
    if picked:
        body["conditions"] = [{"system": system, "code": code} for system, code in picked]
    body["zip"] = rng.choices(zips, zip_weights)[0]
    body["max_distance_mi"] = rng.choice((25, 50, 100, 100, 200))
    body["telehealth_ok"] = rng.random() < 0.4
    if plan_ids:
        body["plan_id"] = rng.choice(plan_ids)
    elif rng.random() < 0.6:
        body["self_pay"] = True
    if rng.random() < 0.15:
        body["languages"] = [rng.choice(LANGUAGES)]
    if rng.random() < 0.2 and institutions:
        body["exclude_institutions"] = [rng.choice(institutions)]
    body["reason"] = rng.choice(REASONS)
    body["urgency"] = rng.choices(("routine", "soon", "emergent"), (80, 15, 5))[0]
    return body


def write_bodies(bodies: list[dict], path: Path) -> Path:
    """One compact JSON document a line (kept beside the results, to see what was sent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(b, separators=(",", ":")) + "\n" for b in bodies))
    return path
