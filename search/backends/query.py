"""A match against one segment: the hard constraints as array operations, then the vectorised score.

Near rows come from the geo grid; telehealth specialists (who qualify wherever they are) are
counted at the specialist level and only expanded to locations when an upper bound says they
could still reach the top. Every qualifying specialist is counted in `total`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference.populations import POPULATIONS
from search import scoring
from search.backends import grid, telehealth, vector_score
from search.backends.hits import Hits, distinct, expand, where
from search.backends.native import scan
from search.backends.segment import Live, Segment
from search.backends.selection import Selection
from search.case import MatchCase


@dataclass
class Query:
    """A case translated into one segment's vocabulary and rows."""

    spec_idx: list[int]
    key_idx: list[int | None]
    group_idx: list[int | None]
    treats: np.ndarray  # by specialty index (+1 for "none"): treats the case
    unit: np.ndarray | None  # the case's point on the unit sphere
    excluded: np.ndarray  # specialist rows excluded by id or by institution
    independence: np.ndarray | None  # by dense institution number: scoring.independence's value
    plan_bits: np.ndarray | None  # packed bitset of rows in network for the plan
    languages: list[np.ndarray]  # specialist rows speaking each requested language
    remote: np.ndarray  # by specialist row: may consult this patient by telehealth (offers it, licensed)
    remote_rows: np.ndarray  # the same as ascending specialist rows
    # By profile (Segment.profile): the primary specialty treats the case; scoring.reads_only (None:
    # nobody only reads); holds a primary treater (None: no treating specialty is secondary only).
    treats_primary: np.ndarray
    reads_only: np.ndarray | None
    primary_holder: np.ndarray | None
    treats_only: np.ndarray | None  # by profile: scoring.treats_only (None: nobody, the diagnosis is not in doubt)
    expert: np.ndarray | None = None  # by specialist row: holds a case code or its parent (expertise-first cases)
    selection: Selection | None = None  # who the conditions select (flags, experts' expertise), see `select`


def compile_query(seg: Segment, case: MatchCase) -> Query:
    """Look the case up in the segment: codes, exclusions, affiliations and the plan's network rows."""
    t = seg.t
    spec_idx = [i for code in sorted(case.treating_specialties) if (i := t.specialties.get(code)) is not None]
    treats = np.zeros(len(t.specialties) + 1, dtype=bool)
    treats[spec_idx] = True
    institutions = set(case.exclude_institution_ids)
    for name in case.exclude_institution_names:
        institutions.update(seg.institutions_by_name.get(name, ()))
    excluded = {r for i in case.exclude_specialist_ids if (r := seg.specialist_row(i)) is not None}
    if institutions:
        excluded.update(seg.specialists_at(institutions).tolist())
    q = Query(
        spec_idx=spec_idx,
        key_idx=[t.keys.get(pair) for pair in case.conditions],
        group_idx=[seg.group_index.get(g) if g else None for g in case.condition_groups],
        treats=treats,
        unit=None if case.point is None else grid.unit_vector(*case.point),
        excluded=np.array(sorted(excluded), dtype=np.int64),
        independence=_independence(seg, case),
        plan_bits=_plan_bits(seg, case) if case.has_plan else None,
        languages=[seg.by_language.rows_of(i) for code in case.languages if (i := t.languages.get(code)) is not None],
        **_remote(seg, case),
        treats_primary=treats[seg.profile_primary],
        reads_only=_reads_only(seg, case),
        primary_holder=_primary_holders(seg, case),
        treats_only=_treats_only(seg, case),
    )
    q.selection = select(seg, case, q)
    q.expert = q.selection.expert
    return q


