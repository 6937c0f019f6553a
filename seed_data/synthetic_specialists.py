"""Who each synthetic specialist is: name, specialties, languages, fee, reviews and condition expertise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from api.identifiers import make_npi
from reference.licensure import IMLC_STATES
from reference.populations import population_of
from seed_data import synthetic_names as names
from seed_data.synthetic_experts import Seat
from seed_data.synthetic_practices import ACADEMIC, Practices
from seed_data.synthetic_specialties import SPECIALTY_COUNT_CDF

NPI_SPACE = 100_000_000  # NPIs start with 1 like the ones CMS issues: bases 100000000..199999999
NPI_STRIDE = 48_271_517  # odd and not a multiple of 5, so index -> NPI is one-to-one within NPI_SPACE
CONDITION_SLOTS = 32  # condition_expertise id = 32 * index + slot + 1 (>= ORPHA_SLOT + SEAT_DISEASES)
# ICD codes use slots 0-4, Orphanet ones 5-7, or 5-28 for a rare-disease expert's seat.
ICD_MAX, ORPHA_MAX, ORPHA_SLOT = 5, 3, 5
# Rare-disease expertise lives mostly in academic centres.
ORPHA_CHANCE_ACADEMIC, ORPHA_CHANCE_ELSEWHERE, CENTRE_OF_EXPERTISE = 0.45, 0.02, 0.35
MIN_FEE, MAX_FEE = 250, 1500
# Interstate Medical Licensure Compact: the share of physicians in member states who hold extra
# licences through it (more among those who consult by video), and at most how many.
COMPACT_SHARE, COMPACT_SHARE_TELEHEALTH, COMPACT_MAX_EXTRA = 0.15, 0.45, 8
COMPACT_ORDER = tuple(sorted(IMLC_STATES))
# Uniform columns of People.attrs, by what they decide.
CREDENTIAL, PHD, TELEHEALTH, ACCEPTS, NO_REVIEWS, BOARD, SECOND_BOARD = range(7)


def synthetic_npi(seed: int, index: int) -> str:
    """The NPI of the index-th synthetic specialist for a seed (unique per seed and index)."""
    offset = (seed * 2_654_435_761) % NPI_SPACE
    return make_npi(NPI_SPACE + (index * NPI_STRIDE + offset) % NPI_SPACE)


@dataclass(frozen=True)
class People:
    """A block's per-specialist draws."""

    primary: np.ndarray
    secondaries: list[list[int]]
    female: np.ndarray
    pool: np.ndarray
    name_u: np.ndarray
    languages: np.ndarray
    attrs: np.ndarray
    fee_cents: np.ndarray
    reviews: np.ndarray
    rating: np.ndarray
    verified_days: np.ndarray
    icd_u: np.ndarray
    orpha: np.ndarray
    orpha_u: np.ndarray
    cases: np.ndarray
    publications: np.ndarray
    centre: np.ndarray
    licence_u: np.ndarray  # (share, how many, which) of Interstate Compact licences beyond the practice states


