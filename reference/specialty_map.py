"""Which NUCC specialties treat an ICD-10-CM code: primary and secondary treaters, by its place in ICD-10-CM."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from reference import nucc

# NUCC codes by short name (all listed in reference.nucc; a test keeps them in step).
FM, IM, PEDS = "207Q00000X", "207R00000X", "208000000X"
HEMONC, MEDONC, RADONC, SURGONC, GYNONC, HEM = (
    "207RH0003X",
    "207RX0202X",
    "2085R0001X",
    "2086X0206X",
    "207VX0201X",
    "207RH0000X",
)
CARD, INTCARD, EP, HF, ACHD = "207RC0000X", "207RI0011X", "207RC0001X", "207RA0001X", "207RA0002X"
ENDO, GI, HEPAT, TXHEP, NEPH = "207RE0101X", "207RG0100X", "207RI0008X", "207RT0003X", "207RN0300X"
PULM, SLEEP, CCM, RHEUM, ID, ALLERGY, GERI = (
    "207RP1001X",
    "207RS0012X",
    "207RC0200X",
    "207RR0500X",
    "207RI0200X",
    "207K00000X",
    "207RG0300X",
)
NEURO, CHILDNEURO, VASCNEURO, NMUSC, NEUROPHYS, BEHAVNEURO = (
    "2084N0400X",
    "2084N0402X",
    "2084V0102X",
    "2084N0008X",
    "2084N0600X",
    "2084B0040X",
)
NSURG = "207T00000X"
ORTHO, SPINE, HAND, SPORTS, RECON, FOOT, OTRAUMA, PEDORTHO = (
    "207X00000X",
    "207XS0117X",
    "207XS0106X",
    "207XX0005X",
    "207XS0114X",
    "207XX0004X",
    "207XX0801X",
    "207XP3100X",
)
SURG, VASC, TRAUMA, PEDSURG, TXSURG, COLORECTAL, THORACIC, PLASTIC = (
    "208600000X",
    "2086S0129X",
    "2086S0127X",
    "2086S0120X",
    "204F00000X",
    "208C00000X",
    "208G00000X",
    "208200000X",
)
URO, PEDURO, OBGYN, GYN, MFM, REI, UROGYN = (
    "208800000X",
    "2088P0231X",
    "207V00000X",
    "207VG0400X",
    "207VM0101X",
    "207VE0102X",
    "207VF0040X",
)
OPH, RETINA, GLAUCOMA, CORNEA, NEUROOPH, PEDOPH, UVEITIS, OCULOPLASTIC = (
    "207W00000X",
    "207WX0107X",
    "207WX0009X",
    "207WX0120X",
    "207WX0109X",
    "207WX0110X",
    "207WX0108X",
    "207WX0200X",
)
ENT, OTOLOGY, PEDENT, DERM, MOHS, PEDDERM = (
    "207Y00000X",
    "207YX0901X",
    "207YP0228X",
    "207N00000X",
    "207ND0101X",
    "207NP0225X",
)
HEMEPATH, DERMPATH, NEUROPATH, APCP = "207ZH0000X", "207ZD0900X", "207ZN0500X", "207ZP0102X"
DXRAD, NEURORAD, IR, NUCMED = "2085R0202X", "2085N0700X", "2085R0204X", "207U00000X"
GENETICS, BIOCHEMGEN, CYTOGEN = "207SG0201X", "207SG0202X", "207SC0300X"
PEDHEMONC, PEDCARD, PEDGI, PEDNEPH, PEDENDO, PEDPULM, PEDRHEUM, PEDID, PEDALLERGY, NEONATAL = (
    "2080P0207X",
    "2080P0202X",
    "2080P0206X",
    "2080P0210X",
    "2080P0205X",
    "2080P0214X",
    "2080P0216X",
    "2080P0208X",
    "2080P0201X",
    "2080N0001X",
)
PSYCH, CHILDPSYCH, GERIPSYCH, PMR, SCI, PAIN, IPAIN, PMRPAIN = (
    "2084P0800X",
    "2084P0804X",
    "2084P0805X",
    "208100000X",
    "2081P0004X",
    "207LP2900X",
    "208VP0014X",
    "2081P2900X",
)
PALLIATIVE, NEUROCRIT, SCC, PICU, PLASTICHAND, UROFPM, FACIALPLASTIC = (
    "207RH0002X",
    "2084A2900X",
    "2086S0102X",
    "2080P0203X",
    "2082S0105X",
    "2088F0040X",
    "207YS0123X",
)
AP, CYTO, MGP, PEDPATH, BLOODBANK, NUCRAD, PEDRAD, MOLGEN, GENMGP = (
    "207ZP0101X",
    "207ZC0500X",
    "207ZP0007X",
    "207ZP0213X",
    "207ZB0001X",
    "2085N0904X",
    "2085P0229X",
    "207SG0203X",
    "207SM0001X",
)

# The paediatric board of an adult specialty (ABP subboards, child neurology, child psychiatry...).
# Every treater list gains the twin of each member in the same tier, so that a child and an adult
# with the same condition both find someone; choosing by the patient's age is the matcher's job.
PAEDIATRIC_TWIN: dict[str, str] = {
    HEMONC: PEDHEMONC,
    HEM: PEDHEMONC,
    MEDONC: PEDHEMONC,
    NEURO: CHILDNEURO,
    NMUSC: CHILDNEURO,
    RHEUM: PEDRHEUM,
    CARD: PEDCARD,
    HF: PEDCARD,
    ACHD: PEDCARD,
    GI: PEDGI,
    HEPAT: PEDGI,
    NEPH: PEDNEPH,
    ENDO: PEDENDO,
    PULM: PEDPULM,
    ID: PEDID,
    ALLERGY: PEDALLERGY,
    DERM: PEDDERM,
    OPH: PEDOPH,
    ENT: PEDENT,
    URO: PEDURO,
    ORTHO: PEDORTHO,
    SURG: PEDSURG,
    PSYCH: CHILDPSYCH,
    IM: PEDS,
    CCM: PICU,
    DXRAD: PEDRAD,
    AP: PEDPATH,
}

# Codes of the pathology and radiology classifications whose physicians treat: radiation oncology,
# therapeutic radiology, interventional radiology (embolisation, ablation, TACE), nuclear radiology
# (radionuclide therapy: I-131, Lu-177), hospice and palliative medicine, and transfusion medicine
# (therapeutic apheresis, red-cell exchange in sickle cell disease).
TREATING_READERS = frozenset({RADONC, "2085R0203X", IR, NUCRAD, "2085H0002X", BLOODBANK})


def is_diagnostic(code: str) -> bool:
    """Whether a NUCC specialty makes or reviews a diagnosis rather than treats: pathology (207Z...)
    and diagnostic imaging (2085...), less the codes of either that treat."""
    return code.startswith(("207Z", "2085")) and code not in TREATING_READERS


# Every listed specialty that reads slides or images (hematopathology, neuropathology, neuroradiology...).
DIAGNOSTIC_SPECIALTIES = frozenset(t.code for t in nucc.TAXONOMIES if is_diagnostic(t.code))
# Specialties that only treat a diagnosis already made: a radiation oncologist plans and gives
# radiation for a known cancer, and neither makes nor reviews the diagnosis (ABR's scope of Radiation
# Oncology: treating cancer with ionising radiation; NCI PDQ Plasma Cell Neoplasms: radiation for a
# plasmacytoma or palliation). For an unclear diagnosis they share the care at most (search.case).
TREATMENT_ONLY_SPECIALTIES = frozenset({RADONC})


@dataclass(frozen=True, slots=True)
class Treaters:
    """Who treats a condition: primary treaters first, then specialties that share the care."""

    primary: tuple[str, ...]
    secondary: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Primary then secondary NUCC codes, without repeats."""
        return tuple(dict.fromkeys((*self.primary, *self.secondary)))

    def with_paediatric(self) -> Treaters:
        """The same treaters plus each one's paediatric twin, in the same tier."""
        primary = _with_twins(self.primary)
        return Treaters(primary, tuple(c for c in _with_twins(self.secondary) if c not in primary))

    def refined(self, extra: tuple[str, ...]) -> Treaters:
        """Extra secondary treaters (an organ system's specialists); they never become primary."""
        return Treaters(
            self.primary, tuple(dict.fromkeys(c for c in (*self.secondary, *extra) if c not in self.primary))
        )