def select(seg: Segment, case: MatchCase, q: Query) -> Selection:
    """Who the case's conditions and specialties select in `seg`: from the segment's cache when seen before."""
    populations = tuple(sorted(case.populations)) if case.age_known else None
    key = (
        tuple(q.spec_idx),
        tuple(q.key_idx),
        tuple(q.group_idx),
        len(case.conditions),
        populations,
        tuple(sorted(case.expert_keys)) if case.expertise_first else None,
    )
    found = seg.selections.get(key)
    if found is not None:
        return found
    # Constraint 7: only specialists who see patients of this age qualify.
    allowed = np.array([p in case.populations for p in POPULATIONS]) if case.age_known else None
    flags, touched = _treating_flags(seg, q, allowed, populations)
    held = [_condition_levels(seg, code, group) for code, group in zip(q.key_idx, q.group_idx, strict=True)]
    for rows, _ in held:  # bit 2: holds a case code or group (and sees patients of this age)
        flags[rows] |= 2 if allowed is None else allowed[seg.population[rows]].astype(np.uint8) << 1
        touched += len(rows)
    experts, expertise = vector_score.expertise_of_experts(seg, case, q, flags, held, seg.scratch())
    made = Selection(flags, experts, expertise, _experts(seg, case))
    if touched > seg.n_specialists // 32:  # narrow sets are cheaper to redo than to keep
        seg.selections.put(key, made)
    return made


def _by_specialty(seg: Segment, codes) -> np.ndarray:
    """By specialty index (+1 for "none"): one of these codes."""
    held = np.zeros(len(seg.t.specialties) + 1, dtype=bool)
    held[[i for code in codes if (i := seg.t.specialties.get(code)) is not None]] = True
    return held


def _by_set(seg: Segment, by_specialty: np.ndarray) -> np.ndarray:
    """By set of specialties (Segment.specialty_sets): holds one that `by_specialty` marks."""
    return np.asarray(by_specialty[seg.specialty_sets].any(axis=1))


def _reads_only(seg: Segment, case: MatchCase) -> np.ndarray | None:
    """scoring.reads_only by profile: the primary specialty only reviews the diagnosis of this case,
    and the profile's set of specialties holds no other treater."""
    if not case.reading_specialties:
        return None
    treats_too = _by_set(seg, _by_specialty(seg, case.treaters_besides_readers))
    return _by_specialty(seg, case.reading_specialties)[seg.profile_primary] & ~treats_too[seg.profile_set]


def _independence(seg: Segment, case: MatchCase) -> np.ndarray | None:
    """scoring.independence per dense institution number (0 = none), or None when all are independent."""
    hinted = {i for w in case.affiliation_words for i in seg.institutions_by_word.get(w, ())}
    systems = np.isin(seg.institution_system, sorted(case.exclude_health_system_ids))
    if not hinted and not systems.any():
        return None
    out = np.ones(len(seg.institution_ids) + 1)
    out[np.searchsorted(seg.institution_ids, sorted(hinted)).astype(np.int64) + 1] = scoring.NAME_HINT
    out[systems] = scoring.AFFILIATED  # identity outweighs a name hint
    return out


def _remote(seg: Segment, case: MatchCase) -> dict:
    """Specialists who may consult this patient by telehealth: they offer it and hold a licence in the state."""
    if case.patient_state is None or not case.telehealth_ok:
        return {"remote": seg.t.telehealth, "remote_rows": seg.remote_rows(None)}
    rows = seg.remote_rows(case.patient_state)
    remote = np.zeros(seg.n_specialists, dtype=bool)
    remote[rows] = True
    return {"remote": remote, "remote_rows": rows}


def _treats_only(seg: Segment, case: MatchCase) -> np.ndarray | None:
    """scoring.treats_only by profile: the primary specialty only treats a diagnosis already made."""
    if not case.treatment_only_specialties:
        return None
    return _by_specialty(seg, case.treatment_only_specialties)[seg.profile_primary]


def _primary_holders(seg: Segment, case: MatchCase) -> np.ndarray | None:
    """By profile: holds a primary treating specialty, when some treating specialties are secondary only."""
    if not case.secondary_specialties:
        return None
    return _by_set(seg, _by_specialty(seg, case.primary_treaters))[seg.profile_set]


def _experts(seg: Segment, case: MatchCase) -> np.ndarray | None:
    """Holders of a case code or a parent code, when the case's reason puts expertise first."""
    if not case.expertise_first:
        return None
    expert = np.zeros(seg.n_specialists, dtype=bool)
    for key in case.expert_keys:
        i = seg.t.keys.get(tuple(key.split(":", 1)))
        if i is not None:
            expert[seg.by_key.rows_of(i)] = True
    return expert


