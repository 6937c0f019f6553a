"""The records packet: checklist, type and size checks that store nothing, authorizations that bite at once."""
import base64
import hashlib
import io

import pytest
from sqlalchemy import func, select

from api.cases import records as records_module
from api.cases.records import checklist
from api.cases.storage import S3Storage, UploadRejected
from api.models import Case, RecordDocument, RecordKind, ReferralStatus, Role
from tests.cases.factories import (
    DICOM, JPEG, PDF, PNG, ZIP, bearer, make_account, make_authorization, make_case, make_document, make_referral,
)
from tests.factories import make_specialist


def _kinds(*conditions) -> set[str]:
    case = Case(conditions=[{"system": s, "code": c} for s, c in conditions], specialty=None)
    return {item.kind.value for item in checklist(case)}


def test_the_checklist_follows_the_case():
    basics = {"clinical_notes", "labs", "medication_list"}
    assert _kinds(("ICD-10-CM", "C50.9")) >= basics | {"pathology_report", "pathology_slides", "imaging"}
    assert _kinds(("ICD-10-CM", "G35")) == basics | {"imaging"}
    assert _kinds(("ICD-10-CM", "M17.11")) == basics | {"imaging", "operative_report"}
    assert "genetic_testing" in _kinds(("ORPHA", "520"))


@pytest.fixture
def packet(session, app):
    """A case with a specialist it is referred to (accepted), and that specialist's login."""
    referrer, patient = make_account(session, Role.REFERRING_PHYSICIAN), make_account(session, Role.PATIENT)
    specialist = make_specialist(session)
    session.flush()
    case = make_case(session, creator=referrer, patient=patient)
    make_referral(session, case, specialist, ReferralStatus.ACCEPTED)
    world = dict(case=case, specialist=specialist, as_referrer=bearer(session, referrer),
                 as_patient=bearer(session, patient),
                 as_doctor=bearer(session, make_account(session, Role.SPECIALIST, specialist=specialist)))
    session.commit()
    return world


def _upload(client, packet, content: bytes, filename="scan.pdf", kind="imaging", **kwargs):
    return client.post(f"/v1/cases/{packet['case'].id}/records", headers=packet["as_referrer"],
                       content_type="multipart/form-data",
                       data={"kind": kind, "file": (io.BytesIO(content), filename, kwargs.get("mimetype"))})


def _nothing_stored(session, records_dir) -> bool:
    files = [p for p in records_dir.rglob("*") if p.is_file()] if records_dir.exists() else []
    return not files and session.scalar(select(func.count(RecordDocument.id))) == 0


@pytest.mark.parametrize("content, media_type", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (DICOM, "application/dicom"),
    (ZIP, "application/zip"),
])
def test_allowed_types_are_recognised_by_their_bytes(client, packet, records_dir, content, media_type):
    response = _upload(client, packet, content, filename="whatever.bin", mimetype="application/octet-stream")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["media_type"] == media_type and body["size_bytes"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert len([p for p in records_dir.rglob("*") if p.is_file()]) == 1


def test_a_wrong_type_is_415_whatever_its_name_says_and_nothing_is_stored(client, session, packet, records_dir):
    response = _upload(client, packet, b"MZ\x90\x00 not a pdf at all", filename="report.pdf",
                       mimetype="application/pdf")
    assert response.status_code == 415 and response.headers["Content-Type"] == "application/problem+json"
    assert _nothing_stored(session, records_dir)


def test_an_oversize_upload_is_413_and_nothing_is_stored(client, session, app, packet, records_dir):
    app.config["RECORDS_MAX_BYTES"] = 1000
    just_over = _upload(client, packet, PDF + b"x" * 1000)  # caught while streaming to storage
    far_over = _upload(client, packet, PDF + b"x" * 200_000)  # refused by the request size limit
    assert (just_over.status_code, far_over.status_code) == (413, 413)
    assert _nothing_stored(session, records_dir)
    assert _upload(client, packet, PDF).status_code == 201


def test_json_bodies_and_missing_kinds_are_refused(client, packet):
    url = f"/v1/cases/{packet['case'].id}/records"
    assert client.post(url, json={"kind": "labs"}, headers=packet["as_referrer"]).status_code == 415
    assert _upload(client, packet, PDF, kind="x-ray-of-my-cat").status_code == 422


def test_a_failure_after_storing_removes_the_file(client, session, packet, records_dir, monkeypatch):
    def failing_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(records_module, "audit", failing_audit)
    assert _upload(client, packet, PDF).status_code == 500
    assert _nothing_stored(session, records_dir)


def test_download_returns_the_bytes_with_their_digest(client, packet):
    uploaded = _upload(client, packet, PNG, filename="scan.png").get_json()
    response = client.get(f"/v1/cases/{packet['case'].id}/records/{uploaded['id']}", headers=packet["as_patient"])
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Repr-Digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(PNG).digest()).decode()}:"


