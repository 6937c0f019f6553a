"""Identifiers that come from outside, validated where they enter: NPI, ZIP."""

from __future__ import annotations

import re

_NPI_RE = re.compile(r"^\d{10}$")
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
# CMS: the NPI check digit is the Luhn digit of the 9-digit base prefixed with 80840
# (the ISO card-issuer prefix for US health), which adds a constant 24 to the Luhn sum.
_NPI_PREFIX_SUM = 24


def npi_check_digit(base9: str) -> int:
    """The Luhn check digit CMS appends to a 9-digit NPI base."""
    total = _NPI_PREFIX_SUM
    for i, ch in enumerate(reversed(base9)):
        d = int(ch)
        if i % 2 == 0:  # double every other digit starting from the rightmost of the base
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """True for a 10-digit NPI whose last digit is its check digit."""
    return bool(_NPI_RE.match(npi or "")) and npi_check_digit(npi[:9]) == int(npi[9])


def make_npi(base9: int) -> str:
    """A valid NPI from a 9-digit base number (used to synthesize directory entries)."""
    base = f"{base9:09d}"
    return base + str(npi_check_digit(base))


def normalise_zip(value: str) -> str | None:
    """The 5-digit ZIP of `value` (ZIP or ZIP+4), or None when it is not one."""
    value = (value or "").strip()
    return value[:5] if _ZIP_RE.match(value) else None
