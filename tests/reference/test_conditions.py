"""Condition catalogue: lookup, search across ICD-10-CM and Orphanet, specialty mapping."""
from __future__ import annotations

import re

import pytest

from reference import conditions, nucc, specialty_map
from reference.conditions import ICD10CM, ORPHA

LEUKEMIA = re.compile(r"leuka?emia", re.I)
DERMATOLOGY = {t.code for t in nucc.by_family("dermatology")}


@pytest.fixture(scope="module")
def catalogue() -> list[conditions.Condition]:
    """Every condition of both systems (loads them once, ~3 s)."""
    conditions.warm()
    every = conditions.all_conditions()
    assert len(every) == len(conditions.all_conditions("ICD-10-CM")) + len(conditions.all_conditions("orpha"))
    return list(every)


def test_leukem_returns_icd_and_orpha_leukemias(catalogue):
    hits = conditions.search("leukem", limit=20)
    assert len(hits) == 20
    icd = [c for c in hits if c.system == ICD10CM]
    orpha = [c for c in hits if c.system == ORPHA]
    assert icd and orpha
    assert {"C91", "C92"} <= {c.group for c in icd}
    assert any(c.code.startswith(("C91", "C92")) for c in icd)
    assert all("leukem" in c.name.lower() for c in hits)
    # Interleaved: both systems are already in the first four.
    assert {c.system for c in hits[:4]} == {ICD10CM, ORPHA}
    # Broad categories come before their subcodes.
    depths = [len(c.code.replace(".", "")) for c in icd]
    assert depths == sorted(depths)


def test_search_by_code_prefix_and_filters(catalogue):
    c92 = conditions.search("C92", limit=10)
    assert c92[0].key == "ICD-10-CM:C92"
    assert all(c.code.startswith("C92") for c in c92)
    assert conditions.search("c92.0", limit=5)[0].code == "C92.0"
    assert conditions.search("ORPHA:520", limit=5)[0].code == "520"
    assert all(c.system == ORPHA for c in conditions.search("leukemia", system="orphanet"))
    assert all(c.system == ICD10CM for c in conditions.search("leukemia", system="ICD-10-CM"))
    assert conditions.search("   ") == []
    assert conditions.search("leukemia", limit=0) == []
    assert len(conditions.search("syndrome", limit=7)) == 7


def test_search_understands_lay_and_british_words(catalogue):
    assert "C50" in {c.code for c in conditions.search("breast cancer", limit=10)}
    assert [c.key for c in conditions.search("leukaemia")] == [c.key for c in conditions.search("leukemia")]
    assert any(c.system == ORPHA and "Sjögren" in c.name for c in conditions.search("sjogren"))


def test_lookup_normalises_codes(catalogue):
    dotted = conditions.lookup("ICD-10-CM", "C92.0")
    assert dotted is not None and dotted.name == "Acute myeloblastic leukemia"
    assert conditions.lookup("icd10cm", "c920") is dotted
    assert conditions.lookup("ICD-10-CM", " C92.0 ") is dotted
    assert conditions.lookup("ICD-10-CM", "C92").code == "C92"
    assert conditions.lookup("ORPHA", "ORPHA:520") is conditions.lookup("orphanet", " 520 ")
    assert conditions.lookup("ORPHA", "520").name == "Acute promyelocytic leukemia"
    assert conditions.lookup("ICD-10-CM", "C92.999") is None
    assert conditions.lookup("ORPHA", "not-a-code") is None
    assert conditions.lookup("SNOMED", "520") is None
    assert dotted.key == "ICD-10-CM:C92.0"
    assert conditions.lookup("ORPHA", "520").key == "ORPHA:520"


def test_groups(catalogue):
    assert conditions.group_of("ICD-10-CM", "C92.0") == "C92"
    assert conditions.group_of("ICD-10-CM", "C9200") == "C92"
    assert conditions.group_of("ICD-10-CM", "nope") is None
    apl = conditions.lookup("ORPHA", "520")
    # An Orphanet disease shares the group of its ICD-10-CM cross-reference, so ICD experts count.
    assert (apl.group, apl.icd_code) == ("C92", "C92.4")
    assert conditions.group_label(apl.group) == "Myeloid leukemia"
    unplaced = [c for c in catalogue if c.system == ORPHA and c.icd_code is None]
    assert unplaced and all(c.group == "ORPHA-GROUP:genetic" for c in unplaced)
    assert conditions.group_label("ORPHA-GROUP:genetic") == "Rare genetic disease"


