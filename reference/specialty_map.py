"""Which NUCC specialties treat an ICD-10-CM category or an Orphanet disease's organ system."""
from __future__ import annotations

import re
from bisect import bisect_right

# NUCC codes by short name (all listed in reference.nucc; a test keeps them in step).
FM, IM, PEDS = "207Q00000X", "207R00000X", "208000000X"
HEMONC, MEDONC, RADONC, SURGONC, GYNONC, HEM = (
    "207RH0003X", "207RX0202X", "2085R0001X", "2086X0206X", "207VX0201X", "207RH0000X")
CARD, INTCARD, EP, HF, ACHD = "207RC0000X", "207RI0011X", "207RC0001X", "207RA0001X", "207RA0002X"
ENDO, GI, HEPAT, TXHEP, NEPH = "207RE0101X", "207RG0100X", "207RI0008X", "207RT0003X", "207RN0300X"
PULM, SLEEP, CCM, RHEUM, ID, ALLERGY, GERI = (
    "207RP1001X", "207RS0012X", "207RC0200X", "207RR0500X", "207RI0200X", "207K00000X", "207RG0300X")
NEURO, CHILDNEURO, VASCNEURO, NMUSC, NEUROPHYS, BEHAVNEURO = (
    "2084N0400X", "2084N0402X", "2084V0102X", "2084N0008X", "2084N0600X", "2084B0040X")
NSURG = "207T00000X"
ORTHO, SPINE, HAND, SPORTS, RECON, FOOT, OTRAUMA, PEDORTHO = (
    "207X00000X", "207XS0117X", "207XS0106X", "207XX0005X", "207XS0114X", "207XX0004X", "207XX0801X", "207XP3100X")
SURG, VASC, TRAUMA, PEDSURG, TXSURG, COLORECTAL, THORACIC, PLASTIC = (
    "208600000X", "2086S0129X", "2086S0127X", "2086S0120X", "204F00000X", "208C00000X", "208G00000X", "208200000X")
URO, PEDURO, OBGYN, GYN, MFM, REI, UROGYN = (
    "208800000X", "2088P0231X", "207V00000X", "207VG0400X", "207VM0101X", "207VE0102X", "207VF0040X")
OPH, RETINA, GLAUCOMA, CORNEA, NEUROOPH, PEDOPH, UVEITIS, OCULOPLASTIC = (
    "207W00000X", "207WX0107X", "207WX0009X", "207WX0120X", "207WX0109X", "207WX0110X", "207WX0108X", "207WX0200X")
ENT, OTOLOGY, PEDENT, DERM, MOHS, PEDDERM = (
    "207Y00000X", "207YX0901X", "207YP0228X", "207N00000X", "207ND0101X", "207NP0225X")
HEMEPATH, DERMPATH, NEUROPATH, APCP = "207ZH0000X", "207ZD0900X", "207ZN0500X", "207ZP0102X"
DXRAD, NEURORAD, IR, NUCMED = "2085R0202X", "2085N0700X", "2085R0204X", "207U00000X"
GENETICS, BIOCHEMGEN, CYTOGEN = "207SG0201X", "207SG0202X", "207SC0300X"
PEDHEMONC, PEDCARD, PEDGI, PEDNEPH, PEDENDO, PEDPULM, PEDRHEUM, PEDID, PEDALLERGY, NEONATAL = (
    "2080P0207X", "2080P0202X", "2080P0206X", "2080P0210X", "2080P0205X", "2080P0214X", "2080P0216X",
    "2080P0208X", "2080P0201X", "2080N0001X")
PSYCH, CHILDPSYCH, GERIPSYCH, PMR, SCI, PAIN, IPAIN, PMRPAIN = (
    "2084P0800X", "2084P0804X", "2084P0805X", "208100000X", "2081P0004X", "207LP2900X", "208VP0014X", "2081P2900X")
