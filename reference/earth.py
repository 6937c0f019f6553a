"""The one Earth model: every distance SecondLook computes or shows is a haversine on this sphere.

The radius is the IUGG mean radius (6,371,008.7714 m), the one Elasticsearch's geo_distance uses, so
the directory, the embedded matcher and the Elasticsearch matcher give the same specialist the same
distance. Against the WGS-84 ellipsoid the sphere is off by under 0.5% across the US; what matters
here is that it is the same number everywhere.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_MI = 3958.7613


def distance_mi(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle miles between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2) - math.radians(lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def distances_mi(lat: float, lon: float, lats: ArrayLike, lons: ArrayLike) -> NDArray[np.float64]:
    """Great-circle miles from one point to many (vectorised `distance_mi`)."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = np.radians(np.asarray(lats, dtype=np.float64)), np.radians(np.asarray(lons, dtype=np.float64))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
