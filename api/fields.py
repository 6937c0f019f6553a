"""Marshmallow fields shared by every feature's schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma

from api.db import as_utc
from api.identifiers import is_valid_npi
from reference import nucc

# Dates and times the service takes in: years 1900 to 2199. Beyond them, date arithmetic
# (a search window, an expiry) overflows Python's datetime; the pattern publishes the bound.
FIRST_YEAR, LAST_YEAR = 1900, 2199
YEAR_PATTERN = r"^(19|2[01])[0-9]{2}-"
_YEARS = f"Give a date in the years {FIRST_YEAR} to {LAST_YEAR}."


def _bounded(kwargs: dict) -> dict:
    """Field arguments with the year bound added: a validator, and the pattern for the OpenAPI document."""
    kwargs["metadata"] = {"pattern": YEAR_PATTERN, **kwargs.get("metadata", {})}
    return kwargs


def _in_years(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ma.ValidationError(_YEARS)


class UtcDateTime(ma.fields.AwareDateTime):
    """An RFC 3339 timestamp, always with its UTC offset (naive input is read as UTC), in years 1900-2199.

    Every stored time is UTC, but SQLite hands timestamps back naive; without this they would
    serialise with no offset, which is not a valid OpenAPI date-time.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=UTC, **_bounded(kwargs))
        self.validators.append(_in_years)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except OverflowError as error:  # a UTC offset that pushes year 9999 past the end of time
            raise ma.ValidationError(_YEARS) from error

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        return super()._serialize(as_utc(value), attr, obj, **kwargs)


class BoundedDate(ma.fields.Date):
    """A calendar date in the years 1900-2199."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**_bounded(kwargs))
        self.validators.append(_in_years)


# Identifiers from outside are validated where they enter, the same way in every feature.
CONDITION_SYSTEMS = ("ICD-10-CM", "ORPHA")
CONDITION_CODE_DOC = {"example": "520", "description": "A code of its system that GET /v1/reference/conditions lists"}


def language_field(**kwargs) -> ma.fields.String:
    """An ISO 639 language code such as 'en'."""
    return ma.fields.String(
        validate=ma.validate.Regexp(r"^[a-z]{2,3}$", error="Use an ISO 639 code like 'en'."), **kwargs
    )


NPI_DOC = {"pattern": r"^\d{10}$", "description": "10 digits, the last the CMS (Luhn) check digit of the first nine"}


def validate_npi(value: str) -> None:
    """A 10-digit NPI ending in the CMS check digit."""
    if not is_valid_npi(value):
        raise ma.ValidationError("Not a valid NPI: 10 digits ending in the CMS check digit.")


# A NUCC taxonomy code the directory knows: an enum in the OpenAPI document, so no valid-looking
# request is refused for an unknown code.
validate_nucc = ma.validate.OneOf(
    [taxonomy.code for taxonomy in nucc.TAXONOMIES],
    error="Unknown NUCC taxonomy code; see GET /v1/reference/specialties.",
)


# A 5-digit ZIP or ZIP+4: a Regexp, so the OpenAPI document carries the pattern.
ZIP_PATTERN = r"^\d{5}(-\d{4})?$"
validate_zip = ma.validate.Regexp(ZIP_PATTERN, error="A ZIP is 5 digits (or ZIP+4).")


# Integer columns are 32-bit on PostgreSQL (and SQLite's are 64-bit): a count or id beyond that
# range can be stored by neither, so schemas bound every integer instead of letting the driver fail.
INT32_MAX = 2**31 - 1
# Database ids are 32-bit: a larger number can name nothing, and PostgreSQL would refuse to compare it.
ID_MIN, ID_MAX = 1, INT32_MAX
ID_RANGE = ma.validate.Range(min=ID_MIN, max=ID_MAX, error="Not a valid id.")
