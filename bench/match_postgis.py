"""Baseline (b): PostgreSQL + PostGIS, one row per specialist-location, a GiST index on the location,
the same hard constraints and the same score in SQL, one specialist per answer row.

Loaded with COPY from the same columns the embedded engine builds, so both answer the same data.
"""
from __future__ import annotations

import math
import time

import numpy as np
import psycopg

from search import scoring
from search.backends.segment import Segment
from search.case import MatchCase, normalise_institution_name

MILE_M = 1609.344


class PostgisIndex:
    """A denormalised copy of the directory in PostGIS, queried the way a PostGIS app would."""

    name = "PostgreSQL + PostGIS"

    def __init__(self, url: str, schema: str) -> None:
        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        self.schema = schema
        self._names: dict[int, str] | None = None
        # One core, as the embedded engine gets; no JIT compile time on every new query shape.
        self.conn.execute("SET max_parallel_workers_per_gather = 0")
        self.conn.execute("SET jit = off")
        self.conn.execute("SET work_mem = '64MB'")

    def loaded_rows(self) -> int:
        """Rows already loaded in this schema (0 if none)."""
        found = self.conn.execute("SELECT to_regclass(%s)", (f"{self.schema}.doc",)).fetchone()[0]
        return self.conn.execute(f"SELECT count(*) FROM {self.schema}.doc").fetchone()[0] if found else 0

    def load(self, seg: Segment, say=print) -> float:
        """(Re)create the tables from a built segment with COPY, then index; returns seconds taken."""
        started, s, t = time.perf_counter(), self.schema, seg.t
        self.conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
        self.conn.execute(f"CREATE SCHEMA {s}")
        self.conn.execute(f"""CREATE UNLOGGED TABLE {s}.doc (pl_id bigint, specialist_id bigint, geog geography(Point, 4326),
            accepting boolean, telehealth boolean, self_pay boolean, quality float8, institution_id bigint,
            institution_name text, health_system_id bigint, primary_specialty text, specialties text[], languages text[],
            network_ids bigint[], next_available timestamptz, licensed text[])""")
        self.conn.execute(f"CREATE UNLOGGED TABLE {s}.cond (specialist_id bigint, key text, grp text, evidence float8)")
        codes = t.specialties.values
        with self.conn.cursor().copy(f"COPY {s}.doc FROM STDIN") as copy:
            for row in range(seg.n_docs):
                sp, src = int(seg.doc_sp[row]), int(seg.source_row[row])
                inst = int(t.institution[sp])
                name, _kind, system = t.institutions.get(inst, (None, None, None))
                copy.write_row((
                    int(t.plid[src]), int(t.sid[sp]), f"SRID=4326;POINT({t.lon[src]} {t.lat[src]})",
                    bool(seg.accepting[row]), bool(t.telehealth[sp]), bool(seg.self_pay[sp]), float(seg.quality[sp]),
                    None if inst < 0 else inst,
                    normalise_institution_name(name) or None, system,
                    codes[seg.primary[sp]] if seg.primary[sp] < len(codes) else None,
                    [codes[c] for c in t.spec_code[t.spec_ptr[sp]:t.spec_ptr[sp + 1]]],
                    [t.languages.values[c] for c in t.lang_code[t.lang_ptr[sp]:t.lang_ptr[sp + 1]]],
                    [int(n) for n in t.net_id[t.net_ptr[src]:t.net_ptr[src + 1]]], None,
                    [t.places.values[c] for c in t.lic_code[t.lic_ptr[sp]:t.lic_ptr[sp + 1]]]))
        say(f"postgis: copied {seg.n_docs:,} documents")
        from search.backends.segment import evidence

        ev = evidence(t.cond_cases, t.cond_pubs, t.cond_center)
        owners = np.repeat(np.arange(seg.n_specialists), np.diff(t.cond_ptr))
        with self.conn.cursor().copy(f"COPY {s}.cond FROM STDIN") as copy:
            for i in range(len(t.cond_key)):
                system, code = t.keys.values[t.cond_key[i]]
                copy.write_row((int(t.sid[owners[i]]), f"{system}:{code}", t.key_groups.get(int(t.cond_key[i])),
                                float(ev[i])))
        for ddl in (f"CREATE INDEX ON {s}.doc USING gist (geog)", f"CREATE INDEX ON {s}.doc (telehealth) WHERE telehealth",
                    f"CREATE INDEX ON {s}.doc USING gin (specialties)", f"CREATE INDEX ON {s}.doc (specialist_id)",
                    f"CREATE INDEX ON {s}.cond (key)", f"CREATE INDEX ON {s}.cond (grp)",
                    f"ANALYZE {s}.doc", f"ANALYZE {s}.cond"):
            self.conn.execute(ddl)
        say(f"postgis: indexed in {time.perf_counter() - started:.0f} s")
        return time.perf_counter() - started

    def match(self, case: MatchCase) -> tuple[list[int], int]:
        """(specialist ids best first, number of qualifying specialists), in search.ranking's order."""
        sql, params = self._sql(case)
        rows = self.conn.execute(sql, params).fetchall()
        return [r[0] for r in rows], (rows[0][1] if rows else 0)

    def _sql(self, case: MatchCase) -> tuple[str, dict]:
        s, w = self.schema, scoring.weights_for(case)
        params = {"lat": case.point[0], "lon": case.point[1], "radius": case.max_distance_mi * MILE_M,
                  "treat": sorted(case.treating_specialties), "keys": list(case.condition_keys),
                  "groups": [g for g in case.condition_groups if g] or [""], "nets": sorted(case.network_ids),
                  "langs": list(case.languages), "ex_sp": sorted(case.exclude_specialist_ids),
                  "ex_inst": sorted(case.exclude_institution_ids), "ex_names": list(case.exclude_institution_names),
                  "limit": case.limit, "spec": case.specialty, "now": case.now,
                  "expert": sorted(case.expert_keys), "primary": sorted(case.primary_treaters),
                  "reading": sorted(case.reading_specialties), "besides": sorted(case.treaters_besides_readers),
                  "treats_only": sorted(case.treatment_only_specialties)}
        aggregates, levels = ["bool_or(key = ANY(%(expert)s)) AS expert"], []
        spec = "(CASE WHEN d.primary_specialty = ANY(%(treat)s) THEN 0.25 WHEN d.specialties && %(treat)s::text[] " \
               "THEN 0.2 ELSE 0.0 END)"
        for j, (key, group) in enumerate(zip(case.condition_keys, case.condition_groups)):
            params[f"k{j}"], params[f"g{j}"] = key, group or ""
            aggregates += [f"max(0.7 + 0.3 * evidence) FILTER (WHERE key = %(k{j})s) AS e{j}",
                           f"max(0.4 + 0.2 * evidence) FILTER (WHERE grp = %(g{j})s) AS g{j}"]
            levels.append(f"GREATEST({spec}, coalesce(ex.e{j}, 0), coalesce(ex.g{j}, 0))")
        expertise = f"(({' + '.join(levels)}) / {len(levels)})" if levels else \
            "(CASE WHEN d.primary_specialty = %(spec)s THEN 1.0 ELSE 0.8 END)"
        coverage = ("(CASE WHEN d.network_ids && %(nets)s::bigint[] THEN 1.0 ELSE 0.3 END)" if case.has_plan else
                    str(scoring.COVERAGE["self_pay" if case.self_pay else "unknown"]))
        decay = f"exp(-dist / {scoring.DISTANCE_SCALE_MI})"
        # Telehealth reaches the patient where the specialist holds a licence in their state.
        params["state"] = case.patient_state
        distance = (f"(CASE WHEN {_remote(case, '')} THEN GREATEST({decay}, {scoring.TELEHEALTH_FLOOR}) ELSE {decay} END)"
                    if case.telehealth_ok else decay)
        scale = scoring.URGENCY_DAYS[case.urgency]
        availability = (f"(CASE WHEN next_available IS NULL THEN {math.exp(-scoring.UNKNOWN_WAIT_DAYS / scale)} ELSE "
                        f"exp(-GREATEST(0, extract(epoch FROM next_available - %(now)s) / 86400) / {scale}) END)")
        params["systems"], params["hinted"] = sorted(case.exclude_health_system_ids), self._hinted(case)
        independence = (f"(CASE WHEN health_system_id = ANY(%(systems)s) THEN {scoring.AFFILIATED} "
                        f"WHEN institution_id = ANY(%(hinted)s) THEN {scoring.NAME_HINT} ELSE 1.0 END)")
        where = ["d.accepting", "(d.specialties && %(treat)s::text[] OR ex.specialist_id IS NOT NULL)",
                 "(ST_DWithin(d.geog, pt.g, %(radius)s, false)" + (f" OR {_remote(case, 'd.')})" if case.telehealth_ok else ")")]
        if case.has_plan:
            where.append("(d.network_ids && %(nets)s::bigint[] OR d.self_pay)")
        elif case.self_pay:
            where.append("d.self_pay")
        if case.languages:
            where.append("d.languages && %(langs)s::text[]")
        if case.exclude_specialist_ids:
            where.append("NOT (d.specialist_id = ANY(%(ex_sp)s))")
        if case.exclude_institution_ids:
            where.append("NOT (coalesce(d.institution_id, -1) = ANY(%(ex_inst)s))")
        if case.exclude_institution_names:
            where.append("NOT (coalesce(d.institution_name, '') = ANY(%(ex_names)s))")
        sql = f"""
        WITH ex AS (SELECT specialist_id, {', '.join(aggregates)} FROM {s}.cond
                    WHERE key = ANY(%(keys)s) OR grp = ANY(%(groups)s) GROUP BY specialist_id),
        pt AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS g),
        cand AS (SELECT d.*, ST_Distance(d.geog, pt.g, false) / {MILE_M} AS dist, {expertise} AS expertise,
                        {coverage} AS coverage, {self._standing(case)} AS standing
                 FROM {s}.doc d CROSS JOIN pt LEFT JOIN ex ON ex.specialist_id = d.specialist_id
                 WHERE {' AND '.join(where)}),
        scored AS (SELECT specialist_id, pl_id, dist, standing,
                   round(({w['expertise']} * expertise + {w['coverage']} * coverage + {w['distance']} * {distance}
                          + {w['availability']} * {availability} + {w['quality']} * quality
                          + {w['independence']} * {independence})::numeric, 6) AS score FROM cand),
        best AS (SELECT DISTINCT ON (specialist_id) specialist_id, standing, score, dist FROM scored
                 ORDER BY specialist_id, standing DESC, score DESC, dist, pl_id)
        SELECT specialist_id, count(*) OVER () FROM best
        ORDER BY standing DESC, score DESC, round(dist::numeric, 6), specialist_id
        LIMIT %(limit)s"""
        return sql, params

    @staticmethod
    def _standing(case: MatchCase) -> str:
        """scoring.standing in SQL: -1 reviews the diagnosis only, 0 only treats (unclear diagnosis), 2 an expert,
        1 a primary treater, else 0."""
        reads_only = ("d.primary_specialty = ANY(%(reading)s) AND NOT (d.specialties && %(besides)s::text[])"
                      if case.reading_specialties else "false")
        treats_only = "d.primary_specialty = ANY(%(treats_only)s)" if case.treatment_only_specialties else "false"
        expert = "coalesce(ex.expert, false)" if case.expertise_first else "false"
        primary = ("d.specialties && %(primary)s::text[] OR ex.specialist_id IS NOT NULL"
                   if case.secondary_specialties else "true")
        return (f"(CASE WHEN {reads_only} THEN -1 WHEN {treats_only} THEN 0 WHEN {expert} THEN 2 "
                f"WHEN {primary} THEN 1 ELSE 0 END)")

    def _hinted(self, case: MatchCase) -> list[int]:
        """Institutions whose names share a distinctive, rare word with an excluded one (case.affiliation_words)."""
        if not case.affiliation_words:
            return []
        if self._names is None:  # the institution table, read once
            self._names = dict(self.conn.execute(
                f"SELECT DISTINCT institution_id, institution_name FROM {self.schema}.doc "
                f"WHERE institution_id IS NOT NULL").fetchall())
        return sorted(i for i, name in self._names.items()
                      if not case.affiliation_words.isdisjoint(scoring.distinctive_words(name)))


def _remote(case: MatchCase, alias: str) -> str:
    """SQL: the row's specialist may consult this patient by telehealth (licensed in their state)."""
    if case.patient_state is None:
        return f"{alias}telehealth"
    return f"({alias}telehealth AND %(state)s = ANY({alias}licensed))"
