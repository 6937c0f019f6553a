"""One immutable segment of the embedded index: columns, postings and a geo grid, built from Tables."""

from __future__ import annotations

import math
import threading

import numpy as np

from search import scoring
from search.backends import heap
from search.backends.document_rows import DocumentParts
from search.backends.native._scan import lib as native
from search.backends.selection import CACHE_BYTES, SelectionCache
from search.backends.tables import NO_INT, Tables
from search.case import normalise_institution_name

CELL_DEG = 0.5  # geo grid cell: about 35 x 25 miles in the lower 48
N_LAT, N_LON = int(180 / CELL_DEG), int(360 / CELL_DEG)


class Postings:
    """Rows grouped by a vocabulary index (CSR), optionally with one float per row."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, size: int, values: np.ndarray | None = None):
        if values is None:
            self.rows, self.values = _sorted_pairs(keys, rows), None
        else:
            order = np.lexsort((rows, keys))
            self.rows = rows[order].astype(np.int32, copy=False)
            self.values = values[order]
        self.ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=size), out=self.ptr[1:])

    def rows_of(self, index: int) -> np.ndarray:
        """Rows holding vocabulary entry `index`."""
        return self.rows[self.ptr[index] : self.ptr[index + 1]]

    def values_of(self, index: int) -> np.ndarray:
        """The per-row values aligned with `rows_of(index)`."""
        assert self.values is not None, "postings built without values"
        return self.values[self.ptr[index] : self.ptr[index + 1]]


def _sorted_pairs(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`rows` ordered by (key, row), as int32: one packed int64 sorted in place, rather than a sort
    order (int64) plus the gathered copy, which at 5M network rows was the build's high-water mark."""
    span = int(rows.max()) + 1 if len(rows) else 1
    packed = keys.astype(np.int64)
    packed *= span
    packed += rows
    packed.sort()
    np.remainder(packed, span, out=packed)
    return packed.astype(np.int32)


def evidence(cases: np.ndarray, pubs: np.ndarray, center: np.ndarray) -> np.ndarray:
    """`search.scoring.evidence`, vectorised (same formula, same constants)."""
    c = np.minimum(1.0, np.log1p(cases) / math.log1p(scoring.CASES_FULL))
    p = np.minimum(1.0, np.log1p(pubs) / math.log1p(scoring.PUBLICATIONS_FULL))
    return 0.6 * c + 0.25 * p + 0.15 * center.astype(np.float64)


