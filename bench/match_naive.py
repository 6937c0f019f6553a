"""Baseline (a), the naive way: SQL applies the filters it can, Python computes a distance per row.

Runs on the application's own schema and indexes (SQLite here), then scores the survivors with the
same scalar formulas as `search.scoring`, so its answers can be checked against the engine's.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import text
from sqlalchemy.engine import Engine

from reference.earth import distance_mi
from search import scoring
from search.case import MatchCase, normalise_institution_name
from reference import conditions as catalogue

CHUNK = 900  # ids per IN (...) list


class NaiveSql:
    """SQL filter, then a Python haversine and score per row."""

    name = "naive SQL + Python"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._group_codes: dict[str, list[str]] = defaultdict(list)
        for cond in catalogue._orpha():  # ORPHA groups are not a code prefix: list their members
            self._group_codes[cond.group].append(cond.code)

    def match(self, case: MatchCase) -> tuple[list[int], int]:
        """(specialist ids best first, number of qualifying specialists)."""
        with self.engine.connect() as conn:
            rows = [r for r in conn.execute(*self._filter_sql(case)) if self._in_reach(case, r)]
            if not rows:
                return [], 0
            ids = sorted({r.specialist_id for r in rows})
            specialties, held = self._specialties(conn, ids), self._held(conn, case, ids)
            networks = self._networks(conn, case, [r.pl_id for r in rows])
        weights, best = scoring.weights_for(case), {}
        for r in rows:
            standing, score, distance = self._score(case, weights, r, specialties[r.specialist_id],
                                                    held[r.specialist_id], networks.get(r.pl_id, ()))
            key = (-standing, -round(score, 6), round(distance, 6), r.pl_id)
            if r.specialist_id not in best or key < best[r.specialist_id]:
                best[r.specialist_id] = key
        # search.ranking's order: standing, score, distance, specialist id.
        order = sorted(best, key=lambda sid: (*best[sid][:3], sid))
        return order[: case.limit], len(best)

    def _filter_sql(self, case: MatchCase):
        params: dict = {}
        qualify = [self._in("SELECT specialist_id FROM specialist_specialty WHERE taxonomy_code IN ",
                            sorted(case.treating_specialties), "t", params)]
        conds = []
        for i, ((system, code), group) in enumerate(zip(case.conditions, case.condition_groups)):
            params[f"s{i}"], params[f"c{i}"] = system, code
            conds.append(f"(system = :s{i} AND code = :c{i})")
            if group and system == "ICD-10-CM":
                params[f"g{i}"] = group + "%"
                conds.append(f"(system = 'ICD-10-CM' AND code LIKE :g{i})")
            elif group:
                conds.append("(system = 'ORPHA' AND " + self._in("code IN ", self._group_codes[group], f"o{i}_",
                                                                  params) + ")")
        if conds:
            qualify.append("SELECT specialist_id FROM condition_expertise WHERE " + " OR ".join(conds))
        where = ["pl.accepting_new_patients = 1", "s.accepts_second_opinions = 1",
                 "(" + " OR ".join(f"s.id IN ({q})" for q in qualify) + ")"]
        if case.has_plan:
            where.append("(s.self_pay_price_cents IS NOT NULL OR EXISTS (SELECT 1 FROM network_participation np "
                         "WHERE np.practice_location_id = pl.id AND " +
                         self._in("np.network_id IN ", sorted(case.network_ids) or [-1], "n", params) + "))")
        elif case.self_pay:
            where.append("s.self_pay_price_cents IS NOT NULL")
        if case.languages:
            where.append("s.id IN (" + self._in("SELECT specialist_id FROM specialist_language WHERE language IN ",
                                                list(case.languages), "l", params) + ")")
        if case.exclude_specialist_ids:
            where.append("s.id NOT IN (" + ", ".join(str(int(i)) for i in case.exclude_specialist_ids) + ")")
        if case.exclude_institution_ids:
            where.append("coalesce(s.institution_id, -1) NOT IN (" +
                         ", ".join(str(int(i)) for i in case.exclude_institution_ids) + ")")
        params["state"] = case.patient_state or ""
        sql = ("SELECT pl.id AS pl_id, pl.specialist_id, l.lat, l.lon, s.telehealth, s.self_pay_price_cents, "
               "s.rating, s.review_count, s.institution_id, i.name AS institution_name, i.health_system_id, "
               "EXISTS (SELECT 1 FROM specialist_licence sl WHERE sl.specialist_id = s.id AND sl.state = :state) "
               "AS licensed_here "
               "FROM practice_location pl JOIN specialist s ON s.id = pl.specialist_id "
               "JOIN location l ON l.id = pl.location_id LEFT JOIN institution i ON i.id = s.institution_id "
               "WHERE " + " AND ".join(where))
        return text(sql), params

    @staticmethod
    def _in(prefix: str, values: list, tag: str, params: dict) -> str:
        names = []
        for j, value in enumerate(values or [None]):
            params[f"{tag}{j}"] = value
            names.append(f":{tag}{j}")
        return prefix + "(" + ", ".join(names) + ")"

    @staticmethod
    def _in_reach(case: MatchCase, r) -> bool:
        if case.exclude_institution_names and \
                normalise_institution_name(r.institution_name) in case.exclude_institution_names:
            return False
        distance = distance_mi(case.point[0], case.point[1], r.lat, r.lon)
        remote = bool(r.telehealth) and (case.patient_state is None or bool(r.licensed_here))
        return distance <= case.max_distance_mi or (case.telehealth_ok and remote)

    def _specialties(self, conn, ids: list[int]) -> dict[int, list[tuple[str, bool]]]:
        out: dict[int, list] = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            chunk = ", ".join(str(i) for i in ids[start:start + CHUNK])
            for sid, code, primary in conn.execute(text(
                    f"SELECT specialist_id, taxonomy_code, is_primary FROM specialist_specialty "
                    f"WHERE specialist_id IN ({chunk})")):
                out[sid].append((code, bool(primary)))
        return out

    def _held(self, conn, case: MatchCase, ids: list[int]) -> dict[int, list[dict]]:
        out: dict[int, list] = defaultdict(list)
        if not case.conditions:
            return out
        for start in range(0, len(ids), CHUNK):
            chunk = ", ".join(str(i) for i in ids[start:start + CHUNK])
            for sid, system, code, cases, pubs, center in conn.execute(text(
                    f"SELECT specialist_id, system, code, cases_per_year, publications, center_of_expertise "
                    f"FROM condition_expertise WHERE specialist_id IN ({chunk})")):
                out[sid].append({"key": f"{system}:{code}", "group": catalogue.group_of(system, code),
                                 "cases_per_year": cases, "publications": pubs, "center_of_expertise": bool(center)})
        return out

    def _networks(self, conn, case: MatchCase, pl_ids: list[int]) -> dict[int, set[int]]:
        out: dict[int, set] = defaultdict(set)
        if not case.has_plan:
            return out
        for start in range(0, len(pl_ids), CHUNK):
            chunk = ", ".join(str(i) for i in pl_ids[start:start + CHUNK])
            for pl_id, network_id in conn.execute(text(
                    f"SELECT practice_location_id, network_id FROM network_participation "
                    f"WHERE practice_location_id IN ({chunk})")):
                out[pl_id].add(network_id)
        return out

    @staticmethod
    def _score(case, weights, r, specialties, held, networks) -> tuple[int, float, float]:
        """(scoring.standing, score, distance) of one row."""
        doc = {"primary_specialty": next((c for c, p in specialties if p), None),
               "specialties": [c for c, _ in specialties], "conditions": held, "network_ids": networks,
               "condition_keys": [h["key"] for h in held], "condition_groups": [h["group"] for h in held],
               "telehealth": bool(r.telehealth), "location": {"lat": r.lat, "lon": r.lon},
               "licensed_states": [case.patient_state] if r.licensed_here else [],
               "next_available": None, "rating": r.rating, "review_count": r.review_count or 0,
               "institution_name": r.institution_name, "health_system_id": r.health_system_id}
        distance = scoring.doc_distance(case, doc)
        components = (scoring.expertise(case, doc), scoring.COVERAGE[scoring.coverage_status(case, doc)],
                      scoring.distance_score(case, doc, distance), scoring.availability(case, doc),
                      scoring.quality(doc), scoring.independence(case, doc))
        score = sum(weights[n] * v for n, v in zip(scoring.COMPONENTS, components))
        return scoring.standing(case, doc), score, distance
