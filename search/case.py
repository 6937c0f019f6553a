"""The case a match is asked for: validated, coded and free of anything that identifies the patient."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reference import conditions as catalogue
from reference.populations import PEDIATRIC, mostly_adult, population_of_code, populations_for
from reference.specialty_map import DIAGNOSTIC_SPECIALTIES, TREATMENT_ONLY_SPECIALTIES

REASONS = (
    "rare_condition",
    "high_risk_treatment",
    "unclear_diagnosis",
    "treatment_not_working",
    "experimental_or_trial",
    "feel_dismissed",
    "other",
)
URGENCIES = ("routine", "soon", "emergent")
DEFAULT_MAX_DISTANCE_MI = 100.0
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
SEXES = ("female", "male")
# Why a second opinion is sought decides whether holding the very condition outranks everything else.
EXPERTISE_FIRST_REASONS = frozenset({"rare_condition", "unclear_diagnosis"})
# ... and whether the specialists who make a diagnosis (pathology, diagnostic imaging:
# reference.specialty_map.DIAGNOSTIC_SPECIALTIES) are the second opinion. For an unclear diagnosis a
# review of the slides or images IS the second opinion: those among a condition's treaters rank with
# its primary treaters. For any other reason the question is what to do (a risky treatment, one that
# is not working, a trial, a rare disease's care, a doctor who dismissed it): they rank after every
# specialist who treats the condition (`reading_specialties`, scoring.standing).
DIAGNOSIS_REASONS = frozenset({"unclear_diagnosis"})

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
    age_range: tuple[float, float] | None = None  # [low, high) in years; never a birth date
    sex: str | None = None  # 'female' | 'male' (for code plausibility), None when not given
    patient_state: str | None = None  # 2-letter state of the case's point: telehealth needs a licence there
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
    exclude_health_system_ids: frozenset[int] = frozenset()  # systems of the excluded institutions
    affiliation_words: frozenset[str] = frozenset()  # distinctive, rare words of excluded names (a hint only)
    coverage_notes: tuple[str, ...] = ()  # what is on file about coverage, said on every candidate
    in_network_notes: tuple[str, ...] = ()  # what is on file about the plan, said where it is in network
    referred_specialist_ids: frozenset[int] = frozenset()  # specialists the case has a live referral to
    reason: str = "other"
    urgency: str = "routine"
    limit: int = DEFAULT_LIMIT
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    condition_groups: tuple[str | None, ...] = ()  # aligned with `conditions`
    treating_specialties: frozenset[str] = frozenset()
    secondary_specialties: frozenset[str] = frozenset()  # treat a case condition only as secondary treaters
    # Diagnostic specialties that rank after every treater for this case's reason (DIAGNOSIS_REASONS).
    reading_specialties: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        # Normalise containers so equal cases compare (and hash) equal however they were built.
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("conditions", tuple((s, c) for s, c in self.conditions))
        set_("network_ids", frozenset(self.network_ids))
        set_("languages", tuple(sorted(set(self.languages))))
        set_("exclude_specialist_ids", frozenset(self.exclude_specialist_ids))
        set_("exclude_institution_ids", frozenset(self.exclude_institution_ids))
        set_("exclude_health_system_ids", frozenset(self.exclude_health_system_ids))
        set_("affiliation_words", frozenset(self.affiliation_words))
        set_("coverage_notes", tuple(self.coverage_notes))
        set_("in_network_notes", tuple(self.in_network_notes))
        set_("referred_specialist_ids", frozenset(self.referred_specialist_ids))
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}")
        set_(
            "exclude_institution_names",
            tuple(sorted({normalise_institution_name(n) for n in self.exclude_institution_names} - {""})),
        )
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
        if not self.secondary_specialties:
            set_("secondary_specialties", frozenset(self._resolve_secondary()))
        else:
            set_("secondary_specialties", frozenset(self.secondary_specialties))
        set_("reading_specialties", frozenset(self._resolve_reading()))

    def _resolve_specialties(self) -> set[str]:
        # A named specialty narrows the search to it; otherwise every specialty that treats
        # one of the conditions qualifies.
        if self.specialty:
            return {self.specialty}

        return {code for s, c in self.conditions for code in catalogue.specialties_for(s, c)}

    def _resolve_secondary(self) -> set[str]:
        # Specialties that only share the care of every case condition they treat (never a named one).
        if self.specialty:
            return set()
        found = [catalogue.treaters_for(s, c) for s, c in self.conditions]
        secondary = {code for t in found for code in t.secondary} - {code for t in found for code in t.primary}
        if self.reason in DIAGNOSIS_REASONS:
            # An unclear diagnosis: the condition's pathologists and imagers are its first second
            # opinion, and those who only treat a diagnosis already made (radiation oncology) share it.
            secondary = (secondary - DIAGNOSTIC_SPECIALTIES) | (self.treating_specialties & TREATMENT_ONLY_SPECIALTIES)
        if not self.age_known and self.conditions and all(mostly_adult(s, c) for s, c in self.conditions):
            # Age unknown, a disease of adults (glioblastoma, myeloma): the paediatric twins the map adds
            # for a child rank after the adult boards, as a patient is then almost surely an adult.
            secondary |= {code for code in self.treating_specialties if population_of_code(code) == PEDIATRIC}
        return secondary

    def _resolve_reading(self) -> set[str]:
        # A treatment question about a condition: those who only read its slides or images come last,
        # unless they are the condition's own primary treaters (R83-R94, abnormal findings) or named.
        if self.reason in DIAGNOSIS_REASONS or not self.conditions:
            return set()
        reading = DIAGNOSTIC_SPECIALTIES - self.primary_treaters
        return set(reading - {self.specialty} if self.specialty else reading)

    @property
    def primary_treaters(self) -> frozenset[str]:
        """Treating specialties that are a primary treater of some case condition."""
        return self.treating_specialties - self.secondary_specialties

    @property
    def treatment_only_specialties(self) -> frozenset[str]:
        """For an unclear diagnosis, the case's treaters that only treat one already made (radiation
        oncology): a specialist whose primary specialty is one ranks as a secondary treater (scoring.standing)."""
        if self.reason not in DIAGNOSIS_REASONS:
            return frozenset()
        return self.secondary_specialties & TREATMENT_ONLY_SPECIALTIES

    @property
    def treaters_besides_readers(self) -> frozenset[str]:
        """Treating specialties that do more than review the diagnosis: holding one, a pathologist treats too."""
        return self.treating_specialties - self.reading_specialties

    @property
    def condition_keys(self) -> tuple[str, ...]:
        """ "ORPHA:520"-style keys of the case's conditions, in the order given."""
        return tuple(f"{s}:{c}" for s, c in self.conditions)

    @property
    def group_keys(self) -> frozenset[str]:
        """The related-condition groups of the case's conditions."""
        return frozenset(g for g in self.condition_groups if g)

    @property
    def populations(self) -> frozenset[str]:
        """Specialist populations ('pediatric', 'adult', 'all') this patient's age allows."""
        return populations_for(self.age_range)

    @property
    def age_known(self) -> bool:
        """Whether the population constraint applies (an age or age band was given)."""
        return self.age_range is not None

    @property
    def expertise_first(self) -> bool:
        """Whether a holder of the very condition (or its parent code) outranks specialty-only matches."""
        return self.reason in EXPERTISE_FIRST_REASONS and bool(self.conditions)

    @property
    def expert_keys(self) -> frozenset[str]:
        """Keys that make a specialist an expert for the case: each condition code and its parent codes."""
        return frozenset(key for s, c in self.conditions for key in code_and_parents(s, c))

    @property
    def has_plan(self) -> bool:
        """Whether coverage is judged against an insurance plan."""
        return self.plan_id is not None


def code_and_parents(system: str, code: str) -> tuple[str, ...]:
    """ "ICD-10-CM:C92.00", "ICD-10-CM:C92.0", "ICD-10-CM:C92": a code and the ICD-10-CM codes above it."""
    if system != "ICD-10-CM" or "." not in code:
        return (f"{system}:{code}",)
    head, tail = code.split(".", 1)
    return tuple(f"{system}:{head}.{tail[:n]}" for n in range(len(tail), 0, -1)) + (f"{system}:{head}",)


def _group(system: str, code: str) -> str | None:
    return catalogue.group_of(system, code)
