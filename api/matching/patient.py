"""What matching needs to know about the patient and the first opinion, resolved against the directory.

Shared by POST /v1/matches and case matching: the patient's state (telehealth licensure), whether
their codes fit their sex and age (a 422 when they cannot), and which institutions are affiliated
with the first opinion's: the same institution or health system, by identity, plus a weak hint
for names sharing a word that is rare across the directory and is not a city.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from api.directory.institution_book import InstitutionBook
from api.errors import Invalid
from reference import zip_centroids
from reference.populations import implausible
from search.case import normalise_institution_name
from search.scoring import distinctive_words

RARE_WORD_MAX_INSTITUTIONS = 3  # a word in more institution names than this identifies nothing


def check_codes_fit(conditions, sex: str | None, ages: tuple[float, float] | None, field: str = "conditions") -> None:
    """422 when the patient's sex or age makes one of the condition codes impossible."""
    for system, code in conditions:
        why = implausible(system, code, sex, ages)
        if why:
            raise Invalid(why, field=field)


def state_at(point: tuple[float, float] | None, zip5: str | None = None) -> str | None:
    """The state of a ZIP, else of the ZIP centroid nearest the point (None without either)."""
    if zip5:
        centroid = zip_centroids.get(zip5[:5])
        if centroid is not None:
            return centroid.state
    if point is None:
        return None
    zips, lats, lons = zip_centroids.arrays()
    lat, lon = np.radians(point[0]), np.radians(point[1])
    # Nearest on the sphere = largest cosine of the central angle.
    cosines = np.sin(np.radians(lats)) * np.sin(lat) + np.cos(np.radians(lats)) * np.cos(lat) * np.cos(
        np.radians(lons) - lon
    )
    return zip_centroids.known(zips[int(np.argmax(cosines))]).state


@dataclass(frozen=True)
class Affiliation:
    """The first opinion's institutions resolved: their health systems and the rare words of their names."""

    health_system_ids: frozenset[int]
    words: frozenset[str]


def resolve_affiliation(book: InstitutionBook, institution_ids, names) -> Affiliation:
    """Health systems of the excluded institutions (by id or name) and their directory-rare name words."""
    normalised = sorted({normalise_institution_name(n) for n in names} - {""})
    words = {w for n in normalised for w in distinctive_words(n)} - _city_words()
    return Affiliation(
        frozenset(book.health_systems(institution_ids, normalised)),
        frozenset(
            w for w in words if book.names_containing(w, RARE_WORD_MAX_INSTITUTIONS) <= RARE_WORD_MAX_INSTITUTIONS
        ),
    )


@cache
def _city_words() -> frozenset[str]:
    """Every word of a US city name: a city says where, not who."""
    return frozenset(
        w for z in zip_centroids.all_zips() for w in zip_centroids.city_key(zip_centroids.known(z).city).split()
    )
