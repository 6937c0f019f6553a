"""Rare-disease experts: every Orphanet disease has experts at EXPERTS_PER_DISEASE academic centres.

Weighted draws alone spread 4,314 rare diseases over a few hundred academic specialists, so most
diseases got no expert and the rest got whoever's specialty happened to list it. Real expertise
is concentrated: a disease's Orphanet expert centres are a handful of academic departments of the
specialty that treats it. So, like the metro anchors (`seed_data.synthetic_metros`), specialists at
fixed indices hold *seats*: seat s is specialist SEAT_STRIDE * s + 1 (odd indices, which anchors
never take), an academic specialist of one of the disease's primary treaters
(`reference.conditions.treaters_for(...).primary`) who lists up to SEAT_DISEASES of its diseases.

The k-th expert of every disease sits at a centre of class k (centre index % EXPERTS_PER_DISEASE == k),
so a disease's experts are always at distinct centres. All seats fall inside the default directory
of `make run` (`seats().last_index` < 5,000; tests/seed_data/test_rare_experts.py checks the seeded rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from math import ceil

from reference import conditions
from reference.specialty_map import PAEDIATRIC_TWIN

EXPERTS_PER_DISEASE = 3
SEAT_DISEASES = 24  # rare diseases one seat lists (Orphanet expert centres cover dozens)
SEAT_STRIDE = 6  # seat s is specialist index SEAT_STRIDE * s + 1: every third odd index
DEFAULT_DIRECTORY = 5000  # `make run`'s SPECIALISTS: every seat must fall inside it


@dataclass(frozen=True)
class Seat:
    """One expert: their primary NUCC code, the index of their academic centre, their diseases."""

    specialty: str
    centre: int
    diseases: tuple[str, ...]


@dataclass(frozen=True)
class Seats:
    """Every seat, in seat order, and the specialist index of the last one."""

    seats: tuple[Seat, ...]

    @property
    def last_index(self) -> int:
        """The specialist index of the last seat."""
        return SEAT_STRIDE * (len(self.seats) - 1) + 1

    def at(self, index: int) -> Seat | None:
        """The seat held by specialist `index`, if any."""
        s, rest = divmod(index - 1, SEAT_STRIDE)
        return self.seats[s] if rest == 0 and 0 <= s < len(self.seats) else None


def expert_treaters(primary: tuple[str, ...]) -> tuple[str, ...]:
    """The primary treaters that experts are drawn from, in turn: a paediatric twin only when its
    adult board is not itself a primary treater (glioblastoma: neurosurgery, medical and radiation
    oncology, neurology; not paediatric haematology-oncology as one of only three experts)."""
    adult_of = {twin: adult for adult, twin in PAEDIATRIC_TWIN.items()}
    kept = tuple(c for c in primary if adult_of.get(c) not in primary)
    return kept or primary


@cache
def seats(centres: int) -> Seats:
    """The seat table for a directory with `centres` academic centres (deterministic, seed-free)."""
    if centres < EXPERTS_PER_DISEASE:
        raise ValueError(f"need at least {EXPERTS_PER_DISEASE} academic centres, got {centres}")
    load: dict[tuple[str, int], list[str]] = {}
    for disease in conditions.all_conditions(conditions.ORPHA):
        treaters = expert_treaters(disease.treaters.primary)
        for k in range(EXPERTS_PER_DISEASE):
            load.setdefault((treaters[k % len(treaters)], k), []).append(disease.code)
    per_class, turn, out = centres // EXPERTS_PER_DISEASE, [0] * EXPERTS_PER_DISEASE, []
    for (specialty, k), codes in sorted(load.items()):
        count = ceil(len(codes) / SEAT_DISEASES)
        for i in range(count):
            # Centres of class k in turn, so each centre hosts a share of every class's seats.
            out.append(Seat(specialty, EXPERTS_PER_DISEASE * (turn[k] % per_class) + k, tuple(codes[i::count])))
            turn[k] += 1
    table = Seats(tuple(out))
    if table.last_index >= DEFAULT_DIRECTORY:
        raise ValueError(f"{len(out)} rare-disease seats do not fit in {DEFAULT_DIRECTORY} specialists")
    return table


def block_seats(first: int, n: int, centres: int) -> list[Seat | None]:
    """The seat (or None) of specialists first..first+n-1 (a function of the index alone)."""
    table = seats(centres)
    return [table.at(index) for index in range(first, first + n)]
