"""The candidate query in the Elasticsearch DSL: hard constraints as filters, ranking signals as should clauses.

Elasticsearch only retrieves. The filters are the predicate of `search.retrieval`, written so
Elasticsearch never drops a document that predicate keeps (the distance carries a small margin);
the backend then applies the exact predicate in Python and ranks with `search.ranking.rank`.
The should clauses add up to an approximation of that ranking, so when more documents qualify
than are fetched, the ones left behind are the ones the ranking would have put last.

Each signal is its own should clause (`constant_score` with a boost, or a one-function
`function_score` scaled by a boosted `match_all`) rather than a `{"filter", "weight"}` function:
the same sum, in a form Elastic's published request specification accepts.
"""

from __future__ import annotations

from search import scoring
from search.case import MatchCase

# geo_point coordinates are quantised (~1 cm) and Lucene's haversine is not Python's to the last
# bit; the margin keeps a document on the exact radius in, the Python predicate decides.
DISTANCE_MARGIN = 1.001
DISTANCE_MARGIN_MI = 0.01
ONE_OVER_E = 0.36787944117144233
MIDDLE_EVIDENCE = 0.5  # evidence behind a related (group) code is not looked up: assume average
# Steps approximating scoring.evidence for the case's own code: (nested clause, share of the span).
EVIDENCE_TIERS = (
    ({"range": {"conditions.cases_per_year": {"gte": 10}}}, 0.6 * 0.52),  # log1p(10) / log1p(100)
    ({"range": {"conditions.cases_per_year": {"gte": 50}}}, 0.6 * 0.33),
    ({"range": {"conditions.publications": {"gte": 5}}}, 0.25 * 0.52),
    ({"term": {"conditions.center_of_expertise": True}}, 0.15),
)


def candidate_search(case: MatchCase, size: int) -> dict:
    """The search body: `size` candidates best-first, an exact hit count and a specialist count."""
    return {
        "query": {"bool": {**hard_constraints(case), "should": signals(case)}},
        "size": size,
        # Deterministic order among equal approximate scores, so a capped fetch is repeatable.
        "sort": [
            {"_score": {"order": "desc"}},
            {"specialist_id": {"order": "asc"}},
            {"practice_location_id": {"order": "asc"}},
        ],
        "track_total_hits": True,
        "aggregations": {"specialists": {"cardinality": {"field": "specialist_id", "precision_threshold": 40000}}},
    }


def hard_constraints(case: MatchCase) -> dict:
    """The body of a bool query holding every hard constraint of `search.retrieval`."""
    filters = [_any_of(_expertise(case)), {"term": {"accepting": True}}]
    coverage = _coverage(case)
    if coverage:
        filters.append(_any_of(coverage))
    if case.languages:
        filters.append({"terms": {"languages": list(case.languages)}})
    if case.point is not None:
        filters.append(_any_of(_place(case)))
    if case.age_known:
        filters.append({"terms": {"population": sorted(case.populations)}})
    return {"filter": filters, "must_not": _exclusions(case)}


def _any_of(clauses: list[dict]) -> dict:
    # An empty alternative matches nothing, as the Python predicate does.
    if not clauses:
        return {"match_none": {}}
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _expertise(case: MatchCase) -> list[dict]:
    clauses = []
    if case.treating_specialties:
        clauses.append({"terms": {"specialties": sorted(case.treating_specialties)}})
    return clauses + _expertise_codes(case)


def _expertise_codes(case: MatchCase) -> list[dict]:
    clauses = []
    if case.condition_keys:
        clauses.append({"terms": {"condition_keys": list(case.condition_keys)}})
    if case.group_keys:
        clauses.append({"terms": {"condition_groups": sorted(case.group_keys)}})
    return clauses


def _coverage(case: MatchCase) -> list[dict] | None:
    self_pay = {"exists": {"field": "self_pay_price_cents"}}
    if case.has_plan:
        return ([{"terms": {"network_ids": sorted(case.network_ids)}}] if case.network_ids else []) + [self_pay]
    return [self_pay] if case.self_pay else None


def _place(case: MatchCase) -> list[dict]:
    assert case.point is not None, "only a case with a point is placed"
    lat, lon = case.point
    reach = case.max_distance_mi * DISTANCE_MARGIN + DISTANCE_MARGIN_MI
    clauses: list[dict] = [{"geo_distance": {"distance": f"{reach:.4f}mi", "location": {"lat": lat, "lon": lon}}}]
    if case.telehealth_ok:
        remote: list[dict] = [{"term": {"telehealth": True}}]
        if case.patient_state is not None:  # telehealth across state lines needs a licence there
            remote.append({"term": {"licensed_states": case.patient_state}})
        clauses.append({"bool": {"filter": remote}})
    return clauses


def _exclusions(case: MatchCase) -> list[dict]:
    clauses: list[dict] = []
    if case.exclude_specialist_ids:
        clauses.append({"terms": {"specialist_id": sorted(case.exclude_specialist_ids)}})
    if case.exclude_institution_ids:
        clauses.append({"terms": {"institution_id": sorted(case.exclude_institution_ids)}})
    if case.exclude_institution_names:
        clauses.append({"terms": {"institution_name": list(case.exclude_institution_names)}})
    return clauses


