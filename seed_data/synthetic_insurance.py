"""Synthetic payers, their networks and plans (every PlanType), and who may join which network.

National payers serve every state, each regional payer a block of states, and one Medicaid
managed-care payer a network and a plan per state. Names say "Synthetic" so nobody mistakes
them for real insurers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, select

from api.models import Network, Payer, Plan, PlanNetwork, PlanType
from seed_data.synthetic_bulk import ensure_rows
from seed_data.synthetic_geo import STATE_INDEX, STATES

NATIONAL = (
    ("NST", "Synthetic Northstar Health"),
    ("MER", "Synthetic Meridian Mutual"),
    ("KEY", "Synthetic Keystone Care"),
    ("UNI", "Synthetic Unity Health Plans"),
)
REGIONAL = (
    ("PAC", "Synthetic Pacific Coast Health", "AK AZ CA HI NV OR WA"),
    ("LST", "Synthetic Lone Star Health", "AR LA NM OK TX"),
    ("GLK", "Synthetic Great Lakes Health Alliance", "IL IN MI MN OH WI"),
    ("ATL", "Synthetic Atlantic Shore Health", "CT DC DE MA MD ME NH NJ NY PA RI VT"),
    ("SPN", "Synthetic Southern Pines Health", "AL FL GA KY MS NC PR SC TN VA WV"),
    ("HRT", "Synthetic Heartland Health Cooperative", "CO IA ID KS MO MT ND NE SD UT WY"),
)
MEDICAID = ("MCD", "Synthetic Community Medicaid Plans")
# How readily a practice joins a network of each breadth; academic centres rarely join narrow ones.
TIER_WEIGHT = {"broad": 1.0, "standard": 0.6, "narrow": 0.3, "medicaid": 0.45}
ACADEMIC_TIER_WEIGHT = {"broad": 1.0, "standard": 0.6, "narrow": 0.04, "medicaid": 0.5}


@dataclass(frozen=True)
class NetworkSpec:
    """A network to create: its code, name, payer, breadth and the states it serves."""

    code: str
    name: str
    payer: str
    tier: str
    states: tuple[str, ...]


@dataclass(frozen=True)
class PlanSpec:
    """A plan to create and the networks it reaches providers through."""

    code: str
    name: str
    plan_type: PlanType
    payer: str
    state: str | None
    networks: tuple[str, ...]


def network_specs() -> tuple[NetworkSpec, ...]:
    """Every synthetic network, in a fixed order."""
    specs = []
    for code, payer in NATIONAL:
        specs += [
            NetworkSpec(f"{code}-PPO", f"{payer} PPO Network", payer, "broad", STATES),
            NetworkSpec(f"{code}-CHOICE", f"{payer} Choice Network", payer, "standard", STATES),
            NetworkSpec(f"{code}-SELECT", f"{payer} Select HMO Network", payer, "narrow", STATES),
            NetworkSpec(f"{code}-MA", f"{payer} Medicare Advantage Network", payer, "standard", STATES),
        ]
    for code, payer, states in REGIONAL:
        specs += [
            NetworkSpec(f"{code}-PPO", f"{payer} PPO Network", payer, "broad", tuple(states.split())),
            NetworkSpec(f"{code}-HMO", f"{payer} HMO Network", payer, "narrow", tuple(states.split())),
        ]
    specs += [
        NetworkSpec(f"{MEDICAID[0]}-{st}", f"{MEDICAID[1]} Network ({st})", MEDICAID[1], "medicaid", (st,))
        for st in STATES
    ]
    return tuple(specs)


def plan_specs() -> tuple[PlanSpec, ...]:
    """Every synthetic plan, in a fixed order: each PlanType, some plans per state."""
    specs = []
    for code, payer in NATIONAL:
        specs += [
            PlanSpec(f"{code}-PPO", f"{payer} PPO", PlanType.PPO, payer, None, (f"{code}-PPO",)),
            PlanSpec(f"{code}-EPO", f"{payer} EPO", PlanType.EPO, payer, None, (f"{code}-CHOICE",)),
            PlanSpec(f"{code}-HMO", f"{payer} Select HMO", PlanType.HMO, payer, None, (f"{code}-SELECT",)),
            PlanSpec(
                f"{code}-POS",
                f"{payer} Point of Service",
                PlanType.POS,
                payer,
                None,
                (f"{code}-SELECT", f"{code}-CHOICE"),
            ),
            PlanSpec(
                f"{code}-MA", f"{payer} Medicare Advantage", PlanType.MEDICARE_ADVANTAGE, payer, None, (f"{code}-MA",)
            ),
        ]
    for code, payer, states in REGIONAL:
        specs.append(PlanSpec(f"{code}-PPO", f"{payer} PPO", PlanType.PPO, payer, None, (f"{code}-PPO",)))
        specs += [
            PlanSpec(f"{code}-HMO-{st}", f"{payer} HMO ({st})", PlanType.HMO, payer, st, (f"{code}-HMO",))
            for st in states.split()
        ]
    specs += [
        PlanSpec(
            f"{MEDICAID[0]}-{st}",
            f"{MEDICAID[1]} Medicaid ({st})",
            PlanType.MEDICAID,
            MEDICAID[1],
            st,
            (f"{MEDICAID[0]}-{st}",),
        )
        for st in STATES
    ]
    return tuple(specs)


@dataclass(frozen=True)
class NetworkChoice:
    """Database ids of the synthetic networks and, per state, how likely a practice joins each."""

    ids: np.ndarray
    logw: np.ndarray  # (state, network); -inf where the network does not serve the state
    academic_logw: np.ndarray


def _logw(specs: tuple[NetworkSpec, ...], tier_weight: dict[str, float]) -> np.ndarray:
    weights = np.zeros((len(STATES), len(specs)))
    for j, spec in enumerate(specs):
        for state in spec.states:
            weights[STATE_INDEX[state], j] = tier_weight[spec.tier]
    with np.errstate(divide="ignore"):
        return np.log(weights)


def ensure_insurance(conn: Connection) -> NetworkChoice:
    """Create whatever synthetic payers, networks and plans are missing; return the network choice."""
    nets, plans = network_specs(), plan_specs()
    payer_names = [name for _, name in NATIONAL] + [name for _, name, _ in REGIONAL] + [MEDICAID[1]]
    payer_ids = ensure_rows(conn, Payer.__table__, "name", [{"name": n, "is_synthetic": True} for n in payer_names])
    network_ids = ensure_rows(
        conn,
        Network.__table__,
        "code",
        [{"code": s.code, "name": s.name, "payer_id": payer_ids[s.payer]} for s in nets],
    )
    plan_ids = ensure_rows(
        conn,
        Plan.__table__,
        "code",
        [
            {
                "code": s.code,
                "name": s.name,
                "plan_type": s.plan_type,
                "payer_id": payer_ids[s.payer],
                "state": s.state,
                "is_synthetic": True,
            }
            for s in plans
        ],
    )
    links = {(plan_ids[p.code], network_ids[n]) for p in plans for n in p.networks}
    existing = {tuple(r) for r in conn.execute(select(PlanNetwork.plan_id, PlanNetwork.network_id))}
    missing = [{"plan_id": p, "network_id": n} for p, n in sorted(links - existing)]
    if missing:
        conn.execute(PlanNetwork.__table__.insert(), missing)
    return NetworkChoice(
        np.array([network_ids[s.code] for s in nets]), _logw(nets, TIER_WEIGHT), _logw(nets, ACADEMIC_TIER_WEIGHT)
    )
