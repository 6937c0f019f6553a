"""What an uploaded record really is: its type from its first bytes, then the whole file judged as that type.

A magic number is a claim, not proof: `%PDF-` followed by an executable is not a PDF. A record is
kept only if the whole file parses as the type its first bytes claim (PDF structure with pypdf,
an image decoded by Pillow, a DICOM preamble and header read by pydicom, a ZIP whose every member
passes its CRC), nothing trails the format's end, and no executable hides inside (a ZIP member,
a PDF attachment, the DICOM preamble, which a Windows executable can occupy: CVE-2019-11687).
"""

from __future__ import annotations

import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import BinaryIO

import pydicom
import pypdf
from PIL import Image

DICOM_PREAMBLE = 128
# Windows PE, ELF, Mach-O (32/64-bit, both byte orders, universal), and scripts with an interpreter line.
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_EXPANSION = 20  # uncompressed bytes per stored byte: beyond that, a zip bomb
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/dicom": ".dcm",
    "application/zip": ".zip",
}
TYPE_NAMES = "PDF, JPEG, PNG, DICOM or ZIP"
MAX_FILENAME = 200


def sniff(head: bytes) -> str | None:
    """The media type the first bytes claim, among PDF, PNG, JPEG, DICOM and ZIP; None otherwise."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[DICOM_PREAMBLE : DICOM_PREAMBLE + 4] == b"DICM":  # DICOM Part 10: 128-byte preamble, then "DICM"
        return "application/dicom"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def is_executable(head: bytes) -> bool:
    """Whether bytes begin like a program a computer would run."""
    return head.startswith(EXECUTABLE_MAGIC)


def _tail_after(file: BinaryIO, marker: bytes, window: int = 4096) -> bytes | None:
    """The bytes after the last `marker` within the file's final `window` bytes (None: no marker there)."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(max(0, size - window))
    end = file.read()
    at = end.rfind(marker)
    return None if at < 0 else end[at + len(marker) :]


def _judge_pdf(file: BinaryIO) -> str | None:
    tail = _tail_after(file, b"%%EOF")
    if tail is None or tail.strip(b" \t\r\n\x00"):
        return "The file starts as a PDF but does not end as one (data follows its last %%EOF)."
    file.seek(0)
    reader = pypdf.PdfReader(file, strict=False)
    if reader.is_encrypted:
        return "Encrypted PDFs cannot be reviewed; upload it without a password."
    if len(reader.pages) == 0 or any(page.mediabox.width <= 0 for page in reader.pages):
        return "The PDF has no readable pages."
    for contents in reader.attachments.values():
        if any(is_executable(data[:8]) for data in contents):
            return "The PDF carries an executable attachment."
    return None


def _judge_image(expected: str, end_marker: bytes) -> Callable[[BinaryIO], str | None]:
    def judge(file: BinaryIO) -> str | None:
        tail = _tail_after(file, end_marker, window=len(end_marker) + 64)
        if tail is None or tail.strip(b"\x00"):
            return f"The file starts as a {expected} image but data follows the end of the image."
        file.seek(0)
        with Image.open(file, formats=[expected]) as image:
            image.verify()  # structure and checksums; the image cannot be used after this
        file.seek(0)
        with Image.open(file, formats=[expected]) as image:
            image.load()  # every pixel decodes
        return None

    return judge


def _judge_dicom(file: BinaryIO) -> str | None:
    file.seek(0)
    if is_executable(file.read(DICOM_PREAMBLE)):
        return "The DICOM preamble holds an executable."
    file.seek(0)
    dataset = pydicom.dcmread(file, defer_size=1024)  # header fully parsed; pixel data left as bytes
    if "TransferSyntaxUID" not in dataset.file_meta or "SOPClassUID" not in dataset:
        return "The DICOM file lacks its transfer syntax or SOP class."
    return None


def _judge_zip(file: BinaryIO) -> str | None:
    file.seek(0, 2)
    stored = file.tell()
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            return f"A ZIP may hold at most {ZIP_MAX_MEMBERS} files."
        if sum(member.file_size for member in members) > ZIP_MAX_EXPANSION * max(stored, 1024):
            return "The ZIP expands far beyond its size; upload its files separately."
        broken = archive.testzip()  # reads every member, checking its CRC
        if broken is not None:
            return f"The ZIP member {clean_filename(broken)!r} is damaged."
        for member in members:
            with archive.open(member) as inner:
                if is_executable(inner.read(8)):
                    return f"The ZIP holds an executable ({clean_filename(member.filename)!r})."
    return None


JUDGES: dict[str, Callable[[BinaryIO], str | None]] = {
    "application/pdf": _judge_pdf,
    "image/png": _judge_image("PNG", b"IEND\xaeB`\x82"),
    "image/jpeg": _judge_image("JPEG", b"\xff\xd9"),
    "application/dicom": _judge_dicom,
    "application/zip": _judge_zip,
}


def judge(file: BinaryIO, media_type: str) -> str | None:
    """Why the whole file is not a sound `media_type` document, or None when it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # parsers warn about what they repair; the verdict is what counts
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return JUDGES[media_type](file)
    except Exception:  # noqa: BLE001 - pypdf, Pillow, pydicom, zipfile: any failure means it is not what it claims
        pass
    return f"The file claims to be {media_type} but does not parse as one; upload an intact {TYPE_NAMES} file."


def clean_filename(name: str | None, media_type: str | None = None) -> str:
    """A display name without control or direction-override characters or folders, ending as its type does."""
    kept = "".join(
        char
        for char in unicodedata.normalize("NFC", name or "")
        if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    )
    kept = PurePath(kept.replace("\\", "/")).name.strip(" .")[:MAX_FILENAME] or "document"
    extension = EXTENSIONS.get(media_type or "")
    if extension and PurePath(kept).suffix.lower() not in {extension, ".jpeg" if extension == ".jpg" else extension}:
        kept += extension
    return kept
