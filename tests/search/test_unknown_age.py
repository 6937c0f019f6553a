"""A patient of unknown age with a disease of adults: the adult boards first, the paediatric twins after.

The map gives every adult treater its paediatric twin so that a child finds someone; a request
without an age cannot tell, and for glioblastoma or myeloma the patient is almost surely an adult
(reference.populations.MOSTLY_ADULT_ICD), so the twins rank as secondary treaters.
"""
import pytest

from reference.populations import mostly_adult
from search import scoring
from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from search.ranking import rank
from search.retrieval import retrieve
from tests.search.docs import MANHATTAN, MEDONC, NOW, make_doc

GLIOBLASTOMA = ("ORPHA", "360")
PEDHEMONC, CHILDNEURO = "2080P0207X", "2084N0402X"
NEWARK = (40.7357, -74.1724)


@pytest.fixture(params=["reference", "embedded"])
def ranked(request):
    """Rank docs the reference way or through the embedded engine."""
    if request.param == "reference":
        return lambda case, docs: rank(case, retrieve(case, docs))
    return lambda case, docs: EmbeddedBackend.from_documents(docs).match(case).candidates


def _case(condition, **kw) -> MatchCase:
    return MatchCase(conditions=(condition,), point=MANHATTAN, now=NOW, limit=10, **kw)


def test_without_an_age_the_adult_oncologist_ranks_before_a_nearer_paediatric_one(ranked):
    paediatric = make_doc(specialties=(PEDHEMONC,), rating=5.0, reviews=300)
    adult = make_doc(specialties=(MEDONC,), lat=NEWARK[0], lon=NEWARK[1], rating=3.0, reviews=10)
    case = _case(GLIOBLASTOMA)
    found = ranked(case, [paediatric, adult])
    assert [c.specialist_id for c in found] == [adult["specialist_id"], paediatric["specialist_id"]]
    assert [scoring.standing(case, c.document) for c in found] == [1, 0]
    # A child is another matter: the paediatric board is a primary treater, the adult one out of reach.
    child = _case(GLIOBLASTOMA, age_range=(8.0, 9.0))
    assert PEDHEMONC in child.primary_treaters
    assert [c.specialist_id for c in ranked(child, [paediatric, adult])] == [paediatric["specialist_id"]]


def test_a_disease_of_children_keeps_its_paediatric_boards_primary_without_an_age():
    # Duchenne muscular dystrophy: child neurology treats it whatever the request says.
    assert CHILDNEURO in _case(("ICD-10-CM", "G71.01")).primary_treaters
    assert PEDHEMONC in _case(("ICD-10-CM", "C91.00")).primary_treaters  # acute lymphoblastic leukaemia
    assert PEDHEMONC not in _case(("ICD-10-CM", "C90.00")).primary_treaters  # myeloma


@pytest.mark.parametrize("system, code, adult", [
    ("ORPHA", "360", True), ("ICD-10-CM", "C71.9", True), ("ICD-10-CM", "C71.6", False),
    ("ICD-10-CM", "C71.7", False), ("ICD-10-CM", "C90.00", True), ("ICD-10-CM", "C91.00", False),
    ("ORPHA", "668", False), ("ICD-10-CM", "C34.90", True), ("ICD-10-CM", "G71.01", False),
])
def test_which_conditions_are_almost_only_adults(system, code, adult):
    assert mostly_adult(system, code) is adult


def test_a_condition_of_children_and_one_of_adults_together_keep_the_paediatric_boards():
    case = MatchCase(conditions=(GLIOBLASTOMA, ("ICD-10-CM", "G71.01")), point=MANHATTAN, now=NOW)
    assert CHILDNEURO in case.primary_treaters