def draw_people(rng: np.random.Generator, ctx, p: Practices) -> People:
    """Per-specialist draws for a block whose places are `p`."""
    model, n = ctx.model, len(p.affiliation)
    academic = p.affiliation == ACADEMIC
    u = rng.random(n)
    primary = np.where(academic, np.searchsorted(model.academic_cdf, u), np.searchsorted(model.cdf, u))
    for j, code in enumerate(p.anchor_specialty):
        if code is not None:  # a metro anchor practises its assigned major specialty
            primary[j] = model.codes.index(code)
    for j, held in enumerate(p.seat):
        if held is not None:  # a rare-disease expert practises the specialty that treats their diseases
            primary[j] = model.codes.index(held.specialty)
    count = 1 + np.searchsorted(SPECIALTY_COUNT_CDF, rng.random(n))
    secondaries = model.secondaries(primary, count, rng.gumbel(size=(n, model.pool.shape[1])))
    pool = (rng.random(n)[:, None] > ctx.pool_cdf[ctx.zips.state_idx[p.zip[:, 0]]]).sum(axis=1)
    fee = model.fee_dollars[primary] * rng.lognormal(0.0, 0.2, n) * np.where(academic, 1.35, 1.0)
    # Orphanet slots see fewer patients and, in academia, many more papers.
    rare = np.arange(CONDITION_SLOTS) >= ORPHA_SLOT
    drawn = People(
        primary=primary,
        secondaries=secondaries,
        female=rng.random(n) < 0.45,
        pool=pool,
        name_u=rng.random((n, 2)),
        languages=rng.random((n, len(names.LANGUAGES))) < ctx.language_p[pool],
        attrs=rng.random((n, 7)),
        fee_cents=np.clip(np.round(fee / 5) * 5, MIN_FEE, MAX_FEE).astype(np.int64) * 100,
        reviews=np.clip(rng.lognormal(3.0, 1.2, n), 1, 800).astype(np.int64),
        rating=np.clip(np.round(rng.normal(4.4, 0.35, n), 1), 3.0, 5.0),
        verified_days=rng.integers(0, 365, n),
        icd_u=rng.random((n, ICD_MAX + 1)),
        orpha=rng.random(n) < np.where(academic, ORPHA_CHANCE_ACADEMIC, ORPHA_CHANCE_ELSEWHERE),
        orpha_u=rng.random((n, ORPHA_MAX + 1)),
        cases=np.clip(
            rng.lognormal(np.where(rare, 2.0, 3.4), np.where(rare, 0.9, 0.7), (n, CONDITION_SLOTS))
            * np.where(academic, 1.5, 1.0)[:, None],
            1,
            600,
        ).astype(np.int64),
        publications=rng.poisson(np.where(academic, 3.0, 0.2)[:, None] * np.where(rare, 5.0, 1.0)),
        centre=academic & (rng.random(n) < CENTRE_OF_EXPERTISE),
        licence_u=rng.random((n, 3)),  # drawn last: every earlier draw stays what it was
    )
    anchored = np.array([code is not None for code in p.anchor_specialty])
    drawn.attrs[anchored, ACCEPTS] = 0.0  # an anchor gives second opinions
    drawn.orpha[anchored] = False  # rare-disease expertise stays with the academic centres
    seated = np.array([held is not None for held in p.seat])
    drawn.attrs[seated, ACCEPTS] = 0.0  # an expert gives second opinions
    drawn.orpha[seated] = False  # their seat decides their rare diseases
    return drawn


