"""A specialist's inbox: the referrals sent to them, most urgent first, with the records they may read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case as when
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import SPECIALIST_VISIBLE, live_authorization
from api.models import Case, RecordDocument, RecordsAuthorization, Referral, ReferralStatus, Urgency
from api.pages import Page, paginate

# Emergent first, then soon, then routine; oldest first within each.
_URGENCY_RANK = when({Urgency.EMERGENT: 0, Urgency.SOON: 1}, value=Case.urgency, else_=2)


@dataclass(frozen=True)
class InboxItem:
    """A referral to me, its case, my live records authorization and the documents it lets me read."""

    referral: Referral
    case: Case
    authorization: RecordsAuthorization | None
    documents: list[RecordDocument]


def read_inbox(session: Session, identity: Identity, filters: dict) -> Page:
    """Referrals to the calling specialist, by status and urgency; each case listed is an audited read."""
    if identity.specialist_id is None:  # an account not (or no longer) tied to a directory entry
        return Page([], 0, filters["page"], filters["page_size"])
    statuses = {ReferralStatus(s) for s in filters.get("status") or ()} or set(SPECIALIST_VISIBLE)
    query = (
        select(Referral)
        .join(Case, Referral.case_id == Case.id)
        .where(Referral.specialist_id == identity.specialist_id, Referral.status.in_(statuses & SPECIALIST_VISIBLE))
    )
    if filters.get("urgency"):
        query = query.where(Case.urgency.in_([Urgency(u) for u in filters["urgency"]]))
    page = paginate(
        session, query.order_by(_URGENCY_RANK, Referral.created_at, Referral.id), filters["page"], filters["page_size"]
    )
    items = [_item(session, referral) for referral in page.items]
    for item in items:
        audit(session, identity, "inbox.list", case_id=item.case.id, entity_type="referral", entity_id=item.referral.id)
    return Page(items, page.total, page.page, page.page_size)


def _item(session: Session, referral: Referral) -> InboxItem:
    case = referral.case
    grant = live_authorization(session, case.id, referral.specialist_id)
    documents = []
    if grant is not None:
        documents = [
            d
            for d in session.scalars(
                select(RecordDocument).where(RecordDocument.case_id == case.id).order_by(RecordDocument.id)
            )
            if "all" in grant.scope or d.kind.value in grant.scope
        ]
    return InboxItem(referral=referral, case=case, authorization=grant, documents=documents)
