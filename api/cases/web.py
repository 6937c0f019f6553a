"""What the case routes (the API's and the pages') share: the records storage and a document's download."""

from __future__ import annotations

import base64

from flask import Response, current_app, send_file

from api.cases.storage import RecordStorage, make_storage
from api.models import RecordDocument


def records_storage() -> RecordStorage:
    """The app's records storage, made from its configuration on first use."""
    if current_app.extensions.get("records_storage") is None:
        current_app.extensions["records_storage"] = make_storage(current_app.config)
    return current_app.extensions["records_storage"]


def document_response(document: RecordDocument) -> Response:
    """A document's bytes as an attachment, with its SHA-256 in Repr-Digest; never cached, never sniffed."""
    response = send_file(
        records_storage().open(document.storage_key),
        mimetype=document.media_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["Cache-Control"] = "no-store"  # health records never sit in shared caches
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
