"""Marshmallow fields shared by every feature's schemas."""
from __future__ import annotations

from datetime import datetime, timezone

import marshmallow as ma

from api.db import as_utc
from api.identifiers import is_valid_npi, normalise_zip
from reference import nucc


class UtcDateTime(ma.fields.AwareDateTime):
    """An RFC 3339 timestamp, always with its UTC offset (naive input is read as UTC).

    Every stored time is UTC, but SQLite hands timestamps back naive; without this they would
    serialise with no offset, which is not a valid OpenAPI date-time.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        return super()._serialize(as_utc(value), attr, obj, **kwargs)


# Identifiers from outside are validated where they enter, the same way in every feature.
CONDITION_SYSTEMS = ("ICD-10-CM", "ORPHA")


def language_field(**kwargs) -> ma.fields.String:
    """An ISO 639 language code such as 'en'."""
    return ma.fields.String(validate=ma.validate.Regexp(r"^[a-z]{2,3}$", error="Use an ISO 639 code like 'en'."),
                            **kwargs)


def validate_npi(value: str) -> None:
    """A 10-digit NPI ending in the CMS check digit."""
    if not is_valid_npi(value):
        raise ma.ValidationError("Not a valid NPI: 10 digits ending in the CMS check digit.")


def validate_nucc(value: str) -> None:
    """A NUCC taxonomy code the directory knows."""
    if not nucc.is_known(value):
        raise ma.ValidationError("Unknown NUCC taxonomy code; see GET /v1/reference/specialties.")


def validate_zip(value: str) -> None:
    """A 5-digit ZIP or ZIP+4."""
    if normalise_zip(value) is None:
        raise ma.ValidationError("A ZIP is 5 digits (or ZIP+4).")


# Database ids are 32-bit: a larger number can name nothing, and PostgreSQL would refuse to compare it.
ID_MIN, ID_MAX = 1, 2**31 - 1
ID_RANGE = ma.validate.Range(min=ID_MIN, max=ID_MAX, error="Not a valid id.")