def test_a_revoked_authorization_blocks_the_specialist_at_once(client, session, app, packet):
    document = make_document(session, app, packet["case"])
    session.commit()
    url = f"/v1/cases/{packet['case'].id}/records/{document.id}"
    assert client.get(url, headers=packet["as_doctor"]).status_code == 403  # no authorization yet
    grant = client.post(f"/v1/cases/{packet['case'].id}/authorizations", headers=packet["as_patient"], json={
        "recipient_specialist_id": packet["specialist"].id, "expires_at": "2099-01-01T00:00:00Z"}).get_json()
    assert client.get(url, headers=packet["as_doctor"]).status_code == 200
    revocation = f"/v1/cases/{packet['case'].id}/authorizations/{grant['id']}/revocation"
    assert client.post(revocation, headers=packet["as_patient"]).get_json()["live"] is False
    assert client.get(url, headers=packet["as_doctor"]).status_code == 403
    assert client.get(f"/v1/cases/{packet['case'].id}/records", headers=packet["as_doctor"]).status_code == 403
    assert client.post(revocation, headers=packet["as_patient"]).status_code == 409


def test_expired_and_out_of_scope_authorizations_do_not_open_records(client, session, app, packet):
    case, specialist = packet["case"], packet["specialist"]
    labs = make_document(session, app, case, RecordKind.LABS)
    pathology = make_document(session, app, case, RecordKind.PATHOLOGY_REPORT)
    expired = make_authorization(session, case, specialist, days=-1)
    session.commit()
    assert client.get(f"/v1/cases/{case.id}/records/{labs.id}", headers=packet["as_doctor"]).status_code == 403
    expired.revoked_at = expired.expires_at
    make_authorization(session, case, specialist, scope=("pathology_report",))
    session.commit()
    assert client.get(f"/v1/cases/{case.id}/records/{labs.id}", headers=packet["as_doctor"]).status_code == 403
    assert client.get(f"/v1/cases/{case.id}/records/{pathology.id}", headers=packet["as_doctor"]).status_code == 200
    listed = client.get(f"/v1/cases/{case.id}/records", headers=packet["as_doctor"]).get_json()["documents"]
    assert [d["id"] for d in listed] == [pathology.id]


def test_only_a_referred_specialist_can_be_authorized_and_only_until_a_future_moment(client, packet, session):
    stranger = make_specialist(session)
    session.commit()
    url = f"/v1/cases/{packet['case'].id}/authorizations"
    body = {"recipient_specialist_id": stranger.id, "expires_at": "2099-01-01T00:00:00Z"}
    assert client.post(url, json=body, headers=packet["as_patient"]).status_code == 409  # not referred: a state
    body = {"recipient_specialist_id": packet["specialist"].id, "expires_at": "2001-01-01T00:00:00Z"}
    assert client.post(url, json=body, headers=packet["as_patient"]).status_code == 422


class FakeS3:
    """Just enough of a boto3 S3 client."""

    def __init__(self):
        self.objects = {}

    def upload_fileobj(self, fileobj, bucket, key, ExtraArgs=None):
        self.objects[(bucket, key)] = (fileobj.read(), ExtraArgs["ContentType"])

    def get_object(self, Bucket, Key):
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)][0])}

    def delete_object(self, Bucket, Key):
        self.objects.pop((Bucket, Key), None)


def test_s3_storage_keeps_accepted_documents_only():
    client = FakeS3()
    storage = S3Storage(client, "records")
    blob = storage.put(io.BytesIO(PDF), 10_000)
    assert client.objects[("records", blob.key)] == (PDF, "application/pdf")
    assert storage.open(blob.key).read() == PDF
    with pytest.raises(UploadRejected):
        storage.put(io.BytesIO(b"plain text"), 10_000)
    with pytest.raises(UploadRejected):
        storage.put(io.BytesIO(PDF), 10)
    storage.delete(blob.key)
    assert client.objects == {}
