"""What the case routes share: the records storage."""

from __future__ import annotations

from flask import current_app

from api.cases.storage import RecordStorage, make_storage


def records_storage() -> RecordStorage:
    """The app's records storage, made from its configuration on first use."""
    if current_app.extensions.get("records_storage") is None:
        current_app.extensions["records_storage"] = make_storage(current_app.config)
    return current_app.extensions["records_storage"]
