"""Where a segment's rows are: the geo grid's cell ranges for a circle, and distances as dot products."""

from __future__ import annotations

import math

import numpy as np

from reference.earth import EARTH_RADIUS_MI, distance_mi
from search.backends.native._scan import ffi
from search.backends.native._scan import lib as native
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
    The bands are worked out in C (native/scan.c: cell_runs): numpy's dozens of small operations cost
    more than the rest of a small match.
    """
    spans = grid_ranges(lat, lon, radius_mi)
    if (
        not spans
        or len({(start % N_LON, end - start) for start, end in spans}) != 1
        or spans[0][1] - spans[0][0] >= N_LON
    ):
        return np.array([(start, end, 0) for start, end in spans], dtype=np.int64).reshape(-1, 3)
    first_band, box_lo = divmod(spans[0][0], N_LON)
    width = spans[0][1] - spans[0][0]
    out = np.empty((len(spans) * width, 3), dtype=np.int64)
    n = native.cell_runs(
        lat,
        lon,
        radius_mi,
        _SHAPE,
        first_band,
        len(spans),
        box_lo,
        box_lo + width - 1,
        ffi.from_buffer("int64_t[]", out),
    )
    return out[:n]


_SHAPE = ffi.new(
    "struct grid_shape *",
    {"cell_deg": CELL_DEG, "n_lon": N_LON, "earth_radius_mi": R, "inside_margin": INSIDE, "slack_deg": SLACK_DEG},
)


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