class Segment:
    """Specialists and their practice locations; rows of documents are ordered by geo cell."""

    def __init__(self, t: Tables) -> None:
        self.t = t
        m, n = len(t.sid), len(t.plid)
        self.n_specialists, self.n_docs = m, n
        self._specialist_side(t, m)
        heap.give_back()  # each side's temporaries are gone before the next side makes its own
        self._document_side(t, n)
        heap.give_back()
        self._institution_side(t)
        self._local = threading.local()
        self._remote_rows: dict[str | None, np.ndarray] = {}  # see remote_rows
        for place in np.flatnonzero(np.diff(self.by_licence.ptr)).tolist():  # each state's, made now
            self.remote_rows(t.places.values[place])
        # What recent cases selected (search.backends.query), by kind, so the many one-off condition sets
        # cannot push out the treating specialties and broad conditions that many sets share.
        self.selections = SelectionCache(CACHE_BYTES // 2)  # by condition set
        self.treating = SelectionCache(CACHE_BYTES // 3)  # by treating specialties and ages
        self.conditions = SelectionCache(CACHE_BYTES // 6)  # by condition
        self.tier_tables: dict[tuple, np.ndarray | None] = {}  # search/backends/native: by what makes them

    # -- build -------------------------------------------------------------------------------
    def _specialist_side(self, t: Tables, m: int) -> None:
        # Row numbers as int32 throughout, and each step's temporaries gone before the next step:
        # at 1M specialists and 5M network rows the build's temporaries set the process's peak memory.
        spec_sp = _owners(t.spec_ptr, m)
        self.by_specialty = Postings(t.spec_code, spec_sp, len(t.specialties))
        # Primary specialty per specialist; "none" is the extra last index, so lookup tables need no check.
        self.primary = np.full(m, len(t.specialties), dtype=np.int32)
        self.primary[spec_sp[t.spec_primary]] = t.spec_code[t.spec_primary]
        self._specialty_sets(t, m, spec_sp)
        del spec_sp
        self.by_language = Postings(t.lang_code, _owners(t.lang_ptr, m), len(t.languages))
        self._expertise(t, m)
        self.by_licence = Postings(t.lic_code, _owners(t.lic_ptr, m), len(t.places))
        self.population = t.population
        self.self_pay = t.price >= 0
        self.everyone_self_pays = bool(self.self_pay.all())
        shrunk = np.where(
            np.isnan(t.rating) | (t.reviews <= 0),
            scoring.RATING_PRIOR_MEAN,
            (scoring.RATING_PRIOR_MEAN * scoring.RATING_PRIOR_REVIEWS + np.nan_to_num(t.rating) * t.reviews)
            / (scoring.RATING_PRIOR_REVIEWS + t.reviews),
        )
        self.quality = shrunk / 5.0
        self.best_quality = float(self.quality.max()) if m else 0.0
        self.document_parts = DocumentParts(t, self.specialty_sets)

    def _expertise(self, t: Tables, m: int) -> None:
        # Condition keys with each specialist's evidence, and the same per group of related codes.
        cond_sp = _owners(t.cond_ptr, m)
        ev = evidence(t.cond_cases, t.cond_pubs, t.cond_center)
        self.by_key = Postings(t.cond_key, cond_sp, len(t.keys), ev)
        groups = sorted({g for g in t.key_groups.values() if g})
        self.group_index = {g: i for i, g in enumerate(groups)}
        key_group = np.array(
            [self.group_index.get(t.key_groups.get(k) or "", -1) for k in range(len(t.keys))] or [-1], dtype=np.int32
        )
        g = key_group[t.cond_key] if len(t.cond_key) else np.zeros(0, np.int32)
        keep = g >= 0
        g, gsp, gev = g[keep], cond_sp[keep], ev[keep]
        del keep, cond_sp, ev
        # One entry per (group, specialist): the strongest evidence among their codes in the group.
        order = np.lexsort((-gev, gsp, g))
        g = g[order]
        gsp = gsp[order]
        gev = gev[order]
        del order
        first = np.ones(len(g), bool)
        first[1:] = (g[1:] != g[:-1]) | (gsp[1:] != gsp[:-1])
        self.by_group = Postings(g[first], gsp[first], len(groups), gev[first])

    def _specialty_sets(self, t: Tables, m: int, spec_sp: np.ndarray) -> None:
        # Specialists share a few thousand distinct sets of specialties: "holds a treating specialty"
        # is then one gather from a per-match table of sets, not a scatter of huge postings.
        width = int(np.diff(t.spec_ptr).max()) if m else 0
        padded = np.full((m, max(width, 1)), len(t.specialties), dtype=np.int32)  # pad = "none"
        padded[spec_sp, np.arange(len(spec_sp)) - t.spec_ptr[spec_sp]] = t.spec_code
        padded.sort(axis=1)
        self.specialty_sets, specialty_set = np.unique(padded, axis=0, return_inverse=True)
        del padded
        # Finer still, a profile is a (primary specialty, set of specialties) pair: what a case asks of
        # a specialist's specialties (treats as primary, only reads, holds a primary treater) is then a
        # per-match table over a few thousand profiles and one gather per scored row.
        base = len(t.specialties) + 1
        profiles, profile = np.unique(
            specialty_set.reshape(-1).astype(np.int64) * base + self.primary, return_inverse=True
        )
        self.profile = profile.reshape(-1).astype(np.int32)  # as search/backends/native reads it
        self.profile_set, self.profile_primary = (profiles // base).astype(np.int32), (profiles % base).astype(np.int32)
        del profile, specialty_set

    def _document_side(self, t: Tables, n: int) -> None:
        perm, self.cell_ptr = _by_cell(t.lat, t.lon)  # rows of a cell (and a band of cells) are contiguous
        self.doc_sp = t.doc_sp[perm].astype(np.intp)
        self.source_row = perm  # row in Tables order, for what is only needed to show a document
        self.unit = _unit_vectors(t.lat, t.lon, perm)
        self.accepting = t.loc_accepting[perm] & t.accepts_second_opinions[self.doc_sp]
        assert t.next_available is not None, "a Tables feeds one Segment"
        self.next_available = t.next_available[perm]
        t.next_available = None  # documents read it here, in row order: one copy, not two
        self.has_slots = bool(np.any(~np.isnan(self.next_available)))
        self.telehealth = t.telehealth[self.doc_sp]
        rank_of = np.empty(n, dtype=np.int32)
        rank_of[perm] = np.arange(n, dtype=np.int32)
        net_doc = rank_of[np.repeat(np.arange(n, dtype=np.int32), np.diff(t.net_ptr))]
        del rank_of
        networks, net_key = _dense(t.net_id)
        self.network_vocab = {int(v): i for i, v in enumerate(networks)}
        self.by_network = Postings(net_key, net_doc, len(networks))
        del net_doc, net_key
        # Large networks also as bitsets (n/8 bytes each): a plan's in-network test is then one
        # OR of a few bitsets per match instead of scattering hundreds of thousands of rows.
        # The same per specialist ("in network at one of their locations") bounds telehealth scores.
        self.network_bits: dict[int, np.ndarray] = {}
        self.network_specialist_bits: dict[int, np.ndarray] = {}
        for i in np.flatnonzero(np.diff(self.by_network.ptr) > max(4096, n // 64)):
            member = np.zeros(n, dtype=bool)
            member[self.by_network.rows_of(int(i))] = True
            self.network_bits[int(i)] = np.packbits(member, bitorder="little")
            member = np.zeros(self.n_specialists, dtype=bool)
            member[self.doc_sp[self.by_network.rows_of(int(i))]] = True
            self.network_specialist_bits[int(i)] = np.packbits(member, bitorder="little")
        order = np.argsort(self.doc_sp, kind="stable")
        self.sp_doc_rows = order.astype(np.int32)
        self.sp_doc_ptr = np.zeros(self.n_specialists + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.doc_sp, minlength=self.n_specialists), out=self.sp_doc_ptr[1:])
        self.max_locations = int(np.diff(self.sp_doc_ptr).max()) if self.n_specialists else 0
        # What search/backends/native needs of a row's specialist, stored by row: it reads rows in order.
        self.doc_profile = self.profile[self.doc_sp]
        self.doc_traits = self.self_pay[self.doc_sp] * np.uint8(native.TRAIT_SELF_PAY)
        self.doc_traits |= (np.diff(self.sp_doc_ptr) == 1)[self.doc_sp] * np.uint8(native.TRAIT_ONE_LOCATION)

    def _institution_side(self, t: Tables) -> None:
        # Dense institution numbers (0 = none) so per-match tables of institutions are plain arrays.
        self.institution_ids = np.array(sorted(t.institutions), dtype=np.int64)
        known = np.searchsorted(self.institution_ids, t.institution)
        found = (t.institution != NO_INT) & (known < len(self.institution_ids))
        found[found] = self.institution_ids[known[found]] == t.institution[found]
        self.institution_index = np.where(found, known + 1, 0).astype(np.int32)
        self._by_institution = np.argsort(t.institution, kind="stable").astype(np.int32)
        # int64 like the ids a case names: searchsorted would otherwise convert the whole column per call.
        self._institution_sorted = t.institution[self._by_institution].astype(np.int64)
        self.institutions_by_name: dict[str, list[int]] = {}
        self.institutions_by_word: dict[str, list[int]] = {}
        # Health system per dense institution number (0 = none), NO_INT where there is none.
        self.institution_system = np.array(
            [NO_INT]
            + [NO_INT if t.institutions[i][2] is None else t.institutions[i][2] for i in self.institution_ids.tolist()],
            dtype=np.int64,
        )
        for inst_id, (name, _kind, _system) in t.institutions.items():
            self.institutions_by_name.setdefault(normalise_institution_name(name), []).append(inst_id)
            for word in scoring.distinctive_words(name):
                self.institutions_by_word.setdefault(word, []).append(inst_id)

    # -- lookups -----------------------------------------------------------------------------
    def specialist_row(self, specialist_id: int) -> int | None:
        """Row of a specialist id in this segment, or None."""
        i = int(np.searchsorted(self.t.sid, specialist_id))
        return i if i < self.n_specialists and self.t.sid[i] == specialist_id else None

    def specialists_at(self, institution_ids) -> np.ndarray:
        """Specialist rows of the given institutions."""
        ids = np.asarray(sorted(institution_ids), dtype=np.int64)
        lo = np.searchsorted(self._institution_sorted, ids, side="left")
        hi = np.searchsorted(self._institution_sorted, ids, side="right")
        return np.concatenate(
            [self._by_institution[a:b] for a, b in zip(lo, hi, strict=True)] or [np.zeros(0, np.int64)]
        )

    def remote_rows(self, state: str | None) -> np.ndarray:
        """Specialist rows offering telehealth and, when `state` is given, licensed there (ascending);
        worked out once per state."""
        found = self._remote_rows.get(state)
        if found is None:
            if state is None:
                found = np.flatnonzero(self.t.telehealth)
            else:
                i = self.t.places.get(state)
                licensed = self.by_licence.rows_of(i) if i is not None else np.zeros(0, np.int32)
                found = np.unique(licensed[self.t.telehealth[licensed]]).astype(np.intp)
            self._remote_rows[state] = found  # a race only works the same list out twice
        return found

    def doc_rows_of(self, sp_row: int) -> np.ndarray:
        """Document rows of one specialist row."""
        return self.sp_doc_rows[self.sp_doc_ptr[sp_row] : self.sp_doc_ptr[sp_row + 1]]

    def scratch(self) -> Scratch:
        """Per-thread work arrays, so concurrent matches never share state."""
        found = getattr(self._local, "scratch", None)
        if found is None:
            found = self._local.scratch = Scratch(self.n_specialists, self.n_docs)
        return found


def _owners(ptr: np.ndarray, m: int) -> np.ndarray:
    """The owner row (int32) of each child row of a CSR list."""
    return np.repeat(np.arange(m, dtype=np.int32), np.diff(ptr))


def _by_cell(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by geo cell (int32), and the CSR offsets of each cell's rows in that order."""
    cell = np.clip(((lat + 90.0) / CELL_DEG).astype(np.int32), 0, N_LAT - 1) * N_LON
    cell += np.clip(((lon + 180.0) / CELL_DEG).astype(np.int32), 0, N_LON - 1)
    perm = np.argsort(cell, kind="stable").astype(np.int32)
    ptr = np.zeros(N_LAT * N_LON + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=N_LAT * N_LON), out=ptr[1:])
    return perm, ptr


def _unit_vectors(lat: np.ndarray, lon: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Each row's location as a unit vector (n x 3: a row's three side by side, one cache line to
    gather): a distance is then a dot product, an arccos only where a score needs miles. Filled in
    place, so no more than one temporary column exists."""
    unit = np.empty((len(perm), 3), dtype=np.float64)
    lat_r, lon_r = np.radians(lat[perm]), np.radians(lon[perm])
    np.cos(lat_r, out=unit[:, 0])
    np.sin(lat_r, out=unit[:, 2])
    np.multiply(unit[:, 0], np.sin(lon_r), out=unit[:, 1])
    np.multiply(unit[:, 0], np.cos(lon_r), out=unit[:, 0])
    return unit


def _dense(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ids (ascending) and each id's index among them, as np.unique(return_inverse) gives.

    Network ids are small numbers: a lookup table then replaces sorting millions of rows."""
    if len(ids) and ids.min() >= 0 and ids.max() < 1 << 22:
        present = np.bincount(ids) > 0
        index = (np.cumsum(present) - 1).astype(np.int32)
        return np.flatnonzero(present), index[ids]
    distinct, inverse = np.unique(ids, return_inverse=True)
    return distinct, inverse.reshape(-1).astype(np.int32)


class Live:
    """Which rows of a segment may be returned (not superseded, accepting), and which specialists have one."""

    def __init__(self, seg: Segment, rows: np.ndarray) -> None:
        self.rows = rows
        self.specialists = np.zeros(seg.n_specialists, dtype=bool)
        self.specialists[seg.doc_sp[rows]] = True

    @classmethod
    def initial(cls, seg: Segment) -> Live:
        """Every accepting row of a freshly built segment."""
        return cls(seg, seg.accepting.copy())


class Scratch:
    """Work arrays a match fills and clears again, sized to one segment."""

    def __init__(self, m: int, n: int) -> None:
        self.level = np.zeros(m, dtype=np.float64)
        self.expertise = np.zeros(m, dtype=np.float64)
        self.language = np.zeros(m, dtype=bool)
        self.excluded = np.zeros(m, dtype=bool)
        self.stamp = np.zeros(m, dtype=np.int32)  # positions within one array of rows (< 2**31)
        self.marked = np.zeros(m, dtype=bool)
        self.member = np.zeros(m, dtype=bool)
        self.seen = np.zeros((m + 63) // 64, dtype=np.uint64)  # search/backends/native: a bit per specialist
