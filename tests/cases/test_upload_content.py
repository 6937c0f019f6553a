"""Uploads are judged by their whole content: a file that only starts like a PDF, image, DICOM or ZIP is refused."""
import errno
import io
import zipfile

import pytest
from sqlalchemy import func, select

from api.cases import storage as storage_module
from api.cases.document_types import clean_filename, judge
from api.cases.storage import LocalFolderStorage, UploadRejected
from api.errors import DomainError
from api.models import RecordDocument
from tests.cases.factories import bearer, make_referred_case
from tests.sample_files import DICOM, ELF, JPEG, PDF, PNG, ZIP, dicom_bytes, zip_bytes

MACH_O = b"\xcf\xfa\xed\xfe" + b"\x00" * 60
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"


def _damaged_zip() -> bytes:
    archive = bytearray(zip_bytes({"notes.txt": b"clinical notes " * 50}))
    archive[archive.index(b"notes.txt") + 20] ^= 0xFF  # flip a byte of the compressed data: its CRC fails
    return bytes(archive)


REFUSED = {
    "pdf header then an ELF executable": b"%PDF-1.7\n" + ELF,
    "pdf header then a Windows executable": b"%PDF-1.4\n%%EOF\n" + PE,
    "a whole pdf with an executable appended": PDF + ELF,
    "a pdf cut short": PDF[: len(PDF) // 2],
    "png signature then garbage": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "a png cut short": PNG[:-20],
    "a png with a zip appended": PNG + ZIP,
    "jpeg markers then garbage": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
    "a jpeg with an executable appended": JPEG + PE,
    "DICM marker then garbage": b"\x00" * 128 + b"DICM" + b"\x02\x00" * 32,
    "a DICOM whose preamble is a Windows executable": dicom_bytes(preamble=PE[:8] + b"\x00" * 120),
    "zip signature then garbage": b"PK\x03\x04" + b"\x00" * 64,
    "a zip holding an ELF executable": zip_bytes({"scan.pdf": ELF}),
    "a zip holding a Mach-O executable": zip_bytes({"viewer": MACH_O}),
    "a zip holding a shell script": zip_bytes({"open-me.sh": SCRIPT}),
    "a zip with a damaged member": _damaged_zip(),
}


@pytest.mark.parametrize("content", REFUSED.values(), ids=REFUSED.keys())
def test_a_file_that_only_starts_like_an_allowed_type_is_refused(tmp_path, content):
    storage = LocalFolderStorage(tmp_path)
    with pytest.raises(UploadRejected) as refused:
        storage.put(io.BytesIO(content), 10_000_000)
    assert refused.value.status == 415 and refused.value.detail
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing stored, not even the temporary file


@pytest.mark.parametrize("content, media_type", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (DICOM, "application/dicom"),
    (ZIP, "application/zip"),
])
def test_intact_documents_of_every_type_pass(content, media_type):
    assert judge(io.BytesIO(content), media_type) is None


@pytest.mark.parametrize("executable", [ELF, PE, MACH_O, SCRIPT], ids=["elf", "pe", "mach-o", "script"])
def test_an_executable_is_not_any_type(executable):
    with pytest.raises(UploadRejected) as refused:
        storage_module.receive(io.BytesIO(executable), io.BytesIO(), 10_000)
    assert refused.value.status == 415


def test_a_zip_bomb_is_refused():
    bomb = zip_bytes({"zeros.bin": b"\x00" * 5_000_000})
    reason = judge(io.BytesIO(bomb), "application/zip")
    assert reason is not None and "expands" in reason


def test_upload_rejected_is_a_domain_error():
    assert issubclass(UploadRejected, DomainError)
    assert UploadRejected(415, "no").status == 415


@pytest.mark.parametrize("name, media_type, cleaned", [
    ("report\u202egpj.exe", "application/pdf", "reportgpj.exe.pdf"),
    ("scan\u2066\u2069\u200f.png", "image/png", "scan.png"),
    ("notes\x00\x1b[31m.pdf", "application/pdf", "notes[31m.pdf"),
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("C:\\Users\\pat\\Befund Müller.jpeg", "image/jpeg", "Befund Müller.jpeg"),
    ("\u202a\u202b\u202c\u202d", "application/zip", "document.zip"),
    (None, "application/dicom", "document.dcm"),
])
def test_file_names_lose_control_and_direction_characters(name, media_type, cleaned):
    assert clean_filename(name, media_type) == cleaned


@pytest.fixture
def uploader(session):
    """A case referred to a specialist, and its referring physician's headers."""
    case, referrer = make_referred_case(session)
    headers = bearer(session, referrer)
    session.commit()
    return case.id, headers


def _upload(client, uploader, content: bytes, filename: str):
    case_id, headers = uploader
    return client.post(f"/v1/cases/{case_id}/records", headers=headers, content_type="multipart/form-data",
                       data={"kind": "labs", "file": (io.BytesIO(content), filename)})


def test_a_pdf_polyglot_upload_is_415_problem_and_nothing_is_stored(client, session, uploader, records_dir):
    response = _upload(client, uploader, b"%PDF-1.7\n" + ELF, "labs.pdf")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert "PDF" in response.get_json()["detail"]
    assert session.scalar(select(func.count(RecordDocument.id))) == 0
    assert not [p for p in records_dir.rglob("*") if p.is_file()]


def test_an_uploaded_name_is_stored_clean(client, uploader):
    response = _upload(client, uploader, PDF, "labs\u202efdp.exe")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["filename"] == "labsfdp.exe.pdf"


def test_a_full_records_disk_is_507_problem_that_says_so(client, session, uploader, records_dir, monkeypatch):
    def disk_full(stream, into, max_bytes):
        into.write(stream.read(1024))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module, "receive", disk_full)
    response = _upload(client, uploader, PDF, "labs.pdf")
    assert response.status_code == 507 and response.mimetype == "application/problem+json"
    assert "full" in response.get_json()["detail"]
    assert session.scalar(select(func.count(RecordDocument.id))) == 0
    assert not [p for p in records_dir.rglob("*") if p.is_file()]


def test_other_storage_failures_are_not_disguised_as_a_full_disk(tmp_path, monkeypatch):
    def broken(stream, into, max_bytes):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage_module, "receive", broken)
    with pytest.raises(OSError) as failure:
        LocalFolderStorage(tmp_path).put(io.BytesIO(PDF), 10_000)
    assert failure.value.errno == errno.EIO


def test_a_zip_in_the_test_data_is_real():
    with zipfile.ZipFile(io.BytesIO(ZIP)) as archive:
        assert archive.testzip() is None
