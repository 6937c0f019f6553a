"""The full build's way in: stream the directory tables into columns, a chunk at a time.

Reads through the raw DB-API cursor (a server-side one on PostgreSQL) so a million specialists
cost numpy arrays, not a million ORM objects or Python dicts.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from api.db import utcnow
from api.free_slots import next_available_by_practice
from reference import conditions as catalogue
from reference.populations import POPULATIONS, population_of
from search.backends import heap
from search.backends.tables import NO_INT, Strings, Tables, Vocab, narrow, ptr_from_owners
from search.documents import display_name

CHUNK = 100_000
Progress = Callable[[str], None]


def tables_from_database(session: Session, progress: Progress | None = None) -> Tables:
    """Every specialist and practice location, as columns (the whole directory in one read)."""
    # Millions of short-lived row tuples would trigger the cyclic GC over and over, each pass
    # walking every live object: half the build time at 1M specialists. Nothing here makes cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(session, progress or (lambda _msg: None))
    finally:
        if enabled:
            gc.enable()


def _read(session: Session, say: Progress) -> Tables:
    conn = session.connection()
    cursor_of = _cursor_factory(conn)
    sp = _specialists(cursor_of)
    sid, m = sp["sid"], len(sp["sid"])
    say(f"read {m:,} specialists")
    heap.give_back()  # what one part of the read freed is returned before the next one allocates
    specialties, languages, keys, places = Vocab(), Vocab(), Vocab(), Vocab()
    spec = _children(
        cursor_of,
        sid,
        "SELECT specialist_id, taxonomy_code, is_primary FROM specialist_specialty",
        [specialties.add_all, bool],
    )
    lang = _children(cursor_of, sid, "SELECT specialist_id, language FROM specialist_language", [languages.add_all])
    cond = _children(
        cursor_of,
        sid,
        "SELECT specialist_id, system, code, cases_per_year, publications, "
        "center_of_expertise FROM condition_expertise",
        [None, None, np.int64, np.int64, bool],
        keys=keys,
    )
    say(f"read {len(cond[1]):,} condition expertise rows")
    heap.give_back()
    lic = _children(cursor_of, sid, "SELECT specialist_id, state FROM specialist_licence", [places.add_all])
    docs = _children(
        cursor_of,
        sid,
        "SELECT pl.specialist_id, pl.id, pl.accepting_new_patients, l.lat, l.lon, "
        "l.zip, l.city, l.state FROM practice_location pl JOIN location l ON l.id = pl.location_id",
        [np.int64, bool, np.float64, np.float64, places.add_all, places.add_all, places.add_all],
        then_by=1,
    )
    plid = docs[1]
    nets = _children(
        cursor_of, plid, "SELECT practice_location_id, network_id FROM network_participation", [np.int64], then_by=1
    )
    say(f"read {len(plid):,} practice locations, {len(nets[1]):,} network participations")
    heap.give_back()
    next_available = _next_available(session, plid)
    institutions = {
        row[0]: (row[1], row[2], row[3])
        for chunk in _chunks(cursor_of, "SELECT id, name, kind, health_system_id FROM institution")
        for row in chunk
    }

    key_groups = {i: catalogue.group_of(system, code) for i, (system, code) in enumerate(keys.values)}
    n = len(plid)
    population = _populations(sp.pop("population_recorded"), spec, m, specialties)
    return Tables(
        **sp,
        spec_ptr=ptr_from_owners(spec[0], m),
        spec_code=spec[1],
        spec_primary=spec[2],
        lang_ptr=ptr_from_owners(lang[0], m),
        lang_code=lang[1],
        cond_ptr=ptr_from_owners(cond[0], m),
        cond_key=cond[1],
        cond_cases=cond[2],
        cond_pubs=cond[3],
        cond_center=cond[4],
        population=population,
        lic_ptr=ptr_from_owners(lic[0], m),
        lic_code=lic[1],
        plid=plid,
        doc_sp=docs[0].astype(np.int32),
        loc_accepting=docs[2],
        lat=docs[3],
        lon=docs[4],
        next_available=next_available,
        zip_code=docs[5],
        city=docs[6],
        state=docs[7],
        net_ptr=ptr_from_owners(nets[0], n),
        net_id=nets[1],
        specialties=specialties,
        languages=languages,
        keys=keys,
        key_groups=key_groups,
        places=places,
        institutions=institutions,
    )


def _next_available(session: Session, plid: np.ndarray) -> np.ndarray:
    """Epoch seconds of each practice location's next free slot (nan where none is open)."""
    now = utcnow()
    out = np.full(len(plid), np.nan)
    soonest = next_available_by_practice(session, now)
    if soonest:
        ids = np.fromiter(soonest, np.int64, len(soonest))
        when = np.fromiter((moment.timestamp() for moment in soonest.values()), np.float64, len(soonest))
        out[_positions(plid, ids)] = when
    return out


def _cursor_factory(conn):
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        counter = iter(range(1 << 30))
        # A named (server-side) cursor streams; a plain psycopg cursor would hold every row in memory.
        return lambda: raw.cursor(name=f"secondlook_build_{next(counter)}")
    return raw.cursor


def _chunks(cursor_of, sql: str):
    cur = cursor_of()
    try:
        cur.execute(sql)
        while rows := cur.fetchmany(CHUNK):
            yield rows
    finally:
        cur.close()