def signals(case: MatchCase) -> list[dict]:
    """Should clauses whose scores sum to an approximation of `search.ranking` (see the module docstring)."""
    weights = scoring.weights_for(case)
    clauses = _expertise_signals(case, weights["expertise"]) + _standing_signals(case)
    if case.has_plan and case.network_ids:
        clauses.append(
            _worth(
                {"terms": {"network_ids": sorted(case.network_ids)}},
                weights["coverage"] * (1 - scoring.COVERAGE["out_of_network_self_pay"]),
            )
        )
    if case.point is not None:
        lat, lon = case.point
        # exp decay to 1/e at `scale` is exactly scoring.distance_score's exp(-d / scale).
        clauses.append(
            _scaled(
                {
                    "exp": {
                        "location": {
                            "origin": {"lat": lat, "lon": lon},
                            "decay": ONE_OVER_E,
                            "scale": f"{scoring.DISTANCE_SCALE_MI}mi",
                        }
                    }
                },
                weights["distance"],
            )
        )
    clauses.append(
        _scaled(
            {
                "exp": {
                    "next_available": {
                        "origin": case.now.isoformat(),
                        "decay": ONE_OVER_E,
                        "scale": f"{int(scoring.URGENCY_DAYS[case.urgency] * 24)}h",
                    }
                }
            },
            weights["availability"],
        )
    )
    clauses.append(
        {
            "function_score": {
                "functions": [
                    {
                        "field_value_factor": {
                            "field": "rating",
                            "factor": weights["quality"] / 5.0,
                            "missing": scoring.RATING_PRIOR_MEAN,
                        }
                    }
                ]
            }
        }
    )
    return clauses


def _standing_signals(case: MatchCase) -> list[dict]:
    """STANDING_BONUS per tier of scoring.standing, so the fetch keeps the tiers `rank` puts first."""
    tiers: list[dict] = []
    if case.expertise_first:  # experts rank first: fetch them first too
        tiers.append({"terms": {"condition_keys": sorted(case.expert_keys)}})
    if case.secondary_specialties:  # then primary treaters and code holders, before secondary treaters
        primary = [{"terms": {"specialties": sorted(case.primary_treaters)}}] if case.primary_treaters else []
        tiers.append(_any_of(primary + _expertise_codes(case)))
    if case.treatment_only_specialties:  # an unclear diagnosis: those who only treat get neither (scoring.treats_only)
        only: dict = {"terms": {"primary_specialty": sorted(case.treatment_only_specialties)}}
        tiers = [{"bool": {"filter": [tier], "must_not": [only]}} for tier in tiers]
    if not case.reading_specialties:
        return [_worth(tier, scoring.STANDING_BONUS) for tier in tiers]
    # Those who only review the diagnosis of a treatment question come last whatever codes they hold.
    reading: list[dict] = [{"terms": {"primary_specialty": sorted(case.reading_specialties)}}]
    if case.treaters_besides_readers:  # unless they hold a specialty that treats it too (scoring.reads_only)
        treats = {"terms": {"specialties": sorted(case.treaters_besides_readers)}}
        reading = [{"bool": {"filter": reading, "must_not": [treats]}}]
    return [_worth({"bool": {"filter": [tier], "must_not": reading}}, scoring.STANDING_BONUS) for tier in tiers] + [
        _worth({"bool": {"must_not": reading}}, scoring.STANDING_BONUS)
    ]


def _worth(clause: dict, points: float) -> dict:
    # Scores exactly `points` when the clause matches, nothing otherwise.
    return {"constant_score": {"filter": clause, "boost": points}}


def _scaled(function: dict, points: float) -> dict:
    # The function's value times `points`: a boosted match_all scores `points`, multiplied by the function.
    return {
        "function_score": {"query": {"match_all": {"boost": points}}, "functions": [function], "boost_mode": "multiply"}
    }


def _expertise_signals(case: MatchCase, weight: float) -> list[dict]:
    if not case.conditions:
        return (
            [
                _worth({"term": {"primary_specialty": case.specialty}}, weight * 0.2),
                _worth({"term": {"specialties": case.specialty}}, weight * 0.8),
            ]
            if case.specialty
            else []
        )
    share = weight / len(case.conditions)
    related = scoring.GROUP_BASE + scoring.GROUP_SPAN * MIDDLE_EVIDENCE
    clauses = []
    for key, group in zip(case.condition_keys, case.condition_groups, strict=True):
        clauses.append(_worth({"term": {"condition_keys": key}}, share * scoring.EXACT_BASE))
        clauses += [
            _worth(_evidence_filter(key, clause), share * scoring.EXACT_SPAN * part) for clause, part in EVIDENCE_TIERS
        ]
        if group:
            clauses.append(
                _worth(
                    {
                        "bool": {
                            "filter": [{"term": {"condition_groups": group}}],
                            "must_not": [{"term": {"condition_keys": key}}],
                        }
                    },
                    share * related,
                )
            )
    if case.treating_specialties:
        clauses.append(
            _worth(
                {"terms": {"primary_specialty": sorted(case.treating_specialties)}}, weight * scoring.SPECIALTY_PRIMARY
            )
        )
    return clauses


def _evidence_filter(key: str, clause: dict) -> dict:
    # Nested: the evidence must belong to THIS condition, not to another one the doctor holds.
    same_condition = {"bool": {"filter": [{"term": {"conditions.key": key}}, clause]}}
    return {"nested": {"path": "conditions", "query": same_condition}}