PALLIATIVE, NEUROCRIT, SCC, PICU, PLASTICHAND, UROFPM, FACIALPLASTIC = (
    "207RH0002X", "2084A2900X", "2086S0102X", "2080P0203X", "2082S0105X", "2088F0040X", "207YS0123X")
AP, CYTO, MGP, PEDPATH, BLOODBANK, NUCRAD, PEDRAD, MOLGEN, GENMGP = (
    "207ZP0101X", "207ZC0500X", "207ZP0007X", "207ZP0213X", "207ZB0001X", "2085N0904X", "2085P0229X", "207SG0203X",
    "207SM0001X")

# ICD-10-CM 3-character category ranges, inclusive, sorted by start and not overlapping, so one
# bisect finds the range. Every chapter is covered. String order matches ICD order ("C7A" > "C79").
ICD_RANGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("A00", "B14", (ID, PEDID, IM)), ("B15", "B19", (HEPAT, GI, ID, TXHEP)), ("B20", "B99", (ID, PEDID, IM)),
    ("C00", "C14", (ENT, MEDONC, RADONC, SURGONC)), ("C15", "C15", (MEDONC, THORACIC, GI, RADONC)),
    ("C16", "C17", (MEDONC, SURGONC, GI)), ("C18", "C21", (MEDONC, COLORECTAL, SURGONC, GI, RADONC)),
    ("C22", "C24", (MEDONC, HEPAT, SURGONC, TXSURG)), ("C25", "C26", (MEDONC, SURGONC, GI)),
    ("C30", "C32", (ENT, RADONC, MEDONC)), ("C33", "C39", (MEDONC, THORACIC, PULM, RADONC)),
    ("C40", "C41", (MEDONC, ORTHO, PEDHEMONC, SURGONC)), ("C43", "C43", (MEDONC, DERM, SURGONC, DERMPATH)),
    ("C44", "C44", (DERM, MOHS, DERMPATH, RADONC)), ("C45", "C45", (MEDONC, THORACIC, RADONC)),
    ("C46", "C46", (MEDONC, DERM, ID)), ("C47", "C47", (PEDHEMONC, MEDONC, NSURG)),
    ("C48", "C49", (MEDONC, SURGONC, ORTHO, RADONC)), ("C4A", "C4A", (DERM, MEDONC, RADONC)),
    ("C50", "C50", (MEDONC, SURGONC, RADONC, PLASTIC)), ("C51", "C58", (GYNONC, MEDONC, RADONC)),
    ("C60", "C68", (URO, MEDONC, RADONC)), ("C69", "C69", (RETINA, OPH, PEDHEMONC, RADONC)),
    ("C70", "C72", (NSURG, NEURO, RADONC, MEDONC, NEUROPATH)), ("C73", "C75", (ENDO, SURGONC, ENT, NUCMED, NUCRAD)),
    ("C76", "C79", (MEDONC, HEMONC, RADONC, PALLIATIVE)), ("C7A", "C7B", (MEDONC, GI, SURGONC, ENDO)),
    ("C80", "C80", (MEDONC, HEMONC, RADONC)), ("C81", "C96", (HEMONC, HEM, MEDONC, PEDHEMONC, HEMEPATH)),
    ("D00", "D02", (MEDONC, SURGONC, GI)), ("D03", "D04", (DERM, MOHS, DERMPATH)),
    ("D05", "D05", (SURGONC, MEDONC, RADONC)), ("D06", "D07", (GYNONC, URO, OBGYN)),
    ("D09", "D09", (MEDONC, SURGONC)), ("D10", "D13", (GI, SURG)), ("D14", "D15", (PULM, ENT, THORACIC)),
    ("D16", "D16", (ORTHO, PEDORTHO)), ("D17", "D23", (DERM, SURG, PEDDERM)), ("D24", "D24", (SURG, SURGONC)),
    ("D25", "D28", (OBGYN, GYN)), ("D29", "D30", (URO,)), ("D31", "D31", (OPH, RETINA)),
    ("D32", "D33", (NSURG, NEURO, RADONC)), ("D34", "D35", (ENDO, NSURG, ENT)), ("D36", "D36", (SURG, MEDONC)),
    ("D37", "D39", (MEDONC, SURGONC, AP)), ("D3A", "D3A", (GI, ENDO, SURGONC)), ("D40", "D44", (MEDONC, SURGONC, AP)),
    ("D45", "D47", (HEMONC, HEM, HEMEPATH, MGP)), ("D48", "D49", (MEDONC, SURGONC)),
    ("D50", "D77", (HEM, HEMONC, PEDHEMONC, HEMEPATH, BLOODBANK)), ("D78", "D78", (SURG, IM)),
    ("D80", "D85", (ALLERGY, PEDALLERGY, ID)), ("D86", "D86", (PULM, RHEUM)), ("D89", "D89", (ALLERGY, RHEUM)),
    ("E00", "E07", (ENDO, PEDENDO, ENT)), ("E08", "E13", (ENDO, PEDENDO, IM)), ("E15", "E35", (ENDO, PEDENDO)),
    ("E36", "E36", (SURG, IM)), ("E40", "E68", (ENDO, GI, IM)), ("E70", "E83", (BIOCHEMGEN, GENETICS, ENDO)),
    ("E84", "E84", (PULM, PEDPULM, GI, GENETICS)), ("E85", "E85", (HEM, CARD, NEPH)),
    ("E86", "E89", (ENDO, NEPH, IM)), ("F01", "F03", (NEURO, BEHAVNEURO, GERIPSYCH, GERI)),
    ("F04", "F79", (PSYCH, CHILDPSYCH, GERIPSYCH)), ("F80", "F98", (CHILDPSYCH, CHILDNEURO, PEDS)),
    ("F99", "F99", (PSYCH,)), ("G00", "G09", (ID, NEURO, NSURG)),
    ("G10", "G14", (NEURO, NMUSC, GENETICS, PALLIATIVE)), ("G20", "G26", (NEURO, NSURG)),
    ("G30", "G32", (NEURO, BEHAVNEURO, GERIPSYCH, GERI)), ("G35", "G37", (NEURO,)),
    ("G40", "G41", (NEURO, NEUROPHYS, CHILDNEURO, NSURG)), ("G43", "G44", (NEURO,)),
    ("G45", "G46", (VASCNEURO, NEURO)), ("G47", "G47", (SLEEP, NEURO, PULM)),
    ("G50", "G59", (NEURO, NMUSC, HAND, NSURG)), ("G60", "G73", (NMUSC, NEURO, NEUROPHYS)),
    ("G80", "G83", (CHILDNEURO, PMR, NEURO)), ("G89", "G89", (PAIN, IPAIN, PMRPAIN, PMR)),
    ("G90", "G99", (NEURO, NSURG)), ("H00", "H05", (OCULOPLASTIC, OPH)), ("H10", "H22", (CORNEA, UVEITIS, OPH)),
    ("H25", "H28", (OPH,)), ("H30", "H36", (RETINA, OPH)), ("H40", "H44", (GLAUCOMA, OPH, RETINA)),
    ("H46", "H48", (NEUROOPH, OPH, NEURO)), ("H49", "H52", (PEDOPH, OPH)), ("H53", "H59", (OPH, NEUROOPH)),
    ("H60", "H95", (ENT, OTOLOGY, PEDENT)), ("I00", "I09", (CARD,)), ("I10", "I1A", (CARD, NEPH, IM)),
    ("I20", "I25", (CARD, INTCARD, THORACIC)), ("I26", "I28", (PULM, CARD)), ("I30", "I43", (CARD, HF, THORACIC)),
    ("I44", "I49", (EP, CARD)), ("I50", "I5A", (HF, CARD)),
    ("I60", "I69", (VASCNEURO, NEURO, NSURG, NEURORAD, NEUROCRIT)), ("I70", "I79", (VASC, IR, CARD)),
    ("I80", "I82", (HEM, VASC)), ("I83", "I89", (VASC, IR)), ("I95", "I99", (CARD, IM)), ("J00", "J06", (ENT, FM)),
    ("J09", "J18", (PULM, ID)), ("J20", "J22", (PULM, FM)), ("J30", "J39", (ENT, ALLERGY)),
    ("J40", "J4A", (PULM, ALLERGY, PEDPULM)), ("J60", "J84", (PULM, RHEUM)), ("J85", "J94", (PULM, THORACIC)),
    ("J95", "J99", (PULM, CCM, PICU)), ("K00", "K14", (ENT, PLASTIC)), ("K20", "K31", (GI, SURG, PEDGI)),
    ("K35", "K46", (SURG, PEDSURG)), ("K50", "K52", (GI, COLORECTAL, PEDGI)), ("K55", "K59", (GI, COLORECTAL)),
    ("K60", "K64", (COLORECTAL, GI)), ("K65", "K68", (SURG, GI)), ("K70", "K77", (HEPAT, TXHEP, GI)),
    ("K80", "K87", (GI, SURG)), ("K90", "K95", (GI, SURG)), ("L00", "L99", (DERM, PEDDERM, DERMPATH, RHEUM)),
    ("M00", "M03", (ORTHO, ID, RHEUM)), ("M04", "M14", (RHEUM, PEDRHEUM)), ("M15", "M19", (RECON, ORTHO, RHEUM)),
    ("M1A", "M1A", (RHEUM,)), ("M20", "M25", (ORTHO, SPORTS, FOOT, HAND)), ("M26", "M27", (ENT, PLASTIC)),
    ("M30", "M36", (RHEUM, PEDRHEUM, NEPH)), ("M40", "M54", (SPINE, NSURG, PMR, PAIN, IPAIN, PMRPAIN)),
    ("M60", "M63", (RHEUM, NMUSC)), ("M65", "M67", (HAND, SPORTS, ORTHO, PLASTICHAND)),
    ("M70", "M79", (RHEUM, SPORTS, PMR)), ("M80", "M85", (ENDO, RHEUM)), ("M86", "M90", (ORTHO, ID)),
    ("M91", "M94", (PEDORTHO, ORTHO)), ("M95", "M99", (ORTHO, PMR)), ("N00", "N16", (NEPH, PEDNEPH, RHEUM)),
    ("N17", "N19", (NEPH, TXSURG)), ("N20", "N23", (URO, NEPH)), ("N25", "N29", (NEPH, PEDNEPH)),
    ("N30", "N39", (URO, UROGYN, UROFPM, PEDURO)), ("N40", "N53", (URO,)), ("N60", "N65", (SURG, SURGONC, OBGYN)),
    ("N70", "N77", (OBGYN, GYN)), ("N80", "N96", (GYN, OBGYN, REI, UROGYN)), ("N97", "N97", (REI, OBGYN)),
    ("N98", "N99", (OBGYN, URO)), ("O00", "O9A", (MFM, OBGYN)), ("P00", "P96", (NEONATAL, PEDS, PEDRAD, PEDPATH)),
    ("Q00", "Q07", (CHILDNEURO, NSURG, GENETICS)), ("Q10", "Q15", (PEDOPH, OPH, GENETICS)),
    ("Q16", "Q18", (ENT, PEDENT, GENETICS)), ("Q20", "Q28", (PEDCARD, ACHD, THORACIC, GENETICS)),
    ("Q30", "Q34", (PEDPULM, ENT, GENETICS)), ("Q35", "Q37", (PLASTIC, ENT, FACIALPLASTIC, GENETICS)),
    ("Q38", "Q45", (PEDGI, PEDSURG, GENETICS)), ("Q50", "Q56", (PEDURO, OBGYN, GENETICS)),
    ("Q60", "Q64", (PEDURO, PEDNEPH, GENETICS)), ("Q65", "Q79", (PEDORTHO, ORTHO, GENETICS)),
    ("Q80", "Q84", (GENETICS, DERM, PEDDERM)), ("Q85", "Q89", (GENETICS, NEURO, PEDS)),
    ("Q90", "Q99", (GENETICS, CYTOGEN, PEDS)), ("QA0", "QA0", (GENETICS, CHILDNEURO, MOLGEN)),
    ("R00", "R09", (IM, CARD, PULM)), ("R10", "R19", (GI, IM)), ("R20", "R23", (DERM, IM)),
    ("R25", "R29", (NEURO, IM)), ("R30", "R39", (URO, IM)), ("R40", "R49", (NEURO, PSYCH, IM)),
    ("R50", "R69", (IM, FM)), ("R70", "R79", (HEM, IM)), ("R80", "R82", (NEPH, IM)),
    ("R83", "R89", (APCP, AP, CYTO, IM)), ("R90", "R94", (DXRAD, NUCRAD, PEDRAD, IM)), ("R95", "R99", (IM, FM)),
    ("S00", "S09", (NSURG, ENT, PLASTIC, FACIALPLASTIC, NEUROCRIT)), ("S10", "S19", (SPINE, NSURG, SCI)),
    ("S20", "S29", (THORACIC, TRAUMA)), ("S30", "S39", (TRAUMA, SPINE, URO)),
    ("S40", "S59", (OTRAUMA, ORTHO, SPORTS)), ("S60", "S69", (HAND, ORTHO, PLASTICHAND)),
    ("S70", "S79", (OTRAUMA, RECON, ORTHO)), ("S80", "S89", (SPORTS, OTRAUMA, ORTHO)), ("S90", "S99", (FOOT, ORTHO)),
    ("T07", "T19", (TRAUMA, SURG, SCC)), ("T20", "T34", (PLASTIC, SURG, SCC)), ("T36", "T65", (CCM, IM, PICU)),
    ("T66", "T77", (IM, FM)), ("T78", "T78", (ALLERGY, IM)), ("T79", "T85", (SURG, IM)),
    ("T86", "T86", (TXSURG, NEPH, TXHEP, ID)), ("T87", "T88", (SURG, IM)), ("U00", "U85", (ID, PULM, IM)),
    ("V00", "Y99", (FM, IM, TRAUMA)), ("Z00", "Z13", (FM, IM, PEDS)),
    ("Z14", "Z15", (GENETICS, MOLGEN, GENMGP, MGP, MEDONC)), ("Z16", "Z29", (ID, FM)),
    ("Z30", "Z3A", (OBGYN, MFM, REI)), ("Z40", "Z53", (FM, IM, PALLIATIVE)), ("Z55", "Z79", (FM, IM)),
    ("Z80", "Z84", (GENETICS, FM)), ("Z85", "Z86", (MEDONC, IM)), ("Z87", "Z93", (FM, IM)),
    ("Z94", "Z94", (TXSURG, NEPH, TXHEP)), ("Z95", "Z99", (IM, FM)),
)
_STARTS = [start for start, _, _ in ICD_RANGES]
# Fallback for a category no range names (e.g. a code added in a later release).
GENERALISTS: tuple[str, ...] = (IM, FM)


