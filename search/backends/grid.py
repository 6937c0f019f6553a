"""Where a segment's rows are: the geo grid's cell ranges for a circle, and distances as dot products."""

from __future__ import annotations

import math

import numpy as np

from reference.earth import EARTH_RADIUS_MI, distance_mi
from search.backends.segment import CELL_DEG, N_LAT, N_LON, Segment

R = EARTH_RADIUS_MI
BOUNDARY = 1e-9  # dot products this close to the radius are settled with the exact haversine


def unit_vector(lat: float, lon: float) -> np.ndarray:
    """The point on the unit sphere (x, y, z) of a latitude and longitude in degrees."""
    phi, lam = math.radians(lat), math.radians(lon)
    return np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])


def grid_ranges(lat: float, lon: float, radius_mi: float) -> list[tuple[int, int]]:
    """First and last+1 cell ids, per band of latitude, of the cells a circle can touch."""
    delta = radius_mi / R  # angular radius
    lat_lo, lat_hi = math.degrees(math.radians(lat) - delta), math.degrees(math.radians(lat) + delta)
    if lat_lo <= -90 or lat_hi >= 90 or math.sin(delta) >= math.cos(math.radians(lat)):
        lon_spans = [(0, N_LON - 1)]  # the cap reaches a pole: every longitude
    else:
        dlon = math.degrees(math.asin(math.sin(delta) / math.cos(math.radians(lat)))) + 1e-9
        lo, hi = int((lon - dlon + 180.0) // CELL_DEG), int((lon + dlon + 180.0) // CELL_DEG)
        if hi - lo >= N_LON - 1:
            lon_spans = [(0, N_LON - 1)]
        elif lo < 0:
            lon_spans = [(0, hi), (lo + N_LON, N_LON - 1)]
        elif hi >= N_LON:
            lon_spans = [(0, hi - N_LON), (lo, N_LON - 1)]
        else:
            lon_spans = [(lo, hi)]
    band_lo = max(0, int((max(lat_lo, -90.0) + 90.0) // CELL_DEG))
    band_hi = min(N_LAT - 1, int((min(lat_hi, 90.0) + 90.0) // CELL_DEG))
    return [(band * N_LON + lo, band * N_LON + hi + 1) for band in range(band_lo, band_hi + 1) for lo, hi in lon_spans]


INSIDE = 1e-8  # a cell whose corners all have dot products this far past the radius lies wholly inside
SLACK_DEG = 1e-9  # widens a band's span of longitude, as grid_ranges does, against rounding


def cell_runs(lat: float, lon: float, radius_mi: float) -> np.ndarray:
    """The cells a circle can touch as runs, one row each: (first cell, last+1, 1 if every cell of the
    run lies wholly inside the circle else 0).

    Each band of latitude spans only the longitudes the circle reaches within the band, not the whole
    bounding box: the circle's half-width in longitude grows from its southern tip to the latitude of
    its widest point and shrinks again, so its widest within a band is there or at the band's edge
    nearer to it. A cell spans a rectangle of latitude and longitude: along a parallel the distance
    to the centre grows with the difference in longitude, and along a meridian it has no maximum
    inside an edge shorter than half the globe, so a cell's farthest point is one of its corners.
    Rows of an inside cell need no distance test (search.backends.native). Caps that wrap around the
    antimeridian or reach a pole keep grid_ranges' cells, none marked inside: correct, only slower.
    """
    spans = grid_ranges(lat, lon, radius_mi)
    if (
        not spans
        or len({(start % N_LON, end - start) for start, end in spans}) != 1
        or spans[0][1] - spans[0][0] >= N_LON
    ):
        return np.array([(start, end, 0) for start, end in spans], dtype=np.int64).reshape(-1, 3)
    first_band = spans[0][0] // N_LON
    bands = np.arange(first_band, first_band + len(spans))
    delta, phi, lam = radius_mi / R, math.radians(lat), math.radians(lon)
    cos_r = math.cos(delta)
    # The circle's widest half-width in longitude within each band.
    south = np.maximum(np.radians(bands * CELL_DEG - 90.0), phi - delta)
    north = np.minimum(np.radians((bands + 1) * CELL_DEG - 90.0), phi + delta)
    widest = math.asin(max(-1.0, min(1.0, math.sin(phi) / cos_r)))
    at = np.clip(widest, south, north)
    cos_half = (cos_r - np.sin(at) * math.sin(phi)) / (np.cos(at) * math.cos(phi))
    half = np.degrees(np.arccos(np.clip(cos_half, -1.0, 1.0))) + SLACK_DEG
    box_lo = spans[0][0] % N_LON
    box_hi = box_lo + spans[0][1] - spans[0][0] - 1
    lo = np.clip(((lon - half + 180.0) // CELL_DEG).astype(np.int64), box_lo, box_hi)
    hi = np.clip(((lon + half + 180.0) // CELL_DEG).astype(np.int64), box_lo, box_hi)
    # Whether each cell of the box lies wholly inside, from its corners' dot products.
    lat_edges = np.radians(np.arange(first_band, first_band + len(spans) + 1) * CELL_DEG - 90.0)
    lon_edges = np.radians(np.arange(box_lo, box_hi + 2) * CELL_DEG - 180.0)
    corner = (
        np.sin(lat_edges)[:, None] * math.sin(phi)
        + np.cos(lat_edges)[:, None] * math.cos(phi) * np.cos(lon_edges - lam)[None, :]
    )
    low = np.minimum(np.minimum(corner[:-1, :-1], corner[:-1, 1:]), np.minimum(corner[1:, :-1], corner[1:, 1:]))
    inside = (low >= cos_r + INSIDE).astype(np.int64)  # (bands, cells of the box)
    cell = np.arange(box_lo, box_hi + 1)
    within = (cell[None, :] >= lo[:, None]) & (cell[None, :] <= hi[:, None])
    # Runs: a new one wherever a band starts or insideness changes, within each band's span.
    starts = within.copy()
    starts[:, 1:] &= (inside[:, 1:] != inside[:, :-1]) | ~within[:, :-1]
    band, col = np.nonzero(starts)
    ends = np.empty_like(col)
    ends[:-1] = col[1:]
    last = np.append(band[1:] != band[:-1], True)
    ends[last] = hi[band[last]] - box_lo + 1
    offset = bands[band] * N_LON + box_lo
    return np.stack([offset + col, offset + ends, inside[band, col]], axis=1)


def dot(seg: Segment, rows: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """cos(angle) between the point and each row's location."""
    u = np.take(seg.unit, rows, axis=0)  # whole rows (fancy indexing a 2-d array is several times slower)
    return u[:, 0] * unit[0] + u[:, 1] * unit[1] + u[:, 2] * unit[2]


def within(
    seg: Segment, rows: np.ndarray, dots: np.ndarray, point: tuple[float, float], radius_mi: float
) -> np.ndarray:
    """Which rows lie within the radius; rows at the boundary are decided by the exact haversine."""
    cos_r = math.cos(radius_mi / R)
    keep = dots >= cos_r
    edge = np.flatnonzero(np.abs(dots - cos_r) < BOUNDARY)
    if len(edge):  # as search.retrieval decides, to the last bit
        src = seg.source_row[rows[edge]]
        keep[edge] = [distance_mi(point[0], point[1], seg.t.lat[i], seg.t.lon[i]) <= radius_mi for i in src]
    return keep


def miles(seg: Segment, rows: np.ndarray, unit: np.ndarray, dots: np.ndarray | None) -> np.ndarray:
    """Great-circle miles to each row (dot products reused where already known, nan where not)."""
    if dots is None:
        dots = dot(seg, rows, unit)
    else:
        missing = np.isnan(dots)
        if missing.any():
            dots = dots.copy()
            dots[missing] = dot(seg, rows[missing], unit)
    return R * np.arccos(np.clip(dots, -1.0, 1.0))
