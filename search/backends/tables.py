"""The directory as columns: what a segment of the embedded index is assembled from.

Two ways in, one shape out: `tables_from_documents` (a handful of changed specialists, tests,
parity checks) and `search.backends.tables_sql.tables_from_database` (the full build, streamed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from reference.populations import ALL_AGES, POPULATIONS

NO_INT = -1  # stands for NULL in integer columns
INT32_LIMIT = 1 << 31


class Vocab:
    """Strings (or ids) to dense int indexes, in order of first appearance."""

    def __init__(self) -> None:
        self.index: dict = {}
        self.values: list = []

    def add(self, value) -> int:
        """The index of `value`, adding it if new."""
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def add_all(self, values: Iterable) -> list[int]:
        """Indexes of many values (the hot path of a build)."""
        index, out = self.index, []
        for value in values:
            found = index.get(value)
            if found is None:
                found = index[value] = len(self.values)
                self.values.append(value)
            out.append(found)
        return out

    def get(self, value) -> int | None:
        """The index of a known value, else None."""
        return self.index.get(value)

    def __len__(self) -> int:
        return len(self.values)


class Strings:
    """Many short strings as one UTF-8 buffer and offsets: a third of the memory of a million str
    objects, and no per-string objects whose reference counts would unshare a forked worker's pages."""

    def __init__(self, blob: bytes, ends: np.ndarray) -> None:
        self.blob, self.ends = blob, ends

    @classmethod
    def of(cls, values: Iterable[str]) -> Strings:
        """The strings, in order."""
        encoded = [v.encode() for v in values]
        return cls(b"".join(encoded), np.cumsum([len(e) for e in encoded], dtype=np.int64))

    @classmethod
    def concat(cls, parts: list[Strings]) -> Strings:
        """One store holding each part's strings, in order."""
        shift = np.cumsum([0] + [len(p.blob) for p in parts[:-1]], dtype=np.int64)
        ends = [p.ends + offset for p, offset in zip(parts, shift, strict=True)]
        return cls(b"".join(p.blob for p in parts), np.concatenate(ends) if ends else np.zeros(0, np.int64))

    def __getitem__(self, i: int) -> str:
        """The i-th string."""
        return self.blob[(self.ends[i - 1] if i else 0) : self.ends[i]].decode()

    def __len__(self) -> int:
        return len(self.ends)


@dataclass
class Tables:
    """Specialists (sorted by id) with their lists as CSR arrays, and their practice locations."""

    # Specialists, one row each.
    sid: np.ndarray  # int64 ids, ascending
    npi: np.ndarray  # int64
    name: Strings  # display names
    accepts_second_opinions: np.ndarray  # bool
    telehealth: np.ndarray  # bool
    price: np.ndarray  # int32 cents (see `narrow`), NO_INT = no self-pay
    rating: np.ndarray  # float64, nan = none
    reviews: np.ndarray  # int32
    institution: np.ndarray  # int32 ids (see `narrow`), NO_INT = none
    last_verified: np.ndarray  # datetime64[D], NaT = never
    spec_ptr: np.ndarray
    spec_code: np.ndarray  # int32 into `specialties`
    spec_primary: np.ndarray  # bool
    lang_ptr: np.ndarray
    lang_code: np.ndarray  # int32 into `languages`
    cond_ptr: np.ndarray
    cond_key: np.ndarray  # int32 into `keys`
    cond_cases: np.ndarray  # int32
    cond_pubs: np.ndarray  # int32
    cond_center: np.ndarray  # bool
    population: np.ndarray  # int8 index into reference.populations.POPULATIONS
    lic_ptr: np.ndarray
    lic_code: np.ndarray  # int32 into `places`: states of the specialist's licences
    # Practice locations (documents), ordered by specialist then practice location id.
    plid: np.ndarray  # int32 ids (see `narrow`)
    doc_sp: np.ndarray  # int32 specialist row
    loc_accepting: np.ndarray  # bool
    lat: np.ndarray
    lon: np.ndarray
    # float64 epoch seconds of the next free slot here, nan = none known. A Segment keeps it in its
    # own row order and empties this column (no second copy).
    next_available: np.ndarray | None  # None once a Segment holds it in row order
    zip_code: np.ndarray  # int32 into `places`
    city: np.ndarray  # int32 into `places`
    state: np.ndarray  # int32 into `places`
    net_ptr: np.ndarray
    net_id: np.ndarray  # int32 network ids (see `narrow`)
    # Vocabularies and lookups.
    specialties: Vocab = field(default_factory=Vocab)
    languages: Vocab = field(default_factory=Vocab)
    keys: Vocab = field(default_factory=Vocab)  # (system, code)
    key_groups: dict[int, str | None] = field(default_factory=dict)  # key index -> group
    places: Vocab = field(default_factory=Vocab)  # zips, cities and states share one vocabulary
    # id -> (name, kind, health system id or None)
    institutions: dict[int, tuple[str | None, str | None, int | None]] = field(default_factory=dict)


def ptr_from_owners(owner_rows: np.ndarray, count: int) -> np.ndarray:
    """CSR offsets for child rows already grouped by their owner row."""
    ptr = np.zeros(count + 1, dtype=np.int32 if len(owner_rows) < INT32_LIMIT else np.int64)
    np.cumsum(np.bincount(owner_rows, minlength=count), out=ptr[1:])
    return ptr


def narrow(values: np.ndarray) -> np.ndarray:
    """Integer values (ids, cents, counts) as int32 when they all fit, else unchanged.

    Half the bytes of int64: at a million specialists the index holds tens of millions of them.
    """
    if len(values) and (values.min() < -INT32_LIMIT or values.max() >= INT32_LIMIT):
        return values
    return values.astype(np.int32)