def icd_specialties(category: str) -> tuple[str, ...]:
    """NUCC codes for a 3-character ICD-10-CM category, most relevant first."""
    i = bisect_right(_STARTS, category) - 1
    if i >= 0 and category <= ICD_RANGES[i][1]:
        return ICD_RANGES[i][2]
    return GENERALISTS


# Orphanet: top-level HPO organ systems (children of HP:0000118) -> specialties.
HPO_SYSTEM_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "HP:0001871": (HEMONC, HEM, PEDHEMONC, HEMEPATH),  # blood and blood-forming tissues
    "HP:0002664": (MEDONC, HEMONC, PEDHEMONC, SURGONC),  # neoplasm
    "HP:0000707": (NEURO, CHILDNEURO, NMUSC),  # nervous system
    "HP:0001626": (CARD, PEDCARD, HF),  # cardiovascular
    "HP:0033127": (ORTHO, PEDORTHO, RHEUM),  # musculoskeletal
    "HP:0040064": (ORTHO, PEDORTHO),  # limbs
    "HP:0000152": (ENT, PLASTIC),  # head or neck
    "HP:0002715": (ALLERGY, PEDALLERGY, RHEUM),  # immune system
    "HP:0001574": (DERM, PEDDERM),  # integument
    "HP:0002086": (PULM, PEDPULM),  # respiratory
    "HP:0001197": (MFM, NEONATAL),  # prenatal development or birth
    "HP:0000818": (ENDO, PEDENDO),  # endocrine
    "HP:0001939": (BIOCHEMGEN, ENDO),  # metabolism/homeostasis
    "HP:0025142": (IM,),  # constitutional symptom
    "HP:0025031": (GI, PEDGI, HEPAT),  # digestive
    "HP:0001608": (ENT,),  # voice
    "HP:0000598": (ENT, OTOLOGY),  # ear
    "HP:0000478": (OPH, RETINA, PEDOPH),  # eye
    "HP:0001507": (PEDENDO, GENETICS),  # growth
    "HP:0045027": (PULM, THORACIC),  # thoracic cavity
    "HP:0000119": (NEPH, URO, PEDNEPH),  # genitourinary
    "HP:0000769": (SURGONC, OBGYN),  # breast
    "HP:0025354": (GENETICS,),  # cellular phenotype
}
# Broad body-region headings that win by sheer annotation count; they count half so that a real
# organ system with fewer but more telling terms still dominates.
HPO_DOWNWEIGHTED = frozenset({
    "HP:0040064", "HP:0000152", "HP:0001507", "HP:0025142", "HP:0025354", "HP:0001197", "HP:0045027"})