def person_rows(ctx, people: People, p: Practices, j: int, index: int, rows: dict[str, list]) -> None:
    """Append the specialist, specialty, language and condition rows of block member j."""
    model, zips, a = ctx.model, ctx.zips, people.attrs[j]
    sid, primary, academic = index + 1, people.primary[j], p.affiliation[j] == ACADEMIC
    pool = names.POOLS[people.pool[j]]
    firsts = pool.female if people.female[j] else pool.male
    display, z, secondaries = model.displays[primary], p.zip[j][0], people.secondaries[j]
    boards = [
        f"{model.board[c]}: {model.displays[c]}"
        for c, u in [(primary, a[BOARD] < 0.92), *[(c, a[SECOND_BOARD] < 0.4) for c in secondaries[:1]]]
        if u
    ]
    where = f"at {p.institution_name[j]}" if p.institution_name[j] else "in private practice"
    telehealth, reviewed = a[TELEHEALTH] < 0.4, a[NO_REVIEWS] >= 0.12
    rows["specialist"].append(
        {
            "id": sid,
            "npi": synthetic_npi(ctx.seed, index),
            "first_name": firsts[int(people.name_u[j][0] * len(firsts))],
            "last_name": pool.surnames[int(people.name_u[j][1] * len(pool.surnames))],
            "credentials": "MD, PhD" if academic and a[PHD] < 0.12 else "DO" if a[CREDENTIAL] < 0.12 else "MD",
            "gender": "F" if people.female[j] else "M",
            "board_certifications": boards,
            "bio": f"{display} specialist {where} in {zips.city[z]}, {zips.state[z]}; reviews outside cases for "
            f"second opinions{' in person or by video' if telehealth else ''}. (Synthetic record.)",
            "institution_id": p.institution_id[j] or None,
            "accepts_second_opinions": a[ACCEPTS] < 0.93,
            "telehealth": telehealth,
            "self_pay_price_cents": people.fee_cents[j],
            "population": population_of(model.codes[primary], [model.codes[c] for c in [primary, *secondaries]]),
            "rating": people.rating[j] if reviewed else None,
            "review_count": people.reviews[j] if reviewed else 0,
            "data_source": "synthetic",
            "last_verified": ctx.today - timedelta(days=people.verified_days[j]),
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
    )
    rows["specialist_specialty"] += [
        {"specialist_id": sid, "taxonomy_code": model.codes[c], "is_primary": c == primary}
        for c in [primary, *secondaries]
    ]
    rows["specialist_licence"] += _licence_rows(
        sid, {zips.state[z] for z in p.zip[j][: p.count[j]]}, telehealth, people.licence_u[j]
    )
    rows["specialist_language"] += [
        {"specialist_id": sid, "language": lang}
        for lang in ["en", *(lang for lang, has in zip(names.LANGUAGES, people.languages[j], strict=True) if has)]
    ]
    _condition_rows(ctx, people, j, index, p.seat[j], rows["condition_expertise"])


def _licence_rows(sid: int, practice_states: set[str], telehealth: bool, u: list[float]) -> list[dict]:
    """Licences in every practice state, plus Compact licences for a share of those in a member state."""
    rows = [{"specialist_id": sid, "state": state, "via_compact": False} for state in sorted(practice_states)]
    share = COMPACT_SHARE_TELEHEALTH if telehealth else COMPACT_SHARE
    if practice_states & IMLC_STATES and u[0] < share:
        others = [s for s in COMPACT_ORDER if s not in practice_states]
        start, count = int(u[2] * len(others)), 1 + int(u[1] * COMPACT_MAX_EXTRA)
        rows += [
            {"specialist_id": sid, "state": state, "via_compact": True}
            for state in sorted({others[(start + k) % len(others)] for k in range(count)})
        ]
    return rows


def _condition_rows(ctx, people: People, j: int, index: int, seat: Seat | None, out: list) -> None:
    icd, orpha = ctx.model.icd[people.primary[j]], ctx.model.orpha[people.primary[j]]
    picks = []
    if icd:  # the commonest conditions of the specialty first: u squared leans toward the head
        u = people.icd_u[j]
        picks += [(slot, "ICD-10-CM", icd[int(len(icd) * v * v)]) for slot, v in enumerate(u[1 : 3 + int(u[0] * 4)])]
    if orpha and people.orpha[j]:
        u = people.orpha_u[j]
        picks += [(ORPHA_SLOT + t, "ORPHA", orpha[int(len(orpha) * v)]) for t, v in enumerate(u[1 : 2 + int(u[0] * 3)])]
    if seat is not None:
        picks += [(ORPHA_SLOT + t, "ORPHA", code) for t, code in enumerate(seat.diseases)]
    seen, centre = set(), people.centre[j]
    for slot, system, code in picks:
        if code in seen:
            continue
        seen.add(code)
        out.append(
            {
                "id": index * CONDITION_SLOTS + slot + 1,
                "specialist_id": index + 1,
                "system": system,
                "code": code,
                "cases_per_year": people.cases[j][slot],
                "publications": people.publications[j][slot],
                "center_of_expertise": centre and system == "ORPHA",
            }
        )
