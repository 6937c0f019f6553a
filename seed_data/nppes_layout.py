"""The column layout of the CMS NPPES Data Dissemination file (npidata_pfile_*.csv), 330 columns.

The importer finds columns by name, never by position; HEADER is here to write test fixtures in
the real file's exact layout and to name the columns the importer reads.
"""

from __future__ import annotations

TAXONOMY_SLOTS = 15
OTHER_IDENTIFIER_SLOTS = 50

NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
CREDENTIAL = "Provider Credential Text"
PRACTICE_LINE_1 = "Provider First Line Business Practice Location Address"
PRACTICE_LINE_2 = "Provider Second Line Business Practice Location Address"
PRACTICE_CITY = "Provider Business Practice Location Address City Name"
PRACTICE_STATE = "Provider Business Practice Location Address State Name"
PRACTICE_POSTAL_CODE = "Provider Business Practice Location Address Postal Code"
PRACTICE_PHONE = "Provider Business Practice Location Address Telephone Number"
DEACTIVATION_DATE = "NPI Deactivation Date"
REACTIVATION_DATE = "NPI Reactivation Date"
# CMS renamed the column in 2024; older files say "Provider Gender Code".
SEX_CODES = ("Provider Sex Code", "Provider Gender Code")


def taxonomy_code(slot: int) -> str:
    """Column of the slot-th (1-based) taxonomy code."""
    return f"Healthcare Provider Taxonomy Code_{slot}"


def primary_switch(slot: int) -> str:
    """Column of the slot-th primary-taxonomy switch ("Y", "N" or empty)."""
    return f"Healthcare Provider Primary Taxonomy Switch_{slot}"


_IDENTITY = (
    NPI,
    ENTITY_TYPE,
    "Replacement NPI",
    "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)",
    LAST_NAME,
    FIRST_NAME,
    "Provider Middle Name",
    "Provider Name Prefix Text",
    "Provider Name Suffix Text",
    CREDENTIAL,
    "Provider Other Organization Name",
    "Provider Other Organization Name Type Code",
    "Provider Other Last Name",
    "Provider Other First Name",
    "Provider Other Middle Name",
    "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text",
    "Provider Other Credential Text",
    "Provider Other Last Name Type Code",
    "Provider First Line Business Mailing Address",
    "Provider Second Line Business Mailing Address",
    "Provider Business Mailing Address City Name",
    "Provider Business Mailing Address State Name",
    "Provider Business Mailing Address Postal Code",
    "Provider Business Mailing Address Country Code (If outside U.S.)",
    "Provider Business Mailing Address Telephone Number",
    "Provider Business Mailing Address Fax Number",
    PRACTICE_LINE_1,
    PRACTICE_LINE_2,
    PRACTICE_CITY,
    PRACTICE_STATE,
    PRACTICE_POSTAL_CODE,
    "Provider Business Practice Location Address Country Code (If outside U.S.)",
    PRACTICE_PHONE,
    "Provider Business Practice Location Address Fax Number",
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Reason Code",
    DEACTIVATION_DATE,
    REACTIVATION_DATE,
    SEX_CODES[0],
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Telephone Number",
)
_TAXONOMIES = tuple(
    column
    for i in range(1, TAXONOMY_SLOTS + 1)
    for column in (
        taxonomy_code(i),
        f"Provider License Number_{i}",
        f"Provider License Number State Code_{i}",
        primary_switch(i),
    )
)
_OTHER_IDENTIFIERS = tuple(
    column
    for i in range(1, OTHER_IDENTIFIER_SLOTS + 1)
    for column in (
        f"Other Provider Identifier_{i}",
        f"Other Provider Identifier Type Code_{i}",
        f"Other Provider Identifier State_{i}",
        f"Other Provider Identifier Issuer_{i}",
    )
)
_TRAILER = (
    "Is Sole Proprietor",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Parent Organization TIN",
    "Authorized Official Name Prefix Text",
    "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
    *(f"Healthcare Provider Taxonomy Group_{i}" for i in range(1, TAXONOMY_SLOTS + 1)),
    "Certification Date",
)
HEADER: tuple[str, ...] = _IDENTITY + _TAXONOMIES + _OTHER_IDENTIFIERS + _TRAILER
# Every column the importer needs (the sex code is looked up under either of its names).
REQUIRED = (
    NPI,
    ENTITY_TYPE,
    LAST_NAME,
    FIRST_NAME,
    CREDENTIAL,
    PRACTICE_LINE_1,
    PRACTICE_LINE_2,
    PRACTICE_CITY,
    PRACTICE_STATE,
    PRACTICE_POSTAL_CODE,
    PRACTICE_PHONE,
    DEACTIVATION_DATE,
    REACTIVATION_DATE,
    *(taxonomy_code(i) for i in range(1, TAXONOMY_SLOTS + 1)),
    *(primary_switch(i) for i in range(1, TAXONOMY_SLOTS + 1)),
)
