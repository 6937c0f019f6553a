"""Query arguments and bodies of the audit endpoint."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import ID_RANGE, UtcDateTime
from api.pagination import MAX_PAGE_SIZE, PageQuerySchema, PageSchema


class AuditQuerySchema(PageQuerySchema):
    """Filters: case, actor, action, time window; pages of up to 100 events."""

    case_id = ma.fields.Integer(validate=ID_RANGE, metadata={"example": 12})
    actor_user_id = ma.fields.Integer(validate=ID_RANGE, metadata={"example": 3})
    action = ma.fields.String(validate=validate.Length(max=48), metadata={"example": "record.download"})
    since = UtcDateTime(metadata={"example": "2026-11-01T00:00:00Z"})
    until = UtcDateTime(metadata={"example": "2026-12-01T00:00:00Z"})
    page_size = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class AuditEventSchema(ma.Schema):
    """Who did what to which case, when and why."""

    id = ma.fields.Integer()
    at = UtcDateTime(metadata={"example": "2026-11-22T10:15:00+00:00"})
    actor_user_id = ma.fields.Integer(metadata={"example": 3})
    actor_role = ma.fields.String(metadata={"example": "specialist"})
    action = ma.fields.String(metadata={"example": "record.download"})
    case_id = ma.fields.Integer(allow_none=True, metadata={"example": 12})
    entity_type = ma.fields.String(allow_none=True, metadata={"example": "record"})
    entity_id = ma.fields.Integer(allow_none=True, metadata={"example": 41})
    reason = ma.fields.String(allow_none=True, metadata={"example": "Reviewing records before the consultation"})


class AuditPageSchema(PageSchema):
    """One page of audit events, newest first."""

    items = ma.fields.List(ma.fields.Nested(AuditEventSchema))
