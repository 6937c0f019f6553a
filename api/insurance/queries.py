"""Finding payers, plans and networks by the words on a member card."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from api.models import Network, Payer, Plan, PlanNetwork, PlanType
from api.pages import Page, paginate

PLAN_TYPE_LABELS = {
    PlanType.HMO: "HMO",
    PlanType.PPO: "PPO",
    PlanType.EPO: "EPO",
    PlanType.POS: "POS",
    PlanType.MEDICARE_ADVANTAGE: "Medicare Advantage",
    PlanType.MEDICAID: "Medicaid",
}


def card_name(plan: Plan) -> str:
    """The plan as a member card shows it: the payer's name, then the plan's."""
    payer = plan.payer.name
    return plan.name if plan.name.lower().startswith(payer.lower()) else f"{payer} {plan.name}"


def _words(query: Select, q: str | None, *columns) -> Select:
    # Every word must appear in one of the columns: "atlantic hmo ny" finds "Synthetic Atlantic Shore Health HMO (NY)".
    for word in (q or "").split():
        query = query.where(or_(*(column.ilike(f"%{word}%") for column in columns)))
    return query


def list_payers(session: Session, filters: dict) -> Page:
    """Payers by name, alphabetically."""
    query = _words(select(Payer).order_by(Payer.name, Payer.id), filters.get("q"), Payer.name)
    return paginate(session, query, filters["page"], filters["page_size"])


def list_plans(session: Session, filters: dict) -> Page:
    """Plans by words of their payer's or their own name (or code), state, type and payer."""
    query = (
        select(Plan)
        .join(Payer, Plan.payer_id == Payer.id)
        .options(selectinload(Plan.payer), selectinload(Plan.networks))
        .order_by(Payer.name, Plan.name, Plan.id)
    )
    query = _words(query, filters.get("q"), Plan.name, Payer.name, Plan.code)
    if "state" in filters:  # plans sold in the state, and the national ones sold everywhere
        query = query.where(or_(Plan.state == filters["state"], Plan.state.is_(None)))
    if "type" in filters:
        query = query.where(Plan.plan_type == PlanType(filters["type"]))
    if "payer_id" in filters:
        query = query.where(Plan.payer_id == filters["payer_id"])
    return paginate(session, query, filters["page"], filters["page_size"])


def list_networks(session: Session, filters: dict) -> Page:
    """Networks by name or code, payer and the plan that uses them."""
    query = (
        select(Network)
        .join(Payer, Network.payer_id == Payer.id)
        .options(selectinload(Network.payer))
        .order_by(Payer.name, Network.name, Network.id)
    )
    query = _words(query, filters.get("q"), Network.name, Network.code, Payer.name)
    if "payer_id" in filters:
        query = query.where(Network.payer_id == filters["payer_id"])
    if "plan_id" in filters:
        used = select(PlanNetwork.network_id).where(PlanNetwork.plan_id == filters["plan_id"])
        query = query.where(Network.id.in_(used))
    return paginate(session, query, filters["page"], filters["page_size"])
