"""The one Earth model: a haversine on the IUGG mean sphere, scalar and vectorised alike."""
from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import geodesic

from reference import zip_centroids
from reference.earth import EARTH_RADIUS_MI, distance_mi, distances_mi

MAYO = (44.02, -92.47)
MIDTOWN = (40.7484, -73.9967)


def test_known_distance_and_zero():
    # Rochester, MN to Midtown Manhattan is about 970 miles.
    assert distance_mi(*MAYO, *MIDTOWN) == pytest.approx(970, abs=5)
    assert distance_mi(*MAYO, *MAYO) == 0
    assert EARTH_RADIUS_MI * 1609.344 == pytest.approx(6_371_008.7714, abs=0.1)  # Elasticsearch's mean radius


def test_vectorised_and_scalar_give_the_same_miles():
    zips, lats, lons = zip_centroids.arrays()
    rng = np.random.default_rng(7)
    for i in rng.integers(len(zips), size=20):
        targets = rng.integers(len(zips), size=30)
        many = distances_mi(lats[i], lons[i], lats[targets], lons[targets])
        assert many.shape == (30,)
        one_by_one = [distance_mi(lats[i], lons[i], lats[j], lons[j]) for j in targets]
        assert many.tolist() == pytest.approx(one_by_one, rel=1e-12, abs=1e-9)


def test_the_sphere_is_within_half_a_percent_of_the_ellipsoid_in_the_us():
    # Short north-south legs are the worst case: Miami, Rochester MN and Fairbanks.
    for lat, lon in ((25.77, -80.19), MAYO, (64.84, -147.72)):
        precise = geodesic((lat, lon), (lat + 0.3, lon)).miles
        assert abs(distance_mi(lat, lon, lat + 0.3, lon) - precise) / precise < 0.005