# Names that say "blood cancer" or "solid cancer" outrank the phenotype vote: a leukaemia with
# many skin findings still belongs with haematology-oncology.
HEME_MALIGNANCY = re.compile(r"leuka?emia|lymphoma|myeloma|myelodysplastic|myeloproliferative|"
                             r"macroglobulinemia", re.I)
# "malignant" alone is not enough: malignant hyperthermia is an anaesthesia reaction.
SOLID_MALIGNANCY = re.compile(r"carcinoma|sarcoma|blastoma|cancer|melanoma|mesothelioma|"
                              r"malignant (?:neoplasm|tumou?r)|neuroendocrine tumou?r|germ cell tumou?r", re.I)
HEME_FIRST: tuple[str, ...] = (HEMONC, HEM, PEDHEMONC, HEMEPATH)
SOLID_FIRST: tuple[str, ...] = (MEDONC, HEMONC, SURGONC, RADONC)


def orpha_specialties(name: str, systems: list[str]) -> tuple[str, ...]:
    """NUCC codes for an Orphanet disease from its name and HPO systems (dominant first)."""
    ordered: list[str] = []
    if HEME_MALIGNANCY.search(name):
        # Blood cancers stay with haematology-oncology whatever organs the phenotype touches.
        return (*HEME_FIRST, MEDONC, GENETICS)
    if SOLID_MALIGNANCY.search(name):
        ordered += SOLID_FIRST
        ordered += HPO_SYSTEM_SPECIALTIES.get(systems[0], ())[:1] if systems else ()
    elif systems:
        ordered += HPO_SYSTEM_SPECIALTIES.get(systems[0], ())
    # Every rare disease is a medical-genetics question as well.
    ordered.append(GENETICS)
    if len(systems) > 1:
        ordered += HPO_SYSTEM_SPECIALTIES.get(systems[1], ())[:1]
    if len(ordered) == 1:
        ordered.append(IM)
    return tuple(dict.fromkeys(ordered))
