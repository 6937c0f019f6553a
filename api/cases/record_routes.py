"""Records endpoints: the packet checklist, uploads, downloads and release-of-information authorizations.

Uploads are the one place a body may exceed the app's 1 MB MAX_CONTENT_LENGTH: a before_request
hook raises the limit for that endpoint alone to RECORDS_MAX_BYTES plus room for the multipart
envelope; the exact cap on the file itself is enforced while it is stored.
"""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.core import MultiDictProxy
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from api.auth.identity import REASON_PARAMETER, access_reason, secured
from api.case_permissions import roles_for
from api.cases import authorizations, records
from api.cases.record_schemas import (
    AuthorizationCreateSchema,
    AuthorizationSchema,
    RecordDocumentSchema,
    RecordsPacketSchema,
    RecordUploadSchema,
)
from api.cases.web import document_response, records_storage
from api.unit_of_work import unit_of_work

MULTIPART_ENVELOPE = 64 * 1024
DOWNLOAD_DOC = {
    "description": "The document's bytes; Repr-Digest carries its SHA-256",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class MultipartParser(FlaskParser):
    """Reads a multipart body's form fields and files as one set of arguments."""

    __location_map__ = dict(FlaskParser.__location_map__, multipart="load_multipart")

    def load_multipart(self, req, schema):
        """Form fields and files together (flask-smorest documents one request body per view)."""
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class RecordsBlueprint(Blueprint):
    """A blueprint whose views may take `multipart` arguments, documented as multipart/form-data."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = dict(
        Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, multipart="multipart/form-data"
    )


blp = RecordsBlueprint(
    "records",
    __name__,
    url_prefix="/v1/cases",
    description="Records packets and the patient's release-of-information authorizations",
)


@blp.before_request
def _allow_document_uploads() -> None:
    if request.method == "POST" and request.endpoint == f"{blp.name}.{CaseRecords.__name__}":
        request.max_content_length = current_app.config["RECORDS_MAX_BYTES"] + MULTIPART_ENVELOPE


@blp.route("/<id:case_id>/records", parameters=[REASON_PARAMETER])
class CaseRecords(MethodView):
    """A case's records packet."""

    accepts_media = ("multipart/form-data",)

    @secured(blp, *roles_for("record.list"))
    @blp.response(200, RecordsPacketSchema)
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """The records checklist for this case and the documents you may read"""
        with unit_of_work() as work:
            checklist, documents = records.list_records(work, identity, case_id, access_reason())
        return {"checklist": checklist, "documents": documents}

    @secured(blp, *roles_for("record.upload"))
    @blp.arguments(RecordUploadSchema, location="multipart")
    @blp.response(201, RecordDocumentSchema)
    @blp.alt_response(404, description="No such case among yours")
    @blp.alt_response(413, description="Larger than RECORDS_MAX_BYTES (25 MB by default); nothing was stored")
    @blp.alt_response(415, description="Not a PDF, JPEG, PNG, DICOM or ZIP file; nothing was stored")
    def post(self, form, case_id, identity):
        """Upload a document (multipart: `file` and its checklist `kind`); its SHA-256 is recorded"""
        upload = form["file"]
        with unit_of_work() as work:
            document = records.upload_record(
                work,
                identity,
                case_id,
                form["kind"],
                upload.stream,
                upload.filename,
                records_storage(),
                current_app.config["RECORDS_MAX_BYTES"],
                access_reason(),
            )
        return document


@blp.route("/<id:case_id>/records/<id:document_id>", parameters=[REASON_PARAMETER])
class CaseRecordById(MethodView):
    """One document."""

    @secured(blp, *roles_for("record.download"))
    @blp.response(200, description=DOWNLOAD_DOC["description"])
    @blp.doc(responses={"200": DOWNLOAD_DOC})
    @blp.alt_response(404, description="No such case or document among yours")
    def get(self, case_id, document_id, identity):
        """Download a document (specialists: under the patient's live authorization only)"""
        with unit_of_work() as work:
            document = records.download_record(work, identity, case_id, document_id, access_reason())
        return document_response(document)


@blp.route("/<id:case_id>/authorizations", parameters=[REASON_PARAMETER])
class CaseAuthorizations(MethodView):
    """Release-of-information authorizations of a case."""

    @secured(blp, *roles_for("authorization.read"))
    @blp.response(200, AuthorizationSchema(many=True))
    @blp.alt_response(404, description="No such case among yours")
    def get(self, case_id, identity):
        """List the case's authorizations and whether each is live"""
        with unit_of_work() as work:
            found = authorizations.list_authorizations(work, identity, case_id, access_reason())
        return found

    @secured(blp, *roles_for("authorization.grant"))
    @blp.arguments(AuthorizationCreateSchema)
    @blp.response(201, AuthorizationSchema)
    @blp.alt_response(404, description="No such case among yours")
    @blp.alt_response(422, description="The recipient is not referred the case, or the expiry is past")
    def post(self, data, case_id, identity):
        """Authorize a referred specialist to read records (scope, expiry); the patient only"""
        with unit_of_work() as work:
            grant = authorizations.grant(work, identity, case_id, data, access_reason())
        return grant


@blp.route("/<id:case_id>/authorizations/<id:authorization_id>/revocation", parameters=[REASON_PARAMETER])
class AuthorizationRevocation(MethodView):
    """Revoking an authorization."""

    @secured(blp, *roles_for("authorization.grant"))
    @blp.response(200, AuthorizationSchema)
    @blp.alt_response(404, description="No such case or authorization among yours")
    @blp.alt_response(409, description="Already revoked")
    def post(self, case_id, authorization_id, identity):
        """Revoke an authorization; it takes effect at once"""
        with unit_of_work() as work:
            revoked = authorizations.revoke(work, identity, case_id, authorization_id, access_reason())
        return revoked
