"""The NPPES importer on a sample in the real file's 330-column layout."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.models import Location, OutboxEvent, PracticeLocation, Specialist, SpecialistSpecialty
from seed_data import nppes_layout
from seed_data.nppes import import_file

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "nppes_sample.csv"
COUNTED_TABLES = (Specialist, SpecialistSpecialty, Location, PracticeLocation)


def _import(session, path=SAMPLE, **kw):
    session.rollback()  # end the test's read snapshot so it sees what the import commits
    return import_file(session.get_bind(), str(path), out=io.StringIO(), **kw)


def _counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in COUNTED_TABLES}


def _specialist(session, last_name: str) -> Specialist:
    session.expire_all()
    return session.scalars(select(Specialist).where(Specialist.last_name == last_name)).one()


def test_the_sample_has_the_real_header():
    with SAMPLE.open(newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == nppes_layout.HEADER and len(header) == 330
    assert header[:2] == ["NPI", "Entity Type Code"] and header[47] == "Healthcare Provider Taxonomy Code_1"


def test_import_keeps_active_individual_physicians_and_reports_the_rest(session):
    report = _import(session, batch_size=7)
    assert (report.read, report.imported, report.updated) == (30, 20, 0)
    assert (report.skipped_deactivated, report.skipped_organizations, report.skipped_non_physician) == (2, 2, 3)
    assert report.bad == 3
    assert [line for line, _ in report.bad_rows] == [22, 23, 31]
    reasons = dict(report.bad_rows)
    assert "invalid NPI" in reasons[22] and "unknown practice ZIP" in reasons[23] and "expected 330" in reasons[31]
    assert "20 imported" in report.describe()
    assert _counts(session)["Specialist"] == 20
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 20


def test_imported_rows_are_cleaned_and_geocoded(session):
    _import(session)
    halvorsen = _specialist(session, "Halvorsen")
    assert (halvorsen.first_name, halvorsen.credentials, halvorsen.gender) == ("Ingrid", "MD", "F")
    assert halvorsen.data_source == "nppes" and halvorsen.languages == ["en"]
    place = halvorsen.practice_locations[0].location
    assert (place.address_line, place.city, place.state, place.zip, place.phone) == (
        "450 Brookline Ave", "Boston", "MA", "02115", "617-555-0101")
    assert place.lat == pytest.approx(42.34, abs=0.01)
    # Primary switch on the second taxonomy slot wins over the first listed code.
    assert _specialist(session, "Abernathy").primary_specialty == "207RC0000X"
    assert len(_specialist(session, "Desrosiers").specialties) == 1  # same code, two licences
    assert _specialist(session, "O'Sullivan").primary_specialty == "207RR0500X"  # reactivated
    assert _specialist(session, "Ferreira").practice_locations[0].location.address_line == (
        "420 Delaware St Se, Suite 500")
    assert session.scalar(select(func.count()).where(Specialist.last_name.in_(["Parker", "Zimmermann"]))) == 0


def test_a_second_run_updates_in_place_without_duplicates(session):
    _import(session)
    before = _counts(session)
    again = _import(session)
    assert (again.imported, again.updated, again.bad) == (0, 20, 3)
    assert _counts(session) == before


def test_a_changed_address_in_the_file_moves_the_practice(session, tmp_path):
    _import(session)
    before = _counts(session)
    moved = tmp_path / "npidata_pfile_moved.csv"
    shutil.copy(SAMPLE, moved)
    text = moved.read_text().replace('"450 BROOKLINE AVE"', '"55 FRUIT ST"').replace('"021155450"', '"02114"')
    moved.write_text(text)
    report = _import(session, moved)
    assert (report.imported, report.updated) == (0, 20)
    place = _specialist(session, "Halvorsen").practice_locations[0].location
    assert (place.address_line, place.zip) == ("55 Fruit St", "02114")
    assert _counts(session) == before


def test_a_file_without_the_nppes_columns_is_refused(session, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("NPI,Name\n1234567893,Someone\n")
    with pytest.raises(ValueError, match="not an NPPES"):
        _import(session, other)