def _with_twins(codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for code in codes for c in (code, PAEDIATRIC_TWIN.get(code)) if c))


T = Treaters
ONCOLOGY = (MEDONC, HEMONC)
BLOOD_CANCER = T((HEMONC, HEM), (MEDONC, HEMEPATH))

# ICD-10-CM 3-character category ranges, inclusive, sorted by start and not overlapping, so one
# bisect finds the range. Every chapter is covered. String order matches ICD order ("C7A" > "C79").
# The ranges follow ICD-10-CM's blocks (C69-C72 eye/brain/CNS, C81-C96 lymphoid and haematopoietic,
# M30-M36 systemic connective tissue...); the primary treaters are the board whose scope names the
# block (ABIM, ABPN, ABS, ABP, ABOG, ABO, ABOto, ABD, ABU, ABMGG), secondaries share the care.
ICD_RANGES: tuple[tuple[str, str, Treaters], ...] = (
    ("A00", "B14", T((ID,))),
    ("B15", "B19", T((HEPAT, GI, ID), (TXHEP,))),
    ("B20", "B99", T((ID,))),
    ("C00", "C14", T((ENT, MEDONC, RADONC), (SURGONC,))),
    ("C15", "C15", T((MEDONC, THORACIC, RADONC), (GI,))),
    ("C16", "C17", T((MEDONC, SURGONC), (GI, RADONC))),
    ("C18", "C21", T((MEDONC, COLORECTAL, SURGONC), (RADONC, GI))),
    ("C22", "C24", T((MEDONC, SURGONC, HEPAT), (TXSURG, RADONC, IR))),
    ("C25", "C26", T((MEDONC, SURGONC), (GI, RADONC))),
    ("C30", "C32", T((ENT, RADONC, MEDONC))),
    ("C33", "C39", T((MEDONC, THORACIC, RADONC), (PULM,))),
    # Sarcoma: the diagnosis itself is often the question; an expert's second reading modified more
    # than 40% of first diagnoses (Ray-Coquard et al., Ann Oncol 2012;23:2442-9), so pathology shares
    # the care (ranked first for an unclear diagnosis, after every treater otherwise: search.case).
    ("C40", "C41", T((MEDONC, ORTHO, SURGONC), (RADONC, APCP, AP))),
    ("C43", "C43", T((MEDONC, DERM, SURGONC), (DERMPATH,))),
    ("C44", "C44", T((DERM, MOHS), (DERMPATH, RADONC))),
    # Mesothelioma: multimodality care led by thoracic surgery and medical oncology (resection, systemic
    # therapy); radiation is adjuvant or palliative (NCCN Guidelines: Mesothelioma: Pleural; NCI PDQ
    # Malignant Mesothelioma Treatment). Peritoneal mesothelioma has its own override below.
    ("C45", "C45", T((THORACIC, MEDONC), (RADONC, PULM))),
    ("C46", "C46", T((MEDONC, DERM), (ID,))),
    ("C47", "C47", T((PEDHEMONC, MEDONC), (NSURG, PEDSURG))),
    ("C48", "C49", T((MEDONC, SURGONC, ORTHO), (RADONC, APCP, AP))),
    ("C4A", "C4A", T((DERM, MEDONC), (RADONC, SURGONC))),
    ("C50", "C50", T((MEDONC, SURGONC, RADONC), (PLASTIC,))),
    ("C51", "C58", T((GYNONC, MEDONC, RADONC), (OBGYN,))),
    ("C60", "C68", T((URO, MEDONC, RADONC))),
    ("C69", "C69", T((RETINA, OPH, MEDONC), (RADONC,))),
    ("C70", "C72", T((NSURG, MEDONC, RADONC, NEURO), (NEUROPATH, NEURORAD))),
    ("C73", "C75", T((ENDO, SURGONC, ENT), (NUCMED, NUCRAD, MEDONC))),
    ("C76", "C79", T((MEDONC, HEMONC, RADONC), (PALLIATIVE,))),
    ("C7A", "C7B", T((MEDONC, SURGONC), (GI, ENDO))),
    ("C80", "C80", T((MEDONC, HEMONC), (RADONC,))),
    ("C81", "C90", T((HEMONC, MEDONC, HEM), (HEMEPATH, RADONC))),
    ("C91", "C95", BLOOD_CANCER),
    ("C96", "C96", T((HEMONC, HEM, MEDONC), (HEMEPATH,))),
    ("D00", "D02", T((MEDONC, SURGONC), (GI,))),
    ("D03", "D04", T((DERM, MOHS), (DERMPATH,))),
    ("D05", "D05", T((SURGONC, MEDONC, RADONC))),
    ("D06", "D06", T((GYNONC, OBGYN))),
    ("D07", "D07", T((GYNONC, URO))),
    ("D09", "D09", T((MEDONC, SURGONC))),
    ("D10", "D13", T((GI, SURG))),
    ("D14", "D15", T((PULM, ENT, THORACIC))),
    ("D16", "D16", T((ORTHO,))),
    ("D17", "D23", T((DERM, SURG))),
    ("D24", "D24", T((SURG, SURGONC))),
    ("D25", "D28", T((OBGYN, GYN))),
    ("D29", "D30", T((URO,))),
    ("D31", "D31", T((OPH, RETINA))),
    ("D32", "D33", T((NSURG, NEURO), (RADONC,))),
    ("D34", "D35", T((ENDO, NSURG, ENT))),
    ("D36", "D36", T((SURG, MEDONC))),
    ("D37", "D39", T((MEDONC, SURGONC), (AP,))),
    ("D3A", "D3A", T((MEDONC, SURGONC), (GI, ENDO))),
    ("D40", "D44", T((MEDONC, SURGONC), (AP,))),
    ("D45", "D47", T((HEMONC, HEM), (HEMEPATH, MGP))),
    ("D48", "D49", T((MEDONC, SURGONC))),
    ("D50", "D77", T((HEM, HEMONC))),
    ("D78", "D78", T((SURG,), (IM,))),
    ("D80", "D84", T((ALLERGY,), (ID,))),
    ("D86", "D86", T((PULM,), (RHEUM,))),
    ("D89", "D89", T((ALLERGY, RHEUM))),
    ("E00", "E07", T((ENDO,), (ENT,))),
    ("E08", "E13", T((ENDO,))),
    ("E15", "E35", T((ENDO,))),
    ("E36", "E36", T((SURG,))),
    ("E40", "E68", T((ENDO, GI), (IM,))),
    ("E70", "E83", T((BIOCHEMGEN, GENETICS))),
    ("E84", "E84", T((PULM,), (GI, GENETICS))),
    ("E85", "E85", T((HEM, CARD), (NEPH, NEURO))),
    ("E86", "E87", T((NEPH,))),
    ("E88", "E88", T((BIOCHEMGEN, GENETICS), (ENDO,))),
    ("E89", "E89", T((ENDO,))),
    ("F01", "F03", T((NEURO, BEHAVNEURO, GERIPSYCH), (GERI,))),
    ("F04", "F79", T((PSYCH,), (GERIPSYCH,))),
    ("F80", "F98", T((CHILDPSYCH, CHILDNEURO), (PEDS,))),
    ("F99", "F99", T((PSYCH,))),
    ("G00", "G09", T((ID, NEURO), (NSURG,))),
    ("G10", "G14", T((NEURO, NMUSC), (GENETICS, PALLIATIVE))),
    ("G20", "G26", T((NEURO,), (NSURG,))),
    ("G30", "G32", T((NEURO, BEHAVNEURO), (GERIPSYCH, GERI))),
    ("G35", "G37", T((NEURO,))),
    ("G40", "G41", T((NEURO, NEUROPHYS), (NSURG,))),
    ("G43", "G44", T((NEURO,))),
    ("G45", "G46", T((VASCNEURO, NEURO))),
    ("G47", "G47", T((SLEEP, NEURO), (PULM,))),
    ("G50", "G59", T((NEURO, NMUSC), (NSURG,))),
    ("G60", "G73", T((NEURO, NMUSC), (NEUROPHYS,))),
    ("G80", "G83", T((CHILDNEURO, PMR, NEURO))),
    ("G89", "G89", T((PAIN, IPAIN, PMRPAIN), (PMR,))),
    ("G90", "G99", T((NEURO,), (NSURG,))),
    ("H00", "H05", T((OCULOPLASTIC, OPH))),
    ("H10", "H22", T((OPH, CORNEA, UVEITIS))),
    ("H25", "H28", T((OPH,))),
    ("H30", "H36", T((RETINA, OPH))),
    ("H40", "H44", T((GLAUCOMA, OPH), (RETINA,))),
    ("H46", "H48", T((NEUROOPH, OPH), (NEURO,))),
    ("H49", "H52", T((PEDOPH, OPH))),
    ("H53", "H59", T((OPH,), (NEUROOPH,))),
    ("H60", "H95", T((ENT, OTOLOGY))),
    ("I00", "I09", T((CARD,))),
    ("I10", "I1A", T((CARD,), (NEPH, IM))),
    ("I20", "I25", T((CARD, INTCARD), (THORACIC,))),
    ("I26", "I28", T((PULM, CARD))),
    ("I30", "I43", T((CARD, HF), (THORACIC,))),
    ("I44", "I49", T((EP, CARD))),
    ("I50", "I5A", T((HF, CARD))),
    ("I60", "I69", T((VASCNEURO, NEURO), (NSURG, NEURORAD, NEUROCRIT))),
    ("I70", "I79", T((VASC,), (IR, CARD))),
    ("I80", "I82", T((HEM, VASC))),
    ("I83", "I89", T((VASC,), (IR,))),
    ("I95", "I99", T((CARD,), (IM,))),
    ("J00", "J06", T((ENT,), (FM,))),
    ("J09", "J18", T((PULM, ID))),
    ("J20", "J22", T((PULM,), (FM,))),
    ("J30", "J39", T((ENT, ALLERGY))),
    ("J40", "J4A", T((PULM,))),
    ("J60", "J84", T((PULM,), (RHEUM,))),
    ("J85", "J94", T((PULM, THORACIC))),
    ("J95", "J99", T((PULM,), (CCM,))),
    ("K00", "K14", T((ENT,), (PLASTIC,))),
    ("K20", "K31", T((GI,), (SURG,))),
    ("K35", "K46", T((SURG,))),
    ("K50", "K52", T((GI,), (COLORECTAL,))),
    ("K55", "K59", T((GI,), (COLORECTAL,))),
    ("K60", "K64", T((COLORECTAL,), (GI,))),
    ("K65", "K68", T((SURG,), (GI,))),
    ("K70", "K77", T((HEPAT, GI), (TXHEP,))),
    ("K80", "K87", T((GI,), (SURG,))),
    ("K90", "K95", T((GI,), (SURG,))),
    ("L00", "L99", T((DERM,), (DERMPATH,))),
    ("M00", "M03", T((RHEUM, ORTHO), (ID,))),
    ("M04", "M14", T((RHEUM,))),
    ("M15", "M19", T((RECON, ORTHO), (RHEUM,))),
    ("M1A", "M1A", T((RHEUM,))),
    ("M20", "M25", T((ORTHO, SPORTS), (FOOT, HAND))),
    ("M26", "M27", T((ENT,), (PLASTIC,))),
    ("M30", "M36", T((RHEUM,), (NEPH, DERM))),
    ("M40", "M54", T((SPINE, NSURG), (PMR, PAIN, IPAIN, PMRPAIN))),
    ("M60", "M63", T((RHEUM, NMUSC))),
    ("M65", "M67", T((HAND, SPORTS, ORTHO), (PLASTICHAND,))),
    ("M70", "M79", T((RHEUM, SPORTS), (PMR,))),
    ("M80", "M85", T((ENDO, RHEUM))),
    ("M86", "M90", T((ORTHO, ID))),
    ("M91", "M94", T((PEDORTHO, ORTHO))),
    ("M95", "M99", T((ORTHO,), (PMR,))),
    ("N00", "N16", T((NEPH,), (RHEUM,))),
    ("N17", "N19", T((NEPH,), (TXSURG,))),
    ("N20", "N23", T((URO,), (NEPH,))),
    ("N25", "N29", T((NEPH,))),
    ("N30", "N39", T((URO,), (UROGYN, UROFPM))),
    ("N40", "N53", T((URO,))),
    ("N60", "N65", T((SURG, SURGONC), (OBGYN,))),
    ("N70", "N77", T((OBGYN, GYN))),
    ("N80", "N96", T((GYN, OBGYN), (REI, UROGYN))),
    ("N97", "N97", T((REI,), (OBGYN,))),
    ("N98", "N99", T((OBGYN,), (URO,))),
    ("O00", "O9A", T((MFM, OBGYN))),
    ("P00", "P96", T((NEONATAL,), (PEDS,))),
    ("Q00", "Q07", T((CHILDNEURO, NSURG), (GENETICS,))),
    ("Q10", "Q15", T((PEDOPH, OPH), (GENETICS,))),
    ("Q16", "Q18", T((ENT,), (GENETICS,))),
    ("Q20", "Q28", T((PEDCARD, ACHD), (THORACIC, GENETICS))),
    ("Q30", "Q34", T((PEDPULM, ENT), (GENETICS,))),
    ("Q35", "Q37", T((PLASTIC, ENT), (FACIALPLASTIC, GENETICS))),
    ("Q38", "Q45", T((PEDGI, PEDSURG), (GENETICS,))),
    ("Q50", "Q56", T((PEDURO, OBGYN), (GENETICS,))),
    ("Q60", "Q64", T((PEDURO, PEDNEPH), (GENETICS,))),
    ("Q65", "Q79", T((PEDORTHO, ORTHO), (GENETICS,))),
    ("Q80", "Q84", T((DERM,), (GENETICS,))),
    ("Q85", "Q89", T((GENETICS,))),
    ("Q90", "Q99", T((GENETICS, CYTOGEN))),
    ("QA0", "QA0", T((GENETICS, CHILDNEURO), (MOLGEN,))),
    ("R00", "R09", T((IM,), (CARD, PULM))),
    ("R10", "R19", T((GI,), (IM,))),
    ("R20", "R23", T((DERM,), (IM,))),
    ("R25", "R29", T((NEURO,), (IM,))),
    ("R30", "R39", T((URO,), (IM,))),
    ("R40", "R49", T((NEURO,), (PSYCH, IM))),
    ("R50", "R69", T((IM, FM))),
    ("R70", "R79", T((HEM,), (IM,))),
    ("R80", "R82", T((NEPH,), (IM,))),
    ("R83", "R89", T((APCP, AP), (CYTO, IM))),
    ("R90", "R94", T((DXRAD,), (NUCRAD, IM))),
    ("R95", "R99", T((IM, FM))),
    ("S00", "S09", T((NSURG, ENT), (PLASTIC, FACIALPLASTIC, NEUROCRIT))),
    ("S10", "S19", T((SPINE, NSURG), (SCI,))),
    ("S20", "S29", T((THORACIC, TRAUMA))),
    ("S30", "S39", T((TRAUMA,), (SPINE, URO))),
    ("S40", "S59", T((OTRAUMA, ORTHO), (SPORTS,))),
    ("S60", "S69", T((HAND, ORTHO), (PLASTICHAND,))),
    ("S70", "S79", T((OTRAUMA, ORTHO), (RECON,))),
    ("S80", "S89", T((SPORTS, OTRAUMA, ORTHO))),
    ("S90", "S99", T((FOOT, ORTHO))),
    ("T07", "T19", T((TRAUMA, SURG), (SCC,))),
    ("T20", "T34", T((PLASTIC, SURG), (SCC,))),
    ("T36", "T65", T((CCM,), (IM,))),
    ("T66", "T77", T((IM, FM))),
    ("T78", "T78", T((ALLERGY,))),
    ("T79", "T85", T((SURG,), (ID,))),
    ("T86", "T86", T((TXSURG, NEPH, TXHEP), (ID,))),
    ("T87", "T88", T((SURG,), (IM,))),
    ("U00", "U85", T((ID, PULM))),
    ("V00", "Y99", T((FM, IM), (TRAUMA,))),
    ("Z00", "Z13", T((FM, IM))),
    ("Z14", "Z15", T((GENETICS, MOLGEN), (GENMGP, MGP, MEDONC))),
    ("Z16", "Z29", T((ID,), (FM,))),
    ("Z30", "Z3A", T((OBGYN,), (MFM, REI))),
    ("Z40", "Z53", T((FM, IM), (PALLIATIVE,))),
    ("Z55", "Z79", T((FM, IM))),
    ("Z80", "Z84", T((GENETICS,), (FM,))),
    ("Z85", "Z86", T((MEDONC,), (IM,))),
    ("Z87", "Z93", T((FM, IM))),
    ("Z94", "Z94", T((TXSURG, NEPH, TXHEP))),
    ("Z95", "Z99", T((IM, FM))),
)
_STARTS = [start for start, _, _ in ICD_RANGES]
# Fallback for a category no range names (e.g. a code added in a later release).
GENERALISTS = T((IM, FM))