def epoch_seconds(value: str | datetime | None) -> float:
    """An ISO-8601 (or datetime) slot as UTC epoch seconds; nan when unknown."""
    if value is None:
        return float("nan")
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.timestamp()


def tables_from_documents(docs: Iterable[dict]) -> Tables:
    """Columns from index documents (as `search.documents.build_documents` yields them)."""
    by_specialist: dict[int, list[dict]] = {}
    for doc in docs:
        by_specialist.setdefault(doc["specialist_id"], []).append(doc)
    specialties, languages, keys, places = Vocab(), Vocab(), Vocab(), Vocab()
    key_groups: dict[int, str | None] = {}
    institutions: dict[int, tuple[str | None, str | None, int | None]] = {}
    sp_rows, spec_rows, lang_rows, cond_rows, doc_rows, net_rows, lic_rows = [], [], [], [], [], [], []
    for row, sid in enumerate(sorted(by_specialist)):
        located = sorted(by_specialist[sid], key=lambda d: d["practice_location_id"])
        first = located[0]
        if first["institution_id"] is not None:
            institutions[first["institution_id"]] = (
                first["institution_name"],
                first["institution_kind"],
                first.get("health_system_id"),
            )
        # A document's `accepting` already folds in accepts_second_opinions; keep it per location.
        sp_rows.append(
            (
                sid,
                int(first["npi"]),
                first["display_name"],
                True,
                first["telehealth"],
                _int(first["self_pay_price_cents"]),
                _float(first["rating"]),
                first["review_count"],
                _int(first["institution_id"]),
                first["last_verified"],
                POPULATIONS.index(first.get("population", ALL_AGES)),
            )
        )
        lic_rows += [(row, places.add(state)) for state in first.get("licensed_states", ())]
        spec_rows += [(row, specialties.add(code), code == first["primary_specialty"]) for code in first["specialties"]]
        lang_rows += [(row, languages.add(lang)) for lang in first["languages"]]
        for held in first["conditions"]:
            k = keys.add((held["system"], held["code"]))
            key_groups[k] = held["group"]
            cond_rows.append((row, k, held["cases_per_year"], held["publications"], held["center_of_expertise"]))
        for doc in located:
            doc_rows.append(
                (
                    doc["practice_location_id"],
                    row,
                    doc["accepting"],
                    doc["location"]["lat"],
                    doc["location"]["lon"],
                    epoch_seconds(doc.get("next_available")),
                    places.add(doc["zip"]),
                    places.add(doc["city"]),
                    places.add(doc["state"]),
                )
            )
            net_rows += [(len(doc_rows) - 1, n) for n in doc["network_ids"]]
    m, n = len(sp_rows), len(doc_rows)
    sp = _columns(sp_rows, 11)
    spec, lang, cond = _columns(spec_rows, 3), _columns(lang_rows, 2), _columns(cond_rows, 5)
    docs_c, nets, lic = _columns(doc_rows, 9), _columns(net_rows, 2), _columns(lic_rows, 2)
    return Tables(
        sid=np.array(sp[0], np.int64),
        npi=np.array(sp[1], np.int64),
        name=Strings.of(sp[2]),
        accepts_second_opinions=np.array(sp[3], bool),
        telehealth=np.array(sp[4], bool),
        price=narrow(np.array(sp[5], np.int64)),
        rating=np.array(sp[6], np.float64),
        reviews=narrow(np.array(sp[7], np.int64)),
        institution=narrow(np.array(sp[8], np.int64)),
        last_verified=np.array(sp[9], "datetime64[D]"),
        spec_ptr=ptr_from_owners(np.array(spec[0], np.int64), m),
        spec_code=np.array(spec[1], np.int32),
        spec_primary=np.array(spec[2], bool),
        lang_ptr=ptr_from_owners(np.array(lang[0], np.int64), m),
        lang_code=np.array(lang[1], np.int32),
        cond_ptr=ptr_from_owners(np.array(cond[0], np.int64), m),
        cond_key=np.array(cond[1], np.int32),
        cond_cases=narrow(np.array(cond[2], np.int64)),
        cond_pubs=narrow(np.array(cond[3], np.int64)),
        cond_center=np.array(cond[4], bool),
        population=np.array(sp[10], np.int8),
        lic_ptr=ptr_from_owners(np.array(lic[0], np.int64), m),
        lic_code=np.array(lic[1], np.int32),
        plid=narrow(np.array(docs_c[0], np.int64)),
        doc_sp=np.array(docs_c[1], np.int32),
        loc_accepting=np.array(docs_c[2], bool),
        lat=np.array(docs_c[3], np.float64),
        lon=np.array(docs_c[4], np.float64),
        next_available=np.array(docs_c[5], np.float64),
        zip_code=np.array(docs_c[6], np.int32),
        city=np.array(docs_c[7], np.int32),
        state=np.array(docs_c[8], np.int32),
        net_ptr=ptr_from_owners(np.array(nets[0], np.int64), n),
        net_id=narrow(np.array(nets[1], np.int64)),
        specialties=specialties,
        languages=languages,
        keys=keys,
        key_groups=key_groups,
        places=places,
        institutions=institutions,
    )


def _columns(rows: list[tuple], width: int) -> list[list]:
    return [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _int(value) -> int:
    return NO_INT if value is None else int(value)


def _float(value) -> float:
    return float("nan") if value is None else float(value)


def as_iso_date(value) -> str | None:
    """A datetime64[D] (or NaT) as "YYYY-MM-DD" (or None)."""
    if np.isnat(value):
        return None
    return date.fromisoformat(str(value)).isoformat()
