"""Small but real documents of every accepted record type, built in memory with the parsers' own libraries."""
from __future__ import annotations

import io
import zipfile

import pydicom
from PIL import Image
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid
from pypdf import PdfWriter


def pdf_bytes() -> bytes:
    """A one-page PDF."""
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=612, height=792)
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    """An 8x8 image in `fmt` ("PNG" or "JPEG")."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def dicom_bytes(preamble: bytes = b"\x00" * 128) -> bytes:
    """A secondary-capture DICOM file with a 4x4 image and no patient data."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = pydicom.Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID, dataset.SOPInstanceUID = SecondaryCaptureImageStorage, meta.MediaStorageSOPInstanceUID
    dataset.Modality, dataset.Rows, dataset.Columns = "OT", 4, 4
    dataset.SamplesPerPixel, dataset.PhotometricInterpretation = 1, "MONOCHROME2"
    dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 8, 8, 7, 0
    dataset.PixelData = bytes(range(16))
    dataset.preamble = preamble
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes] | None = None) -> bytes:
    """A ZIP archive of `members` (by default one PDF)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (members or {"report.pdf": pdf_bytes()}).items():
            archive.writestr(name, content)
    return out.getvalue()


PDF, PNG, JPEG = pdf_bytes(), image_bytes("PNG"), image_bytes("JPEG")
DICOM, ZIP = dicom_bytes(), zip_bytes()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56  # the start of a 64-bit Linux executable
