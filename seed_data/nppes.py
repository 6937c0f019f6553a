"""Import physicians from the CMS NPPES Data Dissemination CSV, streaming, idempotent on NPI.

Rows are read one at a time and written in batches, one transaction each. Kept: individuals
(entity type 1) whose NPI is active and who hold at least one physician taxonomy SecondLook
lists. A row that cannot be used is reported with its line number and the import goes on.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TextIO

from sqlalchemy.engine import Engine

from api.identifiers import is_valid_npi
from reference import nucc, zip_centroids
from seed_data import nppes_layout as col
from seed_data.nppes_upsert import ProviderRecord, upsert_providers

_WORD_START = re.compile(r"(?:^|(?<=[\s\-'/]))[a-z]")


class SkipRow(Exception):
    """A row deliberately left out; `counter` names the ImportReport field it counts toward."""

    def __init__(self, counter: str) -> None:
        super().__init__(counter)
        self.counter = counter


class BadRow(Exception):
    """A row that is not usable data; the message is the reason reported."""


@dataclass
class ImportReport:
    """What an import read, wrote and left out."""

    read: int = 0
    imported: int = 0  # new specialists
    updated: int = 0  # specialists already present (by NPI), refreshed from the file
    skipped_deactivated: int = 0
    skipped_organizations: int = 0
    skipped_non_physician: int = 0
    bad: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        """One line for the terminal."""
        return (
            f"NPPES: read {self.read:,} rows: {self.imported:,} imported, {self.updated:,} updated, "
            f"{self.skipped_deactivated:,} deactivated, {self.skipped_organizations:,} organisations, "
            f"{self.skipped_non_physician:,} not physicians, {self.bad:,} bad ({self.seconds:,.1f} s)"
        )


def import_file(engine: Engine, path: str, *, batch_size: int = 2000, out: TextIO = sys.stderr) -> ImportReport:
    """Stream an npidata_pfile CSV into the directory; re-running it updates rather than duplicates."""
    report, started, today = ImportReport(), time.monotonic(), date.today()
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        positions = _positions(header)
        batch: dict[str, ProviderRecord] = {}  # by NPI: a later row for the same NPI wins
        for row in reader:
            report.read += 1
            try:
                record = parse_row(row, len(header), positions)
            except SkipRow as skip:
                setattr(report, skip.counter, getattr(report, skip.counter) + 1)
                continue
            except BadRow as bad:
                report.bad += 1
                report.bad_rows.append((reader.line_num, str(bad)))
                continue
            batch[record.npi] = record
            if len(batch) >= batch_size:
                _flush(engine, batch, report, today, out, started)
        _flush(engine, batch, report, today, out, started)
    report.seconds = time.monotonic() - started
    return report


def _flush(engine: Engine, batch: dict, report: ImportReport, today: date, out: TextIO, started: float) -> None:
    if not batch:
        return
    with engine.begin() as conn:
        new, updated = upsert_providers(conn, list(batch.values()), today)
    report.imported += new
    report.updated += updated
    batch.clear()
    out.write(
        f"nppes: {report.read:,} rows read, {report.imported:,} imported, {report.updated:,} updated, "
        f"{report.bad:,} bad, {report.read / max(time.monotonic() - started, 1e-9):,.0f} rows/s\n"
    )
    out.flush()


def _positions(header: list[str]) -> dict[str, int]:
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [name for name in col.REQUIRED if name not in index]
    if missing:
        raise ValueError(f"not an NPPES dissemination file: no column {missing[0]!r}")
    sex = next((name for name in col.SEX_CODES if name in index), None)
    return {**{name: index[name] for name in col.REQUIRED}, "sex": index[sex] if sex else -1}


def parse_row(row: list[str], width: int, at: dict[str, int]) -> ProviderRecord:
    """The provider in one CSV row; raises SkipRow or BadRow when there is none to import."""
    if len(row) != width:
        raise BadRow(f"expected {width} fields, found {len(row)}")
    value = lambda name: row[at[name]].strip()  # noqa: E731
    npi = value(col.NPI)
    if not is_valid_npi(npi):
        raise BadRow(f"invalid NPI {npi!r} (10 digits ending in the CMS check digit)")
    # Deactivated records carry little besides the NPI and dates, not even the entity type.
    deactivated, reactivated = _date(value(col.DEACTIVATION_DATE)), _date(value(col.REACTIVATION_DATE))
    if deactivated and not (reactivated and reactivated >= deactivated):
        raise SkipRow("skipped_deactivated")
    entity = value(col.ENTITY_TYPE)
    if entity == "2":
        raise SkipRow("skipped_organizations")
    if entity != "1":
        raise BadRow(f"unknown entity type {entity!r}")
    taxonomies = _physician_taxonomies(value)
    if not taxonomies:
        raise SkipRow("skipped_non_physician")
    zip5 = value(col.PRACTICE_POSTAL_CODE)[:5]
    centroid = zip_centroids.get(zip5) if len(zip5) == 5 and zip5.isdigit() else None
    if centroid is None:
        raise BadRow(f"unknown practice ZIP {value(col.PRACTICE_POSTAL_CODE)!r}")
    if not value(col.LAST_NAME):
        raise BadRow("no provider last name")
    sex = row[at["sex"]].strip().upper() if at["sex"] >= 0 else ""
    phone = "".join(ch for ch in value(col.PRACTICE_PHONE) if ch.isdigit())
    return ProviderRecord(
        npi=npi,
        first_name=_title(value(col.FIRST_NAME)) or "-",
        last_name=_title(value(col.LAST_NAME)),
        credentials=" ".join(value(col.CREDENTIAL).replace(".", "").split())[:50] or None,
        gender=sex if sex in ("F", "M") else None,
        taxonomies=taxonomies,
        address_line=", ".join(_title(v) for v in (value(col.PRACTICE_LINE_1), value(col.PRACTICE_LINE_2)) if v)[:200],
        city=_title(value(col.PRACTICE_CITY)) or centroid.city,
        state=value(col.PRACTICE_STATE).upper()[:2] or centroid.state,
        zip=zip5,
        lat=centroid.lat,
        lon=centroid.lon,
        phone=f"{phone[:3]}-{phone[3:6]}-{phone[6:]}" if len(phone) == 10 else None,
    )


def _physician_taxonomies(value) -> list[str]:
    """Known physician codes, the primary first (the flagged one, else the first listed)."""
    codes, primary = [], None
    for slot in range(1, col.TAXONOMY_SLOTS + 1):
        code = value(col.taxonomy_code(slot)).upper()
        if code and nucc.is_known(code) and code not in codes:
            codes.append(code)
            if value(col.primary_switch(slot)).upper() == "Y":
                primary = code
    return sorted(codes, key=lambda c: c != (primary or codes[0])) if codes else []


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError as exc:
        raise BadRow(f"not a MM/DD/YYYY date: {text!r}") from exc


def _title(text: str) -> str:
    # NPPES writes in capitals: "O'BRIEN" -> "O'Brien", "SMITH-JONES" -> "Smith-Jones", "1ST AVE" -> "1st Ave".
    if not text.isupper():
        return text
    return _WORD_START.sub(lambda m: m.group(0).upper(), text.lower())
