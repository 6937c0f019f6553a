"""The case a match is asked for: validated, coded and free of anything that identifies the patient."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from reference import conditions as catalogue

REASONS = ("rare_condition", "high_risk_treatment", "unclear_diagnosis", "treatment_not_working",
           "experimental_or_trial", "feel_dismissed", "other")
URGENCIES = ("routine", "soon", "emergent")
DEFAULT_MAX_DISTANCE_MI = 100.0
DEFAULT_LIMIT = 10
MAX_LIMIT = 100

_SPACES = re.compile(r"\s+")


def normalise_institution_name(name: str | None) -> str:
    """The form institution names are compared in (case-, accent- and whitespace-insensitive)."""
    folded = unicodedata.normalize("NFKD", (name or "").casefold())
    return _SPACES.sub(" ", "".join(ch for ch in folded if not unicodedata.combining(ch))).strip()


@dataclass(frozen=True)
class MatchCase:
    """What a match needs to know about a case; no name, birth date or free text ever.

    `condition_groups` and `treating_specialties` are derived from the condition catalogue
    when left empty, so a test can build a case from codes alone.
    """

    conditions: tuple[tuple[str, str], ...] = ()  # (system, code), codes already canonical
    specialty: str | None = None  # NUCC code
    point: tuple[float, float] | None = None  # the patient's (lat, lon), e.g. a ZIP centroid
    max_distance_mi: float = DEFAULT_MAX_DISTANCE_MI
    telehealth_ok: bool = False
    plan_id: int | None = None
    plan_name: str | None = None
    network_ids: frozenset[int] = frozenset()  # the plan's networks
    self_pay: bool = False
    languages: tuple[str, ...] = ()  # ISO 639-1; any one of them will do
    exclude_specialist_ids: frozenset[int] = frozenset()
    exclude_institution_ids: frozenset[int] = frozenset()
    exclude_institution_names: tuple[str, ...] = ()  # normalised with normalise_institution_name
    reason: str = "other"
    urgency: str = "routine"
    limit: int = DEFAULT_LIMIT
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    condition_groups: tuple[str | None, ...] = ()  # aligned with `conditions`
    treating_specialties: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Normalise containers so equal cases compare (and hash) equal however they were built.
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("conditions", tuple((s, c) for s, c in self.conditions))
        set_("network_ids", frozenset(self.network_ids))
        set_("languages", tuple(sorted(set(self.languages))))
        set_("exclude_specialist_ids", frozenset(self.exclude_specialist_ids))
        set_("exclude_institution_ids", frozenset(self.exclude_institution_ids))
        set_("exclude_institution_names", tuple(sorted({normalise_institution_name(n)
                                                         for n in self.exclude_institution_names} - {""})))
        if self.urgency not in URGENCIES:
            raise ValueError(f"urgency must be one of {URGENCIES}")
        if self.reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}")
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self.conditions and not self.condition_groups:
            set_("condition_groups", tuple(_group(s, c) for s, c in self.conditions))
        if not self.treating_specialties:
            set_("treating_specialties", frozenset(self._resolve_specialties()))
        else:
            set_("treating_specialties", frozenset(self.treating_specialties))

    def _resolve_specialties(self) -> set[str]:
        # A named specialty narrows the search to it; otherwise every specialty that treats
        # one of the conditions qualifies.
        if self.specialty:
            return {self.specialty}

        return {code for s, c in self.conditions for code in catalogue.specialties_for(s, c)}

    @property
    def condition_keys(self) -> tuple[str, ...]:
        """"ORPHA:520"-style keys of the case's conditions, in the order given."""
        return tuple(f"{s}:{c}" for s, c in self.conditions)

    @property
    def group_keys(self) -> frozenset[str]:
        """The related-condition groups of the case's conditions."""
        return frozenset(g for g in self.condition_groups if g)

    @property
    def has_plan(self) -> bool:
        """Whether coverage is judged against an insurance plan."""
        return self.plan_id is not None


def _group(system: str, code: str) -> str | None:
    return catalogue.group_of(system, code)
