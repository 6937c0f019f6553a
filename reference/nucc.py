"""NUCC Health Care Provider Taxonomy codes for the physician specialties SecondLook lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# A NUCC code is 9 alphanumerics and a closing "X" (e.g. 207RX0202X).
CODE_PATTERN = re.compile(r"^[0-9A-Z]{9}X$")

# The grouping every code below belongs to (NUCC "Grouping" column).
GROUPING = "Allopathic & Osteopathic Physicians"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """One NUCC taxonomy code with SecondLook's family key and a synthetic-mix weight."""

    code: str
    display: str
    classification: str
    specialization: str  # "" for classification-level codes, as NUCC leaves it blank
    family: str
    weight: float  # roughly thousands of active US physicians; only relative size matters


_IM, _PEDS, _SURG, _PN = "Internal Medicine", "Pediatrics", "Surgery", "Psychiatry & Neurology"
_ORTHO, _OBGYN, _OPH, _ENT = "Orthopaedic Surgery", "Obstetrics & Gynecology", "Ophthalmology", "Otolaryngology"
_PATH, _RAD, _GEN, _DERM = "Pathology", "Radiology", "Medical Genetics", "Dermatology"
_PMR, _URO = "Physical Medicine & Rehabilitation", "Urology"

# (code, display, classification, specialization, family, weight). Codes, classifications and
# specializations are NUCC's own spelling (v25/26); display and family are ours. Weights follow
# the rough shape of US workforce counts: generalists dominate, fellowship-only fields are small.
_ROWS: tuple[tuple[str, str, str, str, str, float], ...] = (
    # Generalists: large so a synthetic directory looks like the real one.
    ("207Q00000X", "Family Medicine", "Family Medicine", "", "primary_care", 118.0),
    ("207R00000X", "Internal Medicine", _IM, "", "primary_care", 120.0),
    ("208000000X", "Pediatrics", _PEDS, "", "primary_care", 60.0),
    # Cancer care.
    ("207RH0003X", "Hematology & Oncology", _IM, "Hematology & Oncology", "oncology", 16.0),
    ("207RX0202X", "Medical Oncology", _IM, "Medical Oncology", "oncology", 8.0),
    ("2085R0001X", "Radiation Oncology", _RAD, "Radiation Oncology", "oncology", 5.0),
    ("2086X0206X", "Surgical Oncology", _SURG, "Surgical Oncology", "oncology", 2.5),
    ("207VX0201X", "Gynecologic Oncology", _OBGYN, "Gynecologic Oncology", "oncology", 1.8),
    ("207RH0000X", "Hematology", _IM, "Hematology", "hematology", 3.0),
    # Internal medicine subspecialties.
    ("207RC0000X", "Cardiology", _IM, "Cardiovascular Disease", "cardiology", 22.0),
    ("207RI0011X", "Interventional Cardiology", _IM, "Interventional Cardiology", "cardiology", 4.5),
    ("207RC0001X", "Cardiac Electrophysiology", _IM, "Clinical Cardiac Electrophysiology", "cardiology", 2.5),
    (
        "207RA0001X",
        "Advanced Heart Failure & Transplant Cardiology",
        _IM,
        "Advanced Heart Failure and Transplant Cardiology",
        "cardiology",
        1.0,
    ),
    ("207RA0002X", "Adult Congenital Heart Disease", _IM, "Adult Congenital Heart Disease", "cardiology", 0.3),
    ("207RE0101X", "Endocrinology", _IM, "Endocrinology, Diabetes & Metabolism", "endocrinology", 8.0),
    ("207RG0100X", "Gastroenterology", _IM, "Gastroenterology", "gastroenterology", 15.0),
    ("207RI0008X", "Hepatology", _IM, "Hepatology", "gastroenterology", 1.0),
    ("207RT0003X", "Transplant Hepatology", _IM, "Transplant Hepatology", "gastroenterology", 0.6),
    ("207RN0300X", "Nephrology", _IM, "Nephrology", "nephrology", 11.0),
    ("207RP1001X", "Pulmonology", _IM, "Pulmonary Disease", "pulmonology", 13.0),
    ("207RS0012X", "Sleep Medicine", _IM, "Sleep Medicine", "pulmonology", 1.5),
    ("207RC0200X", "Critical Care Medicine", _IM, "Critical Care Medicine", "critical_care", 6.0),
    ("207RR0500X", "Rheumatology", _IM, "Rheumatology", "rheumatology", 6.0),
    ("207RI0200X", "Infectious Disease", _IM, "Infectious Disease", "infectious_disease", 9.0),
    ("207K00000X", "Allergy & Immunology", "Allergy & Immunology", "", "allergy_immunology", 4.5),
    ("207RG0300X", "Geriatric Medicine", _IM, "Geriatric Medicine", "geriatrics", 4.0),
    ("207RH0002X", "Hospice & Palliative Medicine", _IM, "Hospice and Palliative Medicine", "palliative_care", 3.0),
    # Neurology and neurosurgery.
    ("2084N0400X", "Neurology", _PN, "Neurology", "neurology", 14.0),
    (
        "2084N0402X",
        "Child Neurology",
        _PN,
        "Neurology with Special Qualifications in Child Neurology",
        "neurology",
        2.2,
    ),
    ("2084V0102X", "Vascular Neurology", _PN, "Vascular Neurology", "neurology", 1.5),
    ("2084N0008X", "Neuromuscular Medicine", _PN, "Neuromuscular Medicine", "neurology", 0.6),
    ("2084N0600X", "Clinical Neurophysiology", _PN, "Clinical Neurophysiology", "neurology", 1.2),
    ("2084A2900X", "Neurocritical Care", _PN, "Neurocritical Care", "neurology", 0.5),
    (
        "2084B0040X",
        "Behavioral Neurology & Neuropsychiatry",
        _PN,
        "Behavioral Neurology & Neuropsychiatry",
        "neurology",
        0.4,
    ),
    ("207T00000X", "Neurological Surgery", "Neurological Surgery", "", "neurosurgery", 6.0),
    # Orthopaedics.
    ("207X00000X", "Orthopaedic Surgery", _ORTHO, "", "orthopaedics", 19.0),
    ("207XS0117X", "Orthopaedic Spine Surgery", _ORTHO, "Orthopaedic Surgery of the Spine", "orthopaedics", 1.5),
    ("207XS0106X", "Orthopaedic Hand Surgery", _ORTHO, "Hand Surgery", "orthopaedics", 1.5),
    ("207XX0005X", "Orthopaedic Sports Medicine", _ORTHO, "Sports Medicine", "orthopaedics", 2.0),
    (
        "207XS0114X",
        "Adult Reconstructive Orthopaedic Surgery",
        _ORTHO,
        "Adult Reconstructive Orthopaedic Surgery",
        "orthopaedics",
        1.5,
    ),
    ("207XX0004X", "Orthopaedic Foot & Ankle Surgery", _ORTHO, "Foot and Ankle Surgery", "orthopaedics", 1.0),
    ("207XX0801X", "Orthopaedic Trauma", _ORTHO, "Orthopaedic Trauma", "orthopaedics", 0.8),
    ("207XP3100X", "Pediatric Orthopaedic Surgery", _ORTHO, "Pediatric Orthopaedic Surgery", "orthopaedics", 0.8),
    # General surgery and surgical specialties.
    ("208600000X", "General Surgery", _SURG, "", "surgery", 25.0),
    ("2086S0129X", "Vascular Surgery", _SURG, "Vascular Surgery", "surgery", 3.6),
    ("2086S0127X", "Trauma Surgery", _SURG, "Trauma Surgery", "surgery", 1.5),
    ("2086S0102X", "Surgical Critical Care", _SURG, "Surgical Critical Care", "surgery", 1.5),
    ("2086S0120X", "Pediatric Surgery", _SURG, "Pediatric Surgery", "surgery", 1.1),
    ("204F00000X", "Transplant Surgery", "Transplant Surgery", "", "surgery", 0.8),
    ("208C00000X", "Colon & Rectal Surgery", "Colon & Rectal Surgery", "", "surgery", 1.8),
    (
        "208G00000X",
        "Thoracic Surgery",
        "Thoracic Surgery (Cardiothoracic Vascular Surgery)",
        "",
        "cardiothoracic_surgery",
        4.5,
    ),
    ("208200000X", "Plastic Surgery", "Plastic Surgery", "", "plastic_surgery", 7.5),
    ("2082S0105X", "Hand Surgery (Plastic Surgery)", "Plastic Surgery", "Surgery of the Hand", "plastic_surgery", 0.4),
    ("208800000X", "Urology", _URO, "", "urology", 10.0),
    ("2088P0231X", "Pediatric Urology", _URO, "Pediatric Urology", "urology", 0.4),
    (
        "2088F0040X",
        "Urogynecology (Urology)",
        _URO,
        "Female Pelvic Medicine and Reconstructive Surgery",
        "urology",
        0.3,
    ),
    # Obstetrics & gynecology.
    ("207V00000X", "Obstetrics & Gynecology", _OBGYN, "", "obstetrics_gynecology", 43.0),
    ("207VG0400X", "Gynecology", _OBGYN, "Gynecology", "obstetrics_gynecology", 3.0),
    ("207VM0101X", "Maternal-Fetal Medicine", _OBGYN, "Maternal & Fetal Medicine", "obstetrics_gynecology", 1.5),
    (
        "207VE0102X",
        "Reproductive Endocrinology & Infertility",
        _OBGYN,
        "Reproductive Endocrinology",
        "obstetrics_gynecology",
        1.2,
    ),
    (
        "207VF0040X",
        "Urogynecology",
        _OBGYN,
        "Female Pelvic Medicine and Reconstructive Surgery",
        "obstetrics_gynecology",
        0.4,
    ),
    # Eye, ear, skin.
    ("207W00000X", "Ophthalmology", _OPH, "", "ophthalmology", 19.0),
    ("207WX0107X", "Retina Specialist", _OPH, "Retina Specialist", "ophthalmology", 2.5),
    ("207WX0009X", "Glaucoma Specialist", _OPH, "Glaucoma Specialist", "ophthalmology", 1.2),
    ("207WX0120X", "Cornea & External Diseases", _OPH, "Cornea and External Diseases Specialist", "ophthalmology", 0.9),
    ("207WX0109X", "Neuro-ophthalmology", _OPH, "Neuro-ophthalmology", "ophthalmology", 0.4),
    (
        "207WX0110X",
        "Pediatric Ophthalmology & Strabismus",
        _OPH,
        "Pediatric Ophthalmology and Strabismus Specialist",
        "ophthalmology",
        0.7,
    ),
    (
        "207WX0108X",
        "Uveitis & Ocular Inflammatory Disease",
        _OPH,
        "Uveitis and Ocular Inflammatory Disease",
        "ophthalmology",
        0.2,
    ),
    ("207WX0200X", "Oculoplastic Surgery", _OPH, "Ophthalmic Plastic and Reconstructive Surgery", "ophthalmology", 0.5),
    ("207Y00000X", "Otolaryngology (ENT)", _ENT, "", "otolaryngology", 10.0),
    ("207YX0901X", "Otology & Neurotology", _ENT, "Otology & Neurotology", "otolaryngology", 0.5),
    ("207YP0228X", "Pediatric Otolaryngology", _ENT, "Pediatric Otolaryngology", "otolaryngology", 0.6),
    ("207YS0123X", "Facial Plastic Surgery", _ENT, "Facial Plastic Surgery", "otolaryngology", 0.5),
    ("207N00000X", "Dermatology", _DERM, "", "dermatology", 13.0),
    ("207ND0101X", "Mohs Micrographic Surgery", _DERM, "MOHS-Micrographic Surgery", "dermatology", 1.5),
    ("207NP0225X", "Pediatric Dermatology", _DERM, "Pediatric Dermatology", "dermatology", 0.4),
    # Pathology: the second look at the slides is often the second opinion that matters most.
    (
        "207ZP0102X",
        "Anatomic & Clinical Pathology",
        _PATH,
        "Anatomic Pathology & Clinical Pathology",
        "pathology",
        10.0,
    ),
    ("207ZP0101X", "Anatomic Pathology", _PATH, "Anatomic Pathology", "pathology", 1.5),
    ("207ZH0000X", "Hematopathology", _PATH, "Hematology", "pathology", 0.8),
    ("207ZC0500X", "Cytopathology", _PATH, "Cytopathology", "pathology", 0.8),
    ("207ZD0900X", "Dermatopathology", _PATH, "Dermatopathology", "pathology", 0.6),
    ("207ZN0500X", "Neuropathology", _PATH, "Neuropathology", "pathology", 0.3),
    ("207ZP0007X", "Molecular Genetic Pathology", _PATH, "Molecular Genetic Pathology", "pathology", 0.3),
    ("207ZP0213X", "Pediatric Pathology", _PATH, "Pediatric Pathology", "pathology", 0.2),
    (
        "207ZB0001X",
        "Blood Banking & Transfusion Medicine",
        _PATH,
        "Blood Banking & Transfusion Medicine",
        "pathology",
        0.3,
    ),
    # Imaging.
    ("2085R0202X", "Diagnostic Radiology", _RAD, "Diagnostic Radiology", "radiology", 28.0),
    ("2085N0700X", "Neuroradiology", _RAD, "Neuroradiology", "radiology", 3.0),
    ("2085R0204X", "Interventional Radiology", _RAD, "Vascular & Interventional Radiology", "radiology", 3.5),
    ("2085N0904X", "Nuclear Radiology", _RAD, "Nuclear Radiology", "radiology", 0.4),
    ("2085P0229X", "Pediatric Radiology", _RAD, "Pediatric Radiology", "radiology", 1.0),
    ("207U00000X", "Nuclear Medicine", "Nuclear Medicine", "", "radiology", 1.5),
    # Medical genetics: small workforce, central to rare disease.
    ("207SG0201X", "Clinical Genetics", _GEN, "Clinical Genetics (M.D.)", "genetics", 0.7),
    ("207SG0202X", "Clinical Biochemical Genetics", _GEN, "Clinical Biochemical Genetics", "genetics", 0.15),
    ("207SG0203X", "Clinical Molecular Genetics", _GEN, "Clinical Molecular Genetics", "genetics", 0.15),
    ("207SC0300X", "Clinical Cytogenetics", _GEN, "Clinical Cytogenetics", "genetics", 0.1),
    ("207SM0001X", "Molecular Genetic Pathology (Genetics)", _GEN, "Molecular Genetic Pathology", "genetics", 0.1),
    # Pediatric subspecialties.
    ("2080P0207X", "Pediatric Hematology-Oncology", _PEDS, "Pediatric Hematology-Oncology", "pediatrics", 3.8),
    ("2080P0202X", "Pediatric Cardiology", _PEDS, "Pediatric Cardiology", "pediatrics", 3.0),
    ("2080P0206X", "Pediatric Gastroenterology", _PEDS, "Pediatric Gastroenterology", "pediatrics", 2.0),
    ("2080P0210X", "Pediatric Nephrology", _PEDS, "Pediatric Nephrology", "pediatrics", 0.9),
    ("2080P0205X", "Pediatric Endocrinology", _PEDS, "Pediatric Endocrinology", "pediatrics", 1.6),
    ("2080P0214X", "Pediatric Pulmonology", _PEDS, "Pediatric Pulmonology", "pediatrics", 1.3),
    ("2080P0216X", "Pediatric Rheumatology", _PEDS, "Pediatric Rheumatology", "pediatrics", 0.4),
    ("2080P0208X", "Pediatric Infectious Diseases", _PEDS, "Pediatric Infectious Diseases", "pediatrics", 1.3),
    ("2080P0201X", "Pediatric Allergy & Immunology", _PEDS, "Pediatric Allergy/Immunology", "pediatrics", 0.4),
    ("2080N0001X", "Neonatal-Perinatal Medicine", _PEDS, "Neonatal-Perinatal Medicine", "pediatrics", 6.0),
    ("2080P0203X", "Pediatric Critical Care", _PEDS, "Pediatric Critical Care Medicine", "pediatrics", 2.5),
    # Mind, rehabilitation, pain.
    ("2084P0800X", "Psychiatry", _PN, "Psychiatry", "psychiatry", 39.0),
    ("2084P0804X", "Child & Adolescent Psychiatry", _PN, "Child & Adolescent Psychiatry", "psychiatry", 9.0),
    ("2084P0805X", "Geriatric Psychiatry", _PN, "Geriatric Psychiatry", "psychiatry", 1.5),
    ("208100000X", "Physical Medicine & Rehabilitation", _PMR, "", "rehabilitation", 10.0),
    ("2081P0004X", "Spinal Cord Injury Medicine", _PMR, "Spinal Cord Injury Medicine", "rehabilitation", 0.4),
    ("207LP2900X", "Pain Medicine (Anesthesiology)", "Anesthesiology", "Pain Medicine", "pain_medicine", 4.0),
    (
        "208VP0014X",
        "Interventional Pain Medicine",
        "Pain Medicine",
        "Interventional Pain Medicine",
        "pain_medicine",
        1.5,
    ),
    ("2081P2900X", "Pain Medicine (PM&R)", _PMR, "Pain Medicine", "pain_medicine", 1.0),
)

TAXONOMIES: tuple[Taxonomy, ...] = tuple(Taxonomy(*row) for row in _ROWS)
_BY_CODE: dict[str, Taxonomy] = {t.code: t for t in TAXONOMIES}
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(t.family for t in TAXONOMIES))


def get(code: str) -> Taxonomy | None:
    """The taxonomy for a code (case-insensitive, surrounding space ignored), or None."""
    return _BY_CODE.get(code.strip().upper()) if isinstance(code, str) else None


def is_known(code: str) -> bool:
    """Whether SecondLook lists this NUCC code."""
    return get(code) is not None


@cache
def by_family(family: str) -> tuple[Taxonomy, ...]:
    """Every taxonomy in a family, heaviest (most common) first."""
    return tuple(sorted((t for t in TAXONOMIES if t.family == family), key=lambda t: (-t.weight, t.code)))
