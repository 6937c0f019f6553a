"""State medical licensure: the Interstate Medical Licensure Compact (IMLC) member states.

A physician licensed in a member state can obtain licences in the other member states through the
Compact's expedited pathway. Membership as published by the IMLC Commission (imlcc.com) in 2025;
states that enacted the Compact but do not yet issue licences through it are left out.
"""

from __future__ import annotations

IMLC_STATES: frozenset[str] = frozenset(
    {
        "AL",
        "AZ",
        "CO",
        "CT",
        "DC",
        "DE",
        "GA",
        "IA",
        "ID",
        "IL",
        "IN",
        "KS",
        "KY",
        "LA",
        "MD",
        "ME",
        "MI",
        "MN",
        "MS",
        "MT",
        "NE",
        "NH",
        "NJ",
        "NV",
        "ND",
        "OH",
        "OK",
        "PA",
        "RI",
        "SD",
        "TN",
        "TX",
        "UT",
        "VA",
        "VT",
        "WA",
        "WI",
        "WV",
        "WY",
    }
)