def test_rarity(catalogue):
    assert conditions.is_rare("ORPHA", "520")
    assert conditions.is_rare("ORPHA")
    assert not conditions.is_rare("ICD-10-CM", "C92.0")
    assert conditions.lookup("ORPHA", "520").is_rare
    assert not conditions.lookup("ICD-10-CM", "C92.0").is_rare


def test_acute_promyelocytic_leukemia_goes_to_hematology(catalogue):
    specialties = conditions.specialties_for("ORPHA", "520")
    assert {"207RH0000X", "207RH0003X"} <= set(specialties)
    assert nucc.get(specialties[0]).family in {"hematology", "oncology"}
    assert conditions.specialties_for("ORPHA", "999999999") == ()


def test_no_leukemia_maps_to_dermatology(catalogue):
    leukemias = [c for c in catalogue if LEUKEMIA.search(c.name)]
    assert len(leukemias) > 50
    assert not [c.key for c in leukemias if DERMATOLOGY & set(c.specialties)]
    blood_cancers = [c for c in leukemias if c.system == ORPHA or "C91" <= c.group <= "C95"]
    assert all(nucc.get(c.specialties[0]).family in {"hematology", "oncology"} for c in blood_cancers)


def test_every_specialty_is_a_known_nucc_code(catalogue):
    distinct = {c.specialties for c in catalogue}
    assert all(specs for specs in distinct)
    unknown = {code for specs in distinct for code in specs if not nucc.is_known(code)}
    assert not unknown
    assert all(len(set(specs)) == len(specs) for specs in distinct)


def test_icd_ranges_cover_every_category(catalogue):
    ranges = specialty_map.ICD_RANGES
    assert all(a[0] <= a[1] < b[0] for a, b in zip(ranges, ranges[1:])), "ranges must be sorted and disjoint"
    categories = {c.group for c in catalogue if c.system == ICD10CM}
    assert not [g for g in categories if not any(lo <= g <= hi for lo, hi, _ in ranges)]
    # Every override names a real ICD-10-CM code, so none is silently dead.
    assert all(conditions.lookup(ICD10CM, code) for code in specialty_map.CODE_TREATERS)


@pytest.mark.parametrize("code, expected", [
    ("C50.911", "207RX0202X"),  # breast cancer: medical oncology first
    ("C71.9", "207T00000X"),  # brain tumour: neurosurgery first
    ("I50.9", "207RA0001X"),  # heart failure
    ("G35", "2084N0400X"),  # multiple sclerosis
    ("M05.9", "207RR0500X"),  # rheumatoid arthritis
    ("Q90.9", "207SG0201X"),  # Down syndrome: genetics
    ("E11.9", "207RE0101X"),  # type 2 diabetes
    ("N18.6", "207RN0300X"),  # end-stage renal disease
])
def test_icd_primary_specialty(catalogue, code, expected):
    assert conditions.specialties_for("ICD-10-CM", code)[0] == expected


def test_conditions_for_specialty(catalogue):
    hemonc = conditions.conditions_for_specialty("207RH0003X")
    assert conditions.lookup("ORPHA", "520") in hemonc
    assert conditions.lookup("ICD-10-CM", "C92.0") in hemonc
    assert hemonc[0].specialties[0] == "207RH0003X"
    derm = conditions.conditions_for_specialty("207N00000X")
    assert derm and not [c.key for c in derm if LEUKEMIA.search(c.name)]
    # 7th-character encounter codes describe visits, not expertise.
    assert not [c for c in conditions.conditions_for_specialty("207XX0801X") if len(c.code) == 8]
    rare = conditions.rare_conditions_for_specialty("207SG0201X")
    # Most rare diseases are genetic; the acquired ones (PBC, narcolepsy, sarcoidosis...) are not.
    assert 3000 < len(rare) < len(conditions.all_conditions(ORPHA)) and all(c.system == ORPHA for c in rare)
    assert conditions.conditions_for_specialty("207RH0003X", system="ORPHA") == \
        conditions.rare_conditions_for_specialty("207RH0003X")
    assert conditions.conditions_for_specialty("000000000X") == ()
    empty = [t.code for t in nucc.TAXONOMIES if not conditions.conditions_for_specialty(t.code)]
    assert not empty
