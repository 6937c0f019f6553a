"""Bodies of the records and authorization endpoints."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from api.cases.schemas import KINDS, UtcDateTime
from api.db import as_utc, utcnow
from api.fields import ID_RANGE
from api.models import RecordKind


class RecordUploadSchema(ma.Schema):
    """A multipart upload: the file (PDF, JPEG, PNG, DICOM or ZIP) and the checklist item it belongs to."""

    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS), metadata={"example": "pathology_report"})
    file = Upload(required=True, metadata={"description": "Up to RECORDS_MAX_BYTES (25 MB by default)"})


class ChecklistItemSchema(ma.Schema):
    """A record the packet should contain."""

    kind = ma.fields.Enum(RecordKind, by_value=True)
    label = ma.fields.String(metadata={"example": "Pathology report"})
    why = ma.fields.List(ma.fields.String(), metadata={"example": ["oncology"]})
    documents = ma.fields.Integer(metadata={"description": "Documents of this kind uploaded so far"})


class RecordDocumentSchema(ma.Schema):
    """An uploaded document (its bytes at the download URL)."""

    id = ma.fields.Integer()
    case_id = ma.fields.Integer()
    kind = ma.fields.Enum(RecordKind, by_value=True)
    filename = ma.fields.String(metadata={"example": "bone-marrow-biopsy.pdf"})
    media_type = ma.fields.String(metadata={"example": "application/pdf"})
    size_bytes = ma.fields.Integer(metadata={"example": 482113})
    sha256 = ma.fields.String(metadata={"example": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    uploaded_by_user_id = ma.fields.Integer(allow_none=True)
    uploaded_at = UtcDateTime()


class RecordsPacketSchema(ma.Schema):
    """The records checklist and the documents the caller may see."""

    checklist = ma.fields.List(ma.fields.Nested(ChecklistItemSchema))
    documents = ma.fields.List(ma.fields.Nested(RecordDocumentSchema))


class AuthorizationCreateSchema(ma.Schema):
    """The patient's release of information to one specialist the case is referred to."""

    recipient_specialist_id = ma.fields.Integer(required=True, validate=ID_RANGE, metadata={"example": 101})
    scope = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(("all",) + KINDS)),
        load_default=lambda: ["all"],
        validate=validate.Length(min=1, max=len(KINDS) + 1),
        metadata={
            "description": "Record kinds the recipient may read, or 'all'",
            "example": ["pathology_report", "labs"],
        },
    )
    expires_at = UtcDateTime(required=True, metadata={"example": "2027-01-31T23:59:59+00:00"})


class AuthorizationSchema(AuthorizationCreateSchema):
    """An authorization and whether it is live now."""

    id = ma.fields.Integer(dump_only=True)
    case_id = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    revoked_at = UtcDateTime(dump_only=True, allow_none=True)
    live = ma.fields.Function(lambda a: a.revoked_at is None and as_utc(a.expires_at) > utcnow(), dump_only=True)