def _plan_bits(seg: Segment, case: MatchCase) -> np.ndarray:
    bits = np.zeros((seg.n_docs + 7) // 8, dtype=np.uint8)
    for network_id in case.network_ids:
        i = seg.network_vocab.get(network_id)
        if i is None:
            continue
        if i in seg.network_bits:
            bits |= seg.network_bits[i]
        else:
            rows = seg.by_network.rows_of(i)
            np.bitwise_or.at(bits, rows >> 3, (1 << (rows & 7)).astype(np.uint8))
    return bits


def search_segment(
    seg: Segment, live: Live, case: MatchCase, weights: dict[str, float], bounded: bool = True, native_scan: bool = True
) -> Hits:
    """Rows of `seg` passing every hard constraint, scored, minus those that provably cannot reach the top.

    `bounded=False` scores every telehealth specialist's locations instead, and `native_scan=False`
    takes numpy's passes over the searched box instead of search/backends/native's one (both the
    references for tests).
    """
    q, scratch = compile_query(seg, case), seg.scratch()
    chosen = q.selection
    assert chosen is not None, "compile_query selects"
    try:
        scratch.excluded[q.excluded] = True
        scratch.expertise[chosen.experts] = chosen.expertise
        search = SegmentSearch(seg, live, case, q, weights, scratch)
        # Without a point every qualifying specialist counts, wherever they are: numpy's passes.
        hits = scan.near_scored(search) if native_scan and q.unit is not None else search.scored(*search.near())
        if case.telehealth_ok:
            hits = telehealth.add_telehealth(search, hits, bounded)
    finally:
        scratch.excluded[q.excluded] = False
        scratch.expertise[chosen.experts] = 0.0
    return hits


def _treating_flags(seg: Segment, q: Query, allowed: np.ndarray | None, populations) -> tuple[np.ndarray, int]:
    """Bit 1 for specialists holding a treating specialty (of an allowed population), and how many
    rows that touched (what redoing it would cost).

    Many condition sets share their treating specialties (every Z code goes to primary care): the
    broad ones are kept by specialties and populations, so a new condition set copies them."""
    postings = [seg.by_specialty.rows_of(i) for i in q.spec_idx]
    touched = sum(len(p) for p in postings)
    if touched <= seg.n_specialists // 8:
        flags = np.zeros(seg.n_specialists, dtype=np.uint8)
        for posting in postings:
            flags[posting] = 1 if allowed is None else allowed[seg.population[posting]]
        return flags, touched
    key = (tuple(q.spec_idx), populations)
    kept = seg.treating.get(key)
    if kept is None:  # broad: one pass over the specialists' profiles
        kept = scan.flags_by_profile(_by_set(seg, q.treats)[seg.profile_set], seg.profile, allowed, seg.population)
        seg.treating.put(key, kept)
    return kept.copy(), touched


def _condition_levels(seg: Segment, key: int | None, group: int | None) -> tuple[np.ndarray, np.ndarray]:
    """vector_score.condition_levels, kept for broad conditions (read-only)."""
    size = sum(len(by.rows_of(i)) for by, i in ((seg.by_key, key), (seg.by_group, group)) if i is not None)
    if size <= seg.n_specialists // 256:
        return vector_score.condition_levels(seg, key, group, seg.scratch())
    found = seg.conditions.get((key, group))
    if found is None:
        found = vector_score.condition_levels(seg, key, group, seg.scratch())
        seg.conditions.put((key, group), found)
    return found


class SegmentSearch:
    """One match over one segment, with the flags of qualifying specialists already set."""

    def __init__(self, seg, live, case, q, weights, scratch) -> None:
        self.seg, self.live, self.case, self.q, self.weights, self.scratch = seg, live, case, q, weights, scratch
        self.flags = q.selection.flags  # read-only: shared with later cases through the segment's cache

    def near(self):
        """Qualifying live rows within the radius (anywhere without a point), with their dot products.

        With telehealth welcome, telehealth rows are left to `remote`; those of their specialists
        with a row inside the searched box are marked in `scratch.marked`, as they may be close.
        """
        seg, case, q, flags = self.seg, self.case, self.q, self.flags
        boxed = self.scratch.marked
        boxed[:] = False
        if q.unit is None:
            ok = flags != 0
            if case.telehealth_ok:
                ok &= ~q.remote
            rows = expand(seg, np.flatnonzero(ok))
            return rows[self.live.rows[rows]], None
        pieces = []
        for start, end in grid.grid_ranges(case.point[0], case.point[1], case.max_distance_mi):
            a, b = seg.cell_ptr[start], seg.cell_ptr[end]
            if b > a:
                ok = (flags[seg.doc_sp[a:b]] != 0) & self.live.rows[a:b]
                if case.telehealth_ok:
                    remote = ok & q.remote[seg.doc_sp[a:b]]
                    boxed[seg.doc_sp[a:b][remote]] = True
                    ok &= ~remote
                pieces.append(np.flatnonzero(ok) + a)
        near = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
        dots = grid.dot(seg, near, q.unit)
        keep = grid.within(seg, near, dots, case.point, case.max_distance_mi)
        return where(keep, near, dots)

    def scored(self, rows, dots, count: bool = True) -> Hits:
        """Rows that pass coverage, language and exclusions, with their scores; `total` counts their
        specialists (if `count`), though rows of standing tiers that cannot reach the top are left unscored."""
        seg, case, q = self.seg, self.case, self.q
        sp = seg.doc_sp[rows]
        keep = self.specialist_ok(sp)
        in_network = None
        if q.plan_bits is not None:
            in_network = ((q.plan_bits[rows >> 3] >> (rows & 7).astype(np.uint8)) & 1).astype(bool)
            keep &= in_network | seg.self_pay[sp]
        elif case.self_pay:
            keep &= seg.self_pay[sp]
        if not keep.all():
            rows, sp = where(keep, rows, sp)
            dots = None if dots is None else where(keep, dots)[0]
            in_network = None if in_network is None else where(keep, in_network)[0]
        total = distinct(self.scratch.stamp, sp) if count else 0
        prof, row_flags = seg.profile[sp].astype(np.intp), self.flags[sp]
        bonus = vector_score.standing_bonus(q, sp, prof, row_flags)
        top = vector_score.top_tiers(bonus, sp, case.limit, self.scratch.stamp, seg.max_locations)
        if top is not None:  # the rest provably rank below: counted, not scored
            rows, sp, prof, row_flags, bonus = where(top, rows, sp, prof, row_flags, bonus)
            dots = None if dots is None else where(top, dots)[0]
            in_network = None if in_network is None else where(top, in_network)[0]
        return self.score(rows, sp, dots, in_network, total, prof, row_flags, bonus)

    def score(self, rows, sp, dots, in_network, total: int, prof=None, row_flags=None, bonus=None) -> Hits:
        """Hits of rows that qualify and can reach the top, scored (`prof` and on: already known)."""
        seg, case, q = self.seg, self.case, self.q
        if prof is None:
            prof, row_flags = seg.profile[sp].astype(np.intp), self.flags[sp]
            bonus = vector_score.standing_bonus(q, sp, prof, row_flags)
        distance = None if q.unit is None else grid.miles(seg, rows, q.unit, dots)
        score = vector_score.score_rows(
            seg, case, q, self.weights, rows, sp, prof, row_flags, bonus, distance, in_network, self.scratch
        )
        return Hits(seg, rows, sp, distance, score, total)

    def specialist_ok(self, sp) -> np.ndarray:
        """Language and exclusions, which depend on the specialist only."""
        keep = np.ones(len(sp), dtype=bool)
        if self.case.languages:
            speaks = self.scratch.language
            for posting in self.q.languages:
                speaks[posting] = True
            keep &= speaks[sp]
            for posting in self.q.languages:
                speaks[posting] = False
        if len(self.q.excluded):
            keep &= ~self.scratch.excluded[sp]
        return keep

    def expanded(self, specialists, count: bool = False) -> Hits:
        """Every live location of these specialists that passes the constraints, scored."""
        rows = expand(self.seg, specialists)
        rows = rows[self.live.rows[rows]]
        return self.scored(rows, None if self.q.unit is None else np.full(len(rows), np.nan), count)
