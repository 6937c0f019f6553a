"""On a real OpenSearch node: a small fetch still brings the treaters before those who review the diagnosis.

The cluster backend fetches `candidate_cap` documents by the query's approximate score and ranks
them exactly with `search.ranking.rank`. Thirty neuropathologists near the patient, holding the
very code with strong evidence, outscore five distant neurosurgeons on every component; only the
standing tiers of the query (`search.es.query._standing_signals`) keep the surgeons in a fetch of
ten when the question is about treatment. The embedded engine answers the same.
"""
from __future__ import annotations

import pytest

from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from search.es import indexer
from search.ranking import rank
from search.retrieval import retrieve
from tests.search.docs import MANHATTAN, NOW, held, make_doc
from tests.search_es.conftest import cluster_backend
from tests.search_es.traffic import top

GLIOBLASTOMA = ("ICD-10-CM", "C71.9")
NEUROSURGERY, NEUROPATHOLOGY = "207T00000X", "207ZN0500X"
PHILADELPHIA = (39.9526, -75.1652)


@pytest.fixture(scope="module")
def docs():
    """Thirty strong neuropathologists in Manhattan, five plain neurosurgeons in Philadelphia."""
    pathologists = [make_doc(specialist_id=900 + i, practice_location_id=9900 + i, specialties=(NEUROPATHOLOGY,),
                             conditions=[held(*GLIOBLASTOMA, 100 + i, 20, True)], rating=4.9, reviews=200)
                    for i in range(30)]
    surgeons = [make_doc(specialist_id=950 + i, practice_location_id=9950 + i, specialties=(NEUROSURGERY,),
                         lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], rating=3.8, reviews=20) for i in range(5)]
    return pathologists + surgeons


@pytest.fixture
def small_fetch(opensearch, alias, docs):
    """An OpenSearch backend over `docs` that fetches ten documents per match."""
    backend = cluster_backend("opensearch", opensearch.url(), alias, candidate_cap=10)
    indexer.rebuild(backend.engine, alias, docs, version=1)
    return backend


@pytest.mark.parametrize("reason", ["treatment_not_working", "rare_condition", "unclear_diagnosis"])
def test_a_fetch_of_ten_ranks_as_the_reference_and_the_embedded_engine(small_fetch, docs, reason):
    case = MatchCase(conditions=(GLIOBLASTOMA,), reason=reason, point=MANHATTAN, limit=5, now=NOW)
    reference = rank(case, retrieve(case, docs))
    assert top(small_fetch.match(case).candidates) == top(EmbeddedBackend.from_documents(docs).match(case).candidates)
    assert top(small_fetch.match(case).candidates) == top(reference)
    first = {c.document["primary_specialty"] for c in reference}
    assert first == ({NEUROPATHOLOGY} if reason == "unclear_diagnosis" else {NEUROSURGERY})


MYELOMA = ("ICD-10-CM", "C90.00")
RADIATION_ONCOLOGY, HEMATOLOGY_ONCOLOGY = "2085R0001X", "207RH0003X"


@pytest.fixture(scope="module")
def myeloma_docs():
    """Thirty strong radiation oncologists in Manhattan who also hold a haematology-oncology board and
    the very code, five plain haematologist-oncologists in Philadelphia."""
    radiation = [make_doc(specialist_id=700 + i, practice_location_id=7700 + i,
                          specialties=(RADIATION_ONCOLOGY, HEMATOLOGY_ONCOLOGY),
                          conditions=[held(*MYELOMA, 100 + i, 20, True)], rating=4.9, reviews=200) for i in range(30)]
    haematology = [make_doc(specialist_id=750 + i, practice_location_id=7750 + i, specialties=(HEMATOLOGY_ONCOLOGY,),
                            lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], rating=3.8, reviews=20) for i in range(5)]
    return radiation + haematology


@pytest.mark.parametrize("reason", ["unclear_diagnosis", "rare_condition"])
def test_a_fetch_of_ten_ranks_those_who_only_treat_after_the_haematologists_for_an_unclear_diagnosis(
        opensearch, alias, myeloma_docs, reason):
    backend = cluster_backend("opensearch", opensearch.url(), alias, candidate_cap=10)
    indexer.rebuild(backend.engine, alias, myeloma_docs, version=1)
    case = MatchCase(conditions=(MYELOMA,), reason=reason, point=MANHATTAN, limit=5, now=NOW)
    reference = rank(case, retrieve(case, myeloma_docs))
    assert top(backend.match(case).candidates) == top(reference)
    assert top(EmbeddedBackend.from_documents(myeloma_docs).match(case).candidates) == top(reference)
    first = {c.document["primary_specialty"] for c in reference}
    assert first == ({HEMATOLOGY_ONCOLOGY} if reason == "unclear_diagnosis" else {RADIATION_ONCOLOGY})
