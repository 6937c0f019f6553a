"""NUCC taxonomy table: codes exactly as NUCC publishes them, families and weights."""
from __future__ import annotations

import dataclasses

import pytest

from reference import nucc

# code -> (classification, specialization) exactly as in the NUCC code set.
NUCC_FACTS = {
    "207RX0202X": ("Internal Medicine", "Medical Oncology"),
    "207RH0003X": ("Internal Medicine", "Hematology & Oncology"),
    "207RH0000X": ("Internal Medicine", "Hematology"),
    "207RC0000X": ("Internal Medicine", "Cardiovascular Disease"),
    "207RE0101X": ("Internal Medicine", "Endocrinology, Diabetes & Metabolism"),
    "207RG0100X": ("Internal Medicine", "Gastroenterology"),
    "207RN0300X": ("Internal Medicine", "Nephrology"),
    "207RP1001X": ("Internal Medicine", "Pulmonary Disease"),
    "207RR0500X": ("Internal Medicine", "Rheumatology"),
    "2084N0400X": ("Psychiatry & Neurology", "Neurology"),
    "2084N0402X": ("Psychiatry & Neurology", "Neurology with Special Qualifications in Child Neurology"),
    "2084P0800X": ("Psychiatry & Neurology", "Psychiatry"),
    "207T00000X": ("Neurological Surgery", ""),
    "207X00000X": ("Orthopaedic Surgery", ""),
    "207XS0117X": ("Orthopaedic Surgery", "Orthopaedic Surgery of the Spine"),
    "208600000X": ("Surgery", ""),
    "2086X0206X": ("Surgery", "Surgical Oncology"),
    "2086S0129X": ("Surgery", "Vascular Surgery"),
    "208G00000X": ("Thoracic Surgery (Cardiothoracic Vascular Surgery)", ""),
    "208800000X": ("Urology", ""),
    "207V00000X": ("Obstetrics & Gynecology", ""),
    "207VX0201X": ("Obstetrics & Gynecology", "Gynecologic Oncology"),
    "207W00000X": ("Ophthalmology", ""),
    "207Y00000X": ("Otolaryngology", ""),
    "207N00000X": ("Dermatology", ""),
    "207ZP0102X": ("Pathology", "Anatomic Pathology & Clinical Pathology"),
    "2085R0202X": ("Radiology", "Diagnostic Radiology"),
    "2085R0001X": ("Radiology", "Radiation Oncology"),
    "207SG0201X": ("Medical Genetics", "Clinical Genetics (M.D.)"),
    "208000000X": ("Pediatrics", ""),
    "2080P0207X": ("Pediatrics", "Pediatric Hematology-Oncology"),
    "207Q00000X": ("Family Medicine", ""),
    "207R00000X": ("Internal Medicine", ""),
}
REQUIRED_FAMILIES = {
    "oncology", "hematology", "cardiology", "neurology", "neurosurgery", "orthopaedics", "rheumatology",
    "endocrinology", "gastroenterology", "nephrology", "pulmonology", "pathology", "radiology", "genetics",
    "pediatrics", "primary_care", "surgery",
}


def test_codes_are_unique_and_well_formed():
    codes = [t.code for t in nucc.TAXONOMIES]
    assert len(codes) == len(set(codes))
    assert 80 <= len(codes) <= 130
    assert all(nucc.CODE_PATTERN.fullmatch(c) for c in codes), [c for c in codes if not nucc.CODE_PATTERN.match(c)]
    # Allopathic & osteopathic physician codes all start with 20.
    assert all(c.startswith("20") for c in codes)


@pytest.mark.parametrize("code", sorted(NUCC_FACTS))
def test_key_codes_carry_nucc_names(code):
    taxonomy = nucc.get(code)
    assert taxonomy is not None
    assert (taxonomy.classification, taxonomy.specialization) == NUCC_FACTS[code]
    assert taxonomy.display


def test_medical_oncology_display_and_family():
    onc = nucc.get("207RX0202X")
    assert onc.display == "Medical Oncology"
    assert onc.family == "oncology"


def test_code_pattern_rejects_malformed_codes():
    for bad in ("207RX0202", "207RX0202Y", "207RX0202XX", "207rx0202x", "", "207-X0202X"):
        assert not nucc.CODE_PATTERN.fullmatch(bad), bad


def test_get_normalises_and_rejects():
    assert nucc.get(" 207rx0202x ") is nucc.get("207RX0202X")
    assert nucc.get("207RX0202") is None
    assert nucc.get("999999999X") is None
    assert nucc.is_known("2080P0207X")
    assert not nucc.is_known("163W00000X")  # registered nurse: not a physician specialty we list


def test_weights_are_positive_and_generalists_dominate():
    assert all(t.weight > 0 for t in nucc.TAXONOMIES)
    family_medicine, clinical_genetics = nucc.get("207Q00000X"), nucc.get("207SG0201X")
    assert family_medicine.weight > 50 * clinical_genetics.weight
    heaviest = max(nucc.TAXONOMIES, key=lambda t: t.weight)
    assert heaviest.family == "primary_care"


def test_families_cover_the_main_specialties():
    assert REQUIRED_FAMILIES <= set(nucc.FAMILIES)
    assert set(nucc.FAMILIES) == {t.family for t in nucc.TAXONOMIES}


def test_by_family_is_sorted_heaviest_first():
    oncology = nucc.by_family("oncology")
    assert {"207RX0202X", "207RH0003X", "2086X0206X"} <= {t.code for t in oncology}
    assert all(t.family == "oncology" for t in oncology)
    assert [t.weight for t in oncology] == sorted((t.weight for t in oncology), reverse=True)
    assert nucc.by_family("no-such-family") == ()


def test_taxonomy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        nucc.get("207RX0202X").weight = 1.0  # type: ignore[misc]
