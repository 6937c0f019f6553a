"""The records packet: a checklist derived from the case, document upload, listing and download."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from api import case_permissions as permissions
from api.audit.services import record as audit
from api.auth.services import Identity
from api.case_permissions import Party
from api.cases.document_types import clean_filename
from api.cases.storage import RecordStorage
from api.errors import NotFound
from api.models import Case, RecordDocument, RecordKind
from api.unit_of_work import UnitOfWork
from reference import conditions as catalogue
from reference import nucc

K = RecordKind
LABELS = {
    K.PATHOLOGY_REPORT: "Pathology report",
    K.PATHOLOGY_SLIDES: "Pathology slides (or scanned slide images)",
    K.IMAGING: "Imaging (reports and DICOM studies)",
    K.LABS: "Laboratory results",
    K.CLINICAL_NOTES: "Clinical notes of the first physician",
    K.MEDICATION_LIST: "Current medication list",
    K.GENETIC_TESTING: "Genetic test reports",
    K.OPERATIVE_REPORT: "Operative reports",
    K.OTHER: "Other documents",
}
ALWAYS = (K.CLINICAL_NOTES, K.LABS, K.MEDICATION_LIST)
# What a reviewer in each specialty family needs beyond the basics.
BY_FAMILY = {
    "oncology": (K.PATHOLOGY_REPORT, K.PATHOLOGY_SLIDES, K.IMAGING),
    "hematology": (K.PATHOLOGY_REPORT, K.PATHOLOGY_SLIDES),
    "pathology": (K.PATHOLOGY_REPORT, K.PATHOLOGY_SLIDES),
    "neurology": (K.IMAGING,),
    "neurosurgery": (K.IMAGING, K.OPERATIVE_REPORT),
    "orthopaedics": (K.IMAGING, K.OPERATIVE_REPORT),
    "cardiology": (K.IMAGING,),
    "cardiothoracic_surgery": (K.IMAGING, K.OPERATIVE_REPORT),
    "surgery": (K.IMAGING, K.OPERATIVE_REPORT),
    "radiology": (K.IMAGING,),
    "pulmonology": (K.IMAGING,),
    "gastroenterology": (K.PATHOLOGY_REPORT, K.IMAGING),
    "genetics": (K.GENETIC_TESTING,),
}


@dataclass(frozen=True)
class ChecklistItem:
    """One record the packet should contain, why, and how many documents of that kind are in."""

    kind: RecordKind
    label: str
    why: list[str]
    documents: int = 0


def checklist(case: Case, documents: Sequence[RecordDocument] = ()) -> list[ChecklistItem]:
    """The records a reviewer of this case needs, from its specialty and its conditions."""
    specialties = {case.specialty} if case.specialty else set()
    for condition in case.conditions:
        specialties.update(catalogue.specialties_for(condition["system"], condition["code"]))
    why: dict[RecordKind, list[str]] = {kind: ["every case"] for kind in ALWAYS}
    for family in sorted({t.family for t in map(nucc.get, specialties) if t is not None}):
        for kind in BY_FAMILY.get(family, ()):
            why.setdefault(kind, []).append(family)
    if any(c["system"] == "ORPHA" for c in case.conditions):
        why.setdefault(K.GENETIC_TESTING, []).append("rare disease")
    counts = {kind: sum(1 for d in documents if d.kind is kind) for kind in why}
    return [ChecklistItem(kind, LABELS[kind], why[kind], counts[kind]) for kind in RecordKind if kind in why]


def upload_record(
    work: UnitOfWork,
    identity: Identity,
    case_id: int,
    kind: str,
    stream: BinaryIO,
    filename: str | None,
    storage: RecordStorage,
    max_bytes: int,
    reason: str | None,
) -> RecordDocument:
    """Store a document of the packet; a rejected upload (413/415) stores nothing."""
    case, _ = permissions.authorize(work.session, identity, case_id, "record.upload", reason)
    blob = storage.put(stream, max_bytes)
    work.on_rollback(lambda: storage.delete(blob.key))
    document = RecordDocument(
        case_id=case.id,
        kind=RecordKind(kind),
        filename=clean_filename(filename, blob.media_type),
        media_type=blob.media_type,
        size_bytes=blob.size,
        sha256=blob.sha256,
        storage_key=blob.key,
        uploaded_by_user_id=identity.user_id,
    )
    work.session.add(document)
    work.session.flush()
    audit(
        work.session,
        identity,
        "record.upload",
        case_id=case.id,
        entity_type="record",
        entity_id=document.id,
        reason=reason,
    )
    return document


def list_records(
    work: UnitOfWork, identity: Identity, case_id: int, reason: str | None
) -> tuple[list[ChecklistItem], list[RecordDocument]]:
    """The checklist and the documents the caller may see (a specialist: those their authorization covers)."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "record.list", reason)
    permissions.require_records_access(session, case, party, identity)
    documents = list(
        session.scalars(select(RecordDocument).where(RecordDocument.case_id == case.id).order_by(RecordDocument.id))
    )
    if party is Party.SPECIALIST:
        grant = permissions.live_authorization(session, case.id, identity.specialist_id)
        scope = grant.scope if grant is not None else []  # require_records_access already checked it
        documents = [d for d in documents if "all" in scope or d.kind.value in scope]
    audit(session, identity, "record.list", case_id=case.id, entity_type="case", entity_id=case.id, reason=reason)
    return checklist(case, documents), documents


def download_record(
    work: UnitOfWork, identity: Identity, case_id: int, document_id: int, reason: str | None
) -> RecordDocument:
    """A document the caller may read now; a specialist needs a live authorization covering its kind."""
    session = work.session
    case, party = permissions.authorize(session, identity, case_id, "record.download", reason)
    document = session.get(RecordDocument, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound(f"No document {document_id} in this case.")
    permissions.require_records_access(session, case, party, identity, document.kind.value)
    audit(
        session,
        identity,
        "record.download",
        case_id=case.id,
        entity_type="record",
        entity_id=document.id,
        reason=reason,
    )
    return document
