"""Where record documents are kept: a local folder by default, S3-compatible storage by configuration.

An upload is streamed to a temporary file while it is counted and hashed, its type is read from
its first bytes (not from its name or Content-Type) and the whole file is then parsed as that type
(`document_types.judge`); only a file that passes every check is moved into place. An oversize,
wrong-type or malformed upload leaves nothing behind, and so does a full disk (507).
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from api.cases.document_types import DICOM_PREAMBLE, TYPE_NAMES, judge, sniff
from api.errors import DomainError, InsufficientStorage

try:  # optional: only RECORDS_STORAGE=s3 needs it
    import boto3
except ImportError:  # pragma: no cover - depends on the installation
    boto3 = None

CHUNK = 64 * 1024
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class UploadRejected(DomainError):
    """An upload that is too large (413), or not whole an allowed type (415); nothing was stored."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status)


@dataclass(frozen=True)
class StoredBlob:
    """A document accepted into storage."""

    key: str
    size: int
    sha256: str
    media_type: str


def receive(stream: BinaryIO, into: BinaryIO, max_bytes: int) -> tuple[int, str, str]:
    """Copy an upload into `into`, checking size and type; (size, sha256, media type) or UploadRejected."""
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(413, f"A document may be at most {max_bytes} bytes.")
        if len(head) < DICOM_PREAMBLE + 4:
            head += chunk[: DICOM_PREAMBLE + 4 - len(head)]
        digest.update(chunk)
        into.write(chunk)
    media_type = sniff(head)
    if media_type is None:
        raise UploadRejected(415, f"Upload a {TYPE_NAMES} file.")
    into.flush()
    refused = judge(into, media_type)
    if refused is not None:
        raise UploadRejected(415, refused)
    return size, digest.hexdigest(), media_type


@contextmanager
def disk_full_is_507() -> Iterator[None]:
    """A full (or over-quota) records disk answers 507 and says so, instead of an unexplained 500."""
    try:
        yield
    except OSError as error:
        if error.errno not in NO_ROOM:
            raise
        raise InsufficientStorage("The records storage is full; nothing was stored. Try again later.") from error


class RecordStorage(Protocol):
    """What the records service needs from storage."""

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Store an upload or raise UploadRejected (storing nothing)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored bytes, for reading."""
        ...

    def delete(self, key: str) -> None:
        """Remove a stored document (no error if it is gone)."""
        ...


class LocalFolderStorage:
    """Documents as files under a folder, named by random keys (never by anything the patient chose)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Receive into a temporary file beside the destination, then rename it into place."""
        incoming = self.root / ".incoming"
        with disk_full_is_507():
            incoming.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=incoming, suffix=".part")
        try:
            with disk_full_is_507():
                with os.fdopen(handle, "w+b") as temp:
                    size, sha256, media_type = receive(stream, temp, max_bytes)
                key = uuid.uuid4().hex
                self._path(key).parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp_name, self._path(key))  # atomic: the document is whole or absent
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return StoredBlob(key=key, size=size, sha256=sha256, media_type=media_type)

    def open(self, key: str) -> BinaryIO:
        """Open the stored file."""
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        """Remove the stored file."""
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Documents as objects in an S3-compatible bucket (boto3 client given, or made from the config)."""

    def __init__(self, client, bucket: str) -> None:
        self.client, self.bucket = client, bucket

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredBlob:
        """Receive into a local temporary file first, so nothing reaches the bucket unless it passed."""
        with disk_full_is_507(), tempfile.TemporaryFile() as temp:
            size, sha256, media_type = receive(stream, temp, max_bytes)
            temp.seek(0)
            key = uuid.uuid4().hex
            self.client.upload_fileobj(temp, self.bucket, key, ExtraArgs={"ContentType": media_type})
        return StoredBlob(key=key, size=size, sha256=sha256, media_type=media_type)

    def open(self, key: str) -> BinaryIO:
        """Stream the object's body."""
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]

    def delete(self, key: str) -> None:
        """Delete the object."""
        self.client.delete_object(Bucket=self.bucket, Key=key)


def make_storage(config) -> RecordStorage:
    """The storage RECORDS_STORAGE names; "s3" needs boto3 installed and S3_BUCKET set."""
    if config["RECORDS_STORAGE"] == "local":
        return LocalFolderStorage(config["RECORDS_DIR"])
    if config["RECORDS_STORAGE"] == "s3":
        if boto3 is None:
            raise RuntimeError("RECORDS_STORAGE=s3 needs the boto3 package installed")
        if not config["S3_BUCKET"]:
            raise ValueError("RECORDS_STORAGE=s3 needs S3_BUCKET")
        client = boto3.client("s3", endpoint_url=config["S3_ENDPOINT_URL"] or None)
        return S3Storage(client, config["S3_BUCKET"])
    raise ValueError("RECORDS_STORAGE must be 'local' or 's3'")
