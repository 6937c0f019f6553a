"""Autocomplete in people's words: lay terms, abbreviations and the sources' own synonyms."""
import pytest

from reference import conditions, synonyms


@pytest.fixture(scope="module", autouse=True)
def catalogue():
    """Both catalogues, loaded once."""
    conditions.warm()


@pytest.mark.parametrize("query, first", [
    ("MS", "ICD-10-CM:G35"),  # multiple sclerosis before MSH3-related polyposis
    ("ms", "ICD-10-CM:G35"),
    ("GBM", "ORPHA:360"),
    ("glioblastoma multiforme", "ORPHA:360"),
    ("lupus", "ICD-10-CM:M32.9"),  # systemic lupus erythematosus before cutaneous lupus
    ("AML", "ICD-10-CM:C92.0"),
    ("heart attack", "ICD-10-CM:I21.9"),
    ("endometrial cancer", "ICD-10-CM:C54.1"),
    ("Lou Gehrig", "ICD-10-CM:G12.21"),
])
def test_lay_terms_and_abbreviations_find_the_common_meaning_first(query, first):
    hits = conditions.search(query, limit=10)
    assert hits[0].key == first


def test_glioblastoma_by_abbreviation_also_offers_the_icd_code():
    keys = [c.key for c in conditions.search("GBM", limit=10)]
    assert keys[:2] == ["ORPHA:360", "ICD-10-CM:C71.9"]


def test_icd_inclusion_terms_and_bracketed_names_are_searchable():
    # "Myocardial infarction (acute) NOS" is an inclusion term of I21.9; "regional enteritis" sits in K50's title.
    assert "ICD-10-CM:I21.9" in [c.key for c in conditions.search("myocardial infarction acute nos", limit=10)]
    assert conditions.search("CKD", limit=5)[0].key == "ICD-10-CM:N18"
    assert "Sclerocystic ovary syndrome" in conditions.lookup("ICD-10-CM", "E28.2").synonyms
    assert conditions.search("stein leventhal", limit=5)[0].key == "ICD-10-CM:E28.2"


def test_every_curated_entry_names_real_conditions():
    missing = [key for keys in synonyms.CURATED.values() for key in keys
               if conditions.lookup(*key.rsplit(":", 1)) is None]
    assert not missing


def test_system_filter_applies_to_curated_terms():
    assert all(c.system == "ORPHA" for c in conditions.search("GBM", system="ORPHA"))
    assert conditions.search("GBM", system="ORPHA")[0].key == "ORPHA:360"


def test_autocomplete_api_returns_primary_specialties_and_synonyms(client):
    body = client.get("/v1/reference/conditions?q=lupus&limit=3").get_json()
    assert body[0]["key"] == "ICD-10-CM:M32.9"
    assert body[0]["primary_specialties"][0] == "207RR0500X"
    assert "lupus" in body[0]["synonyms"]