# Where a category or subcategory inside a block has its own board: the few codes whose treaters
# the block does not name. Keyed by code prefix; the longest matching prefix wins.
CODE_TREATERS: dict[str, Treaters] = {
    "C69.2": T((PEDHEMONC, RETINA, OPH), (RADONC,)),  # retinoblastoma: a childhood cancer (NCI PDQ)
    "C45.1": T((SURGONC, MEDONC), (GI,)),  # peritoneal mesothelioma: cytoreduction and HIPEC (NCCN Peritoneal)
    "C64": T((URO, MEDONC), (RADONC, PEDHEMONC, PEDSURG)),  # kidney: includes Wilms tumour
    "C74": T((SURGONC, ENDO, MEDONC), (PEDHEMONC, PEDSURG)),  # adrenal: includes neuroblastoma
    "D57": T((HEM, HEMONC), (BLOODBANK,)),  # sickle cell disease: chronic transfusion (NHLBI)
    "D61": T((HEM, HEMONC), (HEMEPATH,)),  # aplastic anaemia: haematology, transplant
    "D66": T((HEM,), (HEMONC,)),
    "D67": T((HEM,), (HEMONC,)),  # haemophilia: treatment centres are haematology
    "D68": T((HEM,), (HEMONC,)),
    "D84.1": T((ALLERGY,), (GENETICS,)),  # hereditary angioedema: complement, not infection
    "E75.22": T((GENETICS, BIOCHEMGEN, HEM), (HEMONC,)),  # Gaucher: lysosomal storage, marrow and spleen
    "E75.2": T((BIOCHEMGEN, GENETICS), (NEURO,)),  # other sphingolipidoses (Fabry, Niemann-Pick...)
    "E83.0": T((HEPAT, GI), (GENETICS, NEURO)),  # Wilson disease: hepatology first
    "E11.3": T((RETINA, OPH, ENDO)),  # diabetic eye disease: a retina specialist's question
    "E83.1": T((HEM, HEPAT), (GENETICS,)),  # haemochromatosis
    "E22.0": T((ENDO, NSURG)),
    "E24.0": T((ENDO, NSURG)),  # pituitary acromegaly, Cushing disease: surgery
    "E78": T((ENDO, CARD)),  # lipid disorders: endocrinology and preventive cardiology
    "E80": T((HEM, GENETICS), (HEPAT,)),  # porphyrias
    "E80.4": T((HEPAT, GI)),
    "E80.5": T((HEPAT, GI)),
    "E80.6": T((HEPAT, GI)),
    "E80.7": T((HEPAT, GI)),  # bilirubin
    "E83.3": T((ENDO,), (NEPH,)),
    "E83.4": T((ENDO,), (NEPH,)),
    "E83.5": T((ENDO,), (NEPH,)),  # mineral metabolism
    "G50": T((NEURO, NSURG), (PAIN,)),  # trigeminal neuralgia: microvascular decompression
    # Sleep apnoea (G47.3x): a sleep physician's and a pulmonologist's, who diagnose it by
    # polysomnography and treat it with PAP (AASM guideline, Patil et al., J Clin Sleep Med
    # 2019;15:335-43; ABIM Sleep Medicine blueprint); neurology shares central apnoea (brainstem,
    # stroke, neuromuscular causes: AASM ICSD-3). Obstructive apnoea adds the sleep surgeon for
    # those who cannot use PAP (AASM referral guideline, Kent et al., J Clin Sleep Med 2021;17:2499-505).
    "G47.3": T((SLEEP, PULM), (NEURO,)),
    "G47.33": T((SLEEP, PULM), (ENT, NEURO)),
    "G10": T((NEURO,), (GENETICS, BEHAVNEURO, PSYCH)),  # Huntington disease
    "G12.21": T((NEURO, NMUSC), (PALLIATIVE, PMR)),  # ALS: ABPN neuromuscular medicine
    "G40.83": T((NEURO, NEUROPHYS), (GENETICS,)),  # Dravet: genetic encephalopathy, not surgical (ILAE)
    "G70": T((NEURO, NMUSC), (NEUROPHYS, THORACIC)),  # myasthenia: thymectomy is thoracic surgery
    "G56": T((HAND, PLASTICHAND, ORTHO), (NEURO, NMUSC, NEUROPHYS)),  # carpal tunnel: a hand surgeon's
    "G71": T((NMUSC, NEURO), (GENETICS, PMR)),  # muscular dystrophies and myopathies
    "I21": T((CARD, INTCARD), (HF,)),
    "I22": T((CARD, INTCARD), (HF,)),
    "J45": T((PULM, ALLERGY)),  # asthma: both boards certify it
    "F84.2": T((NEURO, GENETICS), (NEUROPHYS,)),  # Rett syndrome: MECP2 neurology, not psychiatry
    "A15": T((ID, PULM)),  # respiratory tuberculosis (ATS/CDC/IDSA)
    "K90.0": T((GI,)),  # coeliac disease: no surgeon
    "N04": T((NEPH,)),  # nephrotic syndrome; lupus nephritis is coded M32.14
    "M41": T((SPINE, ORTHO), (NSURG,)),  # scoliosis: a spine surgeon's deformity, not a pain clinic's
    "M45": T((RHEUM,), (SPINE,)),
    "M46": T((RHEUM,), (SPINE, ID)),  # inflammatory spondylopathies
    "M08": T((PEDRHEUM, RHEUM)),  # juvenile arthritis: paediatric rheumatology (ABP)
    "M30.3": T((PEDCARD, PEDRHEUM), (PEDID,)),  # Kawasaki disease: coronary aneurysms (AHA statement)
    "M31.3": T((RHEUM,), (NEPH, PULM)),
    "M31.7": T((RHEUM,), (NEPH, PULM)),  # ANCA vasculitis
    "M32": T((RHEUM,), (NEPH, DERM)),  # systemic lupus: rheumatology (ABIM), lupus nephritis, skin
    "M33": T((RHEUM,), (NMUSC, DERM)),
    "M34": T((RHEUM,), (PULM, DERM)),
    "M35.0": T((RHEUM,), (OPH,)),
    "N81": T((UROGYN, UROFPM, GYN), (OBGYN,)),  # genital prolapse: ABOG/ABU urogynecology
    "Q61": T((NEPH,), (GENETICS, URO)),  # polycystic kidney: nephrology
    "Q85": T((GENETICS, NEURO), (NSURG, DERM, OPH)),  # phakomatoses (NF, tuberous sclerosis, VHL)
    "Q85.83": T((GENETICS,), (URO, MEDONC, NSURG, RETINA, OPH)),  # von Hippel-Lindau tumours
    "Q87.4": T((GENETICS, CARD), (OPH, ORTHO, THORACIC)),  # Marfan: aortic root
    "Q87.81": T((NEPH, GENETICS), (ENT, OPH)),  # Alport syndrome: a kidney disease
    "S06": T((NSURG, NEURO), (NEUROCRIT, PMR)),  # intracranial injury, concussion
    "Q90": T((GENETICS,), (PEDS, PEDCARD)),  # Down syndrome
}


def icd_treaters(code: str) -> Treaters:
    """Primary and secondary treaters of an ICD-10-CM code (category or subcategory), twins included."""
    return _expanded(override_of(code) or code[:3])


def override_of(code: str) -> str | None:
    """The longest code prefix with its own treaters in CODE_TREATERS, if any."""
    return next((code[:n] for n in range(len(code), 2, -1) if code[:n] in CODE_TREATERS), None)


@cache
def _expanded(key: str) -> Treaters:
    # One Treaters per override or category, shared by the ~98,000 codes under them.
    if key in CODE_TREATERS:
        return CODE_TREATERS[key].with_paediatric()
    i = bisect_right(_STARTS, key) - 1
    if i >= 0 and key <= ICD_RANGES[i][1]:
        return ICD_RANGES[i][2].with_paediatric()
    return GENERALISTS.with_paediatric()


def icd_specialties(category: str) -> tuple[str, ...]:
    """NUCC codes for an ICD-10-CM code, primary treaters first."""
    return icd_treaters(category).all
