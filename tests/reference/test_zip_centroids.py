"""ZIP centroid table, city lookup and the metro-density weight."""
from __future__ import annotations


import numpy as np
import zipcodes

from reference import zip_centroids


def test_get_known_zip():
    mayo = zip_centroids.get("55905")
    assert mayo is not None
    assert (mayo.city, mayo.state, mayo.county) == ("Rochester", "MN", "Olmsted County")
    assert abs(mayo.lat - 44.02) < 0.01 and abs(mayo.lon + 92.47) < 0.01
    # Indexable as (lat, lon, city, state, county), which callers rely on.
    assert (mayo[0], mayo[1], mayo[2], mayo[3], mayo[4]) == tuple(mayo)


def test_get_normalises_and_rejects():
    assert zip_centroids.get("55905-0001") == zip_centroids.get("55905")
    assert zip_centroids.get(" 55905 ") == zip_centroids.get("55905")
    assert zip_centroids.get("00000") is None
    assert zip_centroids.get("") is None
    assert zip_centroids.get("09001") is None  # military APO: no coordinates


def test_all_zips():
    zips = zip_centroids.all_zips()
    assert len(zips) > 40_000
    assert list(zips) == sorted(set(zips))
    assert all(len(z) == 5 and z.isdigit() for z in zips)
    _, lats, lons = zip_centroids.arrays()
    assert len(lats) == len(lons) == len(zips)
    assert not np.any((lats == 0) & (lons == 0))
    assert 17 < np.median(lats) < 50 and -125 < np.median(lons) < -65


def test_find_city_is_case_insensitive():
    found = dict(zip_centroids.find_city("rochester", "mn"))
    assert "55905" in found and "55901" in found
    assert all(c.state == "MN" for c in found.values())
    assert dict(zip_centroids.find_city("ROCHESTER", "MN")) == found
    assert zip_centroids.find_city("Rochester", "ZZ") == []
    assert {c.state for _, c in zip_centroids.find_city("Rochester")} >= {"MN", "NY"}


def test_find_city_uses_acceptable_names_and_abbreviations():
    row = next(r for r in zipcodes.list_all() if r["acceptable_cities"] and float(r["lat"] or 0) != 0)
    alternative = row["acceptable_cities"][0]
    assert row["zip_code"] in dict(zip_centroids.find_city(alternative.upper(), row["state"]))
    assert zip_centroids.zips_in_city("St. Paul", "MN") == zip_centroids.zips_in_city("saint paul", "MN")
    assert zip_centroids.zips_in_city("Saint Paul", "MN")


def test_population_proxy_concentrates_on_metros():
    weights = zip_centroids.population_proxy()
    assert set(weights) == set(zip_centroids.all_zips())
    assert min(weights.values()) >= 1  # a ZIP always counts itself
    assert weights["10001"] > 200  # Manhattan
    assert weights["90012"] > 100  # downtown Los Angeles
    assert weights["59001"] < 20  # Absarokee, Montana
    assert weights["10001"] > 10 * weights["55905"]


def test_neighbour_counts_match_brute_force():
    _, lats, lons = zip_centroids.arrays()
    counts = zip_centroids._neighbour_counts(lats, lons, 15.0)
    rng = np.random.default_rng(7)
    for i in rng.integers(len(lats), size=40):
        la1, lo1, la2, lo2 = map(np.radians, (lats[i], lons[i], lats, lons))
        a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
        exact = int((2 * zip_centroids.EARTH_RADIUS_MI * np.arcsin(np.sqrt(a)) <= 15.0).sum())
        assert abs(int(counts[i]) - exact) <= max(1, exact // 100), (i, counts[i], exact)
