"""What the case routes share: the caller's access reason and the records storage."""
from __future__ import annotations

from flask import current_app, request

from api.cases.storage import RecordStorage, make_storage
from api.errors import BadRequest

ACCESS_REASON_HEADER = "X-Access-Reason"
# Documented on every case path (route-level parameters apply to each of its methods).
MAX_REASON = 500
REASON_PARAMETER = {
    "in": "header", "name": ACCESS_REASON_HEADER, "required": False,
    "schema": {"type": "string", "maxLength": MAX_REASON},
    "description": "Why you access this case; kept in the audit trail. Administrators must give one.",
}


def access_reason() -> str | None:
    """The caller's stated reason for this access, if any (refused when longer than documented)."""
    reason = (request.headers.get(ACCESS_REASON_HEADER) or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise BadRequest(f"The {ACCESS_REASON_HEADER} header may be at most {MAX_REASON} characters.")
    return reason


def records_storage() -> RecordStorage:
    """The app's records storage, made from its configuration on first use."""
    if current_app.extensions.get("records_storage") is None:
        current_app.extensions["records_storage"] = make_storage(current_app.config)
    return current_app.extensions["records_storage"]