def _specialists(cursor_of) -> dict:
    # Converted a chunk at a time: a million rows held as Python lists cost ~800 MB at the peak,
    # and the freed objects left the process that much larger for good (fragmented arenas).
    sql = (
        "SELECT id, npi, first_name, last_name, credentials, accepts_second_opinions, telehealth, "
        "self_pay_price_cents, rating, review_count, institution_id, last_verified, population "
        "FROM specialist ORDER BY id"
    )
    recorded = {p: i for i, p in enumerate(POPULATIONS)}
    parts: list[dict[str, Any]] = []
    for rows in _chunks(cursor_of, sql):
        cols = list(zip(*rows, strict=True))
        parts.append(
            {
                "sid": np.array(cols[0], np.int64),
                "npi": np.array(cols[1], np.int64),
                "name": Strings.of(map(display_name, cols[2], cols[3], cols[4])),
                "accepts_second_opinions": np.array(cols[5], bool),
                "telehealth": np.array(cols[6], bool),
                "price": narrow(np.array([NO_INT if v is None else v for v in cols[7]], np.int64)),
                "rating": np.array([np.nan if v is None else v for v in cols[8]], np.float64),
                "reviews": narrow(np.array([v or 0 for v in cols[9]], np.int64)),
                "institution": narrow(np.array([NO_INT if v is None else v for v in cols[10]], np.int64)),
                "last_verified": np.array(cols[11], "datetime64[D]"),
                # POPULATIONS index, or -1 where none is recorded (then the specialties decide).
                "population_recorded": np.array([recorded.get(v, -1) if v else -1 for v in cols[12]], np.int8),
            }
        )
    if not parts:
        return _specialist_columns_empty()
    return {
        key: Strings.concat([p[key] for p in parts]) if key == "name" else np.concatenate([p[key] for p in parts])
        for key in parts[0]
    }


def _specialist_columns_empty() -> dict:
    return {
        "sid": np.zeros(0, np.int64),
        "npi": np.zeros(0, np.int64),
        "name": Strings.of([]),
        "accepts_second_opinions": np.zeros(0, bool),
        "telehealth": np.zeros(0, bool),
        "price": np.zeros(0, np.int64),
        "rating": np.zeros(0, np.float64),
        "reviews": np.zeros(0, np.int64),
        "institution": np.zeros(0, np.int64),
        "last_verified": np.zeros(0, "datetime64[D]"),
        "population_recorded": np.zeros(0, np.int8),
    }


def _populations(recorded: np.ndarray, spec: list[np.ndarray], m: int, specialties: Vocab) -> np.ndarray:
    """Per specialist the POPULATIONS index: the recorded one, else what their NUCC codes imply."""
    out = recorded.copy()
    missing = np.flatnonzero(out < 0)
    if not len(missing):
        return out
    ptr = ptr_from_owners(spec[0], m)
    names, codes, primary = specialties.values, spec[1], spec[2]
    implied: dict[tuple, int] = {}
    for row in missing.tolist():
        span = slice(ptr[row], ptr[row + 1])
        held = [names[c] for c in codes[span]]
        marked = [names[c] for c, p in zip(codes[span], primary[span], strict=True) if p]
        first = marked[-1] if marked else None
        key = (first, *sorted(held))
        if key not in implied:
            implied[key] = POPULATIONS.index(population_of(first, held))
        out[row] = implied[key]
    return out


def _children(
    cursor_of, owner_ids: np.ndarray, sql: str, kinds: list, keys: Vocab | None = None, then_by: int | None = None
) -> list[np.ndarray]:
    """Child rows of owners (first column = owner id) as arrays: owner row index, then each column.

    `kinds` converts each further column: a numpy dtype (np.int64 ones are `narrow`ed), or a
    function mapping a chunk to indexes.
    With `keys`, the first two further columns (system, code) become one vocabulary index. Rows
    come back grouped by owner row (then by column `then_by`), sorted here rather than in SQL so
    the database only has to scan.
    """
    parts: list[list[np.ndarray]] = []
    for rows in _chunks(cursor_of, sql):
        cols = list(zip(*rows, strict=True))
        out = [_positions(owner_ids, np.array(cols[0], np.int64)).astype(np.int32)]
        rest, kinds_left = cols[1:], kinds
        if keys is not None:
            out.append(np.array(keys.add_all(zip(rest[0], rest[1], strict=True)), np.int32))
            rest, kinds_left = rest[2:], kinds[2:]
        for col, kind in zip(rest, kinds_left, strict=True):
            if not isinstance(kind, type):
                out.append(np.array(kind(col), np.int32))
            elif kind is bool:
                out.append(np.array(col, bool))
            else:  # int32 where a chunk's values fit (concatenating keeps int64 if one chunk's did not)
                values: np.ndarray = np.array([0 if v is None else v for v in col], kind)
                out.append(narrow(values) if kind is np.int64 else values)
        parts.append(out)
    width = 1 + len(kinds) - (1 if keys is not None else 0)
    if not parts:
        return [np.zeros(0, np.int64)] + [np.zeros(0, np.int32) for _ in range(width - 1)]
    columns = []
    for i in range(width):  # each chunk's part freed as soon as it is copied
        columns.append(np.concatenate([p[i] for p in parts]))
        for p in parts:
            p[i] = np.zeros(0)
    order = np.lexsort((columns[then_by], columns[0])) if then_by is not None else np.argsort(columns[0], kind="stable")
    for i, column in enumerate(columns):  # the unsorted column goes as its sorted copy comes
        columns[i] = column[order]
        del column
    return columns


def _positions(owner_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    # Specialist ids are sorted; practice location ids (in document order) need not be.
    if len(owner_ids) < 2 or bool(np.all(owner_ids[1:] > owner_ids[:-1])):
        return np.searchsorted(owner_ids, ids)
    order = np.argsort(owner_ids, kind="stable")
    return order[np.searchsorted(owner_ids[order], ids)]
