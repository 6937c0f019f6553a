"""The services a second opinion can be, with the allowed amount an estimate starts from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Service:
    """A billable second-opinion service and a typical commercial allowed amount, in cents."""

    code: str
    display: str
    cpt: str
    allowed_cents: int


# Allowed amounts are round figures near typical commercial rates for the CPT code; they are an
# estimate's starting point, not any payer's fee schedule.
SERVICES: tuple[Service, ...] = (
    Service("consultation", "New-patient specialist consultation, in person", "99204", 24_000),
    Service("telehealth_consultation", "New-patient specialist consultation by video", "99204-95", 24_000),
    Service("complex_consultation", "New-patient consultation of high complexity", "99205", 32_000),
    Service("records_review", "Review of records and imaging without a visit", "99358", 16_000),
)
_BY_CODE = {service.code: service for service in SERVICES}
DEFAULT_SERVICE = "consultation"


def get(code: str) -> Service | None:
    """The service with this code, or None."""
    return _BY_CODE.get(code)


def codes() -> tuple[str, ...]:
    """Every service code, in catalogue order."""
    return tuple(_BY_CODE)


def default() -> Service:
    """The service a match's coverage verdicts are for."""
    return _BY_CODE[DEFAULT_SERVICE]
