"""The directory and matching show the same distance for the same specialist: one Earth model."""
from __future__ import annotations

from reference import zip_centroids
from reference.earth import distance_mi
from tests.factories import make_specialist

HEMONC = "207RH0003X"
PHILADELPHIA = (39.9526, -75.1652)


def test_directory_and_matching_agree_on_the_distance(client, session):
    specialist = make_specialist(session, specialty=HEMONC, conditions=[("ORPHA", "520", 40)],
                                 lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], zip_code="19104")
    session.commit()
    directory = client.get(f"/v1/specialists?specialty={HEMONC}&zip=10001&radius_mi=200")
    assert directory.status_code == 200, directory.get_json()
    (listed,) = [item for item in directory.get_json()["items"] if item["id"] == specialist.id]
    match = client.post("/v1/matches", json={"conditions": [{"system": "ORPHA", "code": "520"}], "zip": "10001",
                                             "max_distance_mi": 200})
    assert match.status_code == 200, match.get_json()
    (candidate,) = [c for c in match.get_json()["candidates"] if c["specialist"]["id"] == specialist.id]

    centroid = zip_centroids.get("10001")
    expected = distance_mi(centroid.lat, centroid.lon, *PHILADELPHIA)
    assert listed["distance_mi"] == round(expected, 2)
    assert candidate["location"]["distance_mi"] == round(expected, 1) == round(listed["distance_mi"], 1)
