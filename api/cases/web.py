"""What the case routes share: the transaction of a request and the records storage."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import current_app
from flask_smorest import abort
from sqlalchemy.orm.exc import StaleDataError

from api.case_permissions import CaseError
from api.cases.referral_states import InvalidTransition
from api.cases.storage import RecordStorage, UploadRejected, make_storage
from api.cases.work import CaseWork
from api.db import db


def records_storage() -> RecordStorage:
    """The app's records storage, made from its configuration on first use."""
    if current_app.extensions.get("records_storage") is None:
        current_app.extensions["records_storage"] = make_storage(current_app.config)
    return current_app.extensions["records_storage"]


@contextmanager
def case_work() -> Iterator[CaseWork]:
    """One transaction per request; a refused request rolls back and answers problem+json."""
    work = CaseWork(db.session)
    try:
        yield work
        work.commit()
    except CaseError as err:
        work.rollback()
        errors = {"json": {err.field: [err.message]}} if err.field and err.status == 422 else None
        abort(err.status, message=err.message, errors=errors)
    except InvalidTransition as err:
        work.rollback()
        abort(409, message=str(err))
    except UploadRejected as err:
        work.rollback()
        abort(err.status, message=err.message)
    except StaleDataError:  # the referral's version moved under us: another transition won
        work.rollback()
        abort(409, message="Someone else changed this referral at the same moment; read it again and retry.")
    except BaseException:
        work.rollback()
        raise
