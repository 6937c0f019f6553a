"""The ranking on hand-built cases, through the reference path and through the embedded engine."""
from datetime import timedelta

import pytest

from search import scoring
from search.backends.embedded import EmbeddedBackend
from search.case import MatchCase
from search.ranking import EMERGENT_WARNING, rank, warnings_for
from search.retrieval import retrieve
from tests.search.docs import HEMONC, IM, MANHATTAN, MEDONC, NOW, held, make_doc

APL = ("ORPHA", "520")  # acute promyelocytic leukemia
MAYO = (7, "Mayo Clinic", "academic_medical_center")
# Real places: Newark NJ ~9 mi from Manhattan, Philadelphia ~80 mi, Rochester MN ~900 mi.
NEWARK, PHILADELPHIA, ROCHESTER = (40.7357, -74.1724), (39.9526, -75.1652), (44.0225, -92.4668)


def _case(**kw) -> MatchCase:
    kw.setdefault("point", MANHATTAN)
    kw.setdefault("now", NOW)
    return MatchCase(**kw)


@pytest.fixture(params=["reference", "embedded"])
def ranked(request):
    """Rank docs for a case the reference way (filter, then rank) or through the embedded engine."""
    if request.param == "reference":
        return lambda case, docs: rank(case, retrieve(case, docs))
    return lambda case, docs: EmbeddedBackend.from_documents(docs).match(case).candidates


def _ids(candidates) -> list[int]:
    return [c.specialist_id for c in candidates]


def test_rare_condition_academic_holder_outranks_a_nearer_generalist(ranked):
    expert = make_doc(specialties=(HEMONC,), conditions=[held(*APL, cases=40, publications=12)], institution=MAYO,
                      lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], rating=4.6, reviews=80)
    generalist = make_doc(specialties=(HEMONC,), lat=NEWARK[0], lon=NEWARK[1], rating=4.9, reviews=300)
    found = ranked(_case(conditions=[APL], reason="rare_condition", self_pay=True), [generalist, expert])
    assert _ids(found) == [expert["specialist_id"], generalist["specialist_id"]]
    top = found[0]
    assert top.reasons[0] == "treats ORPHA:520 (40 cases/yr, 12 publications)"
    assert "83 mi" in top.reasons and top.score_breakdown["expertise"] > found[1].score_breakdown["expertise"]
    assert sum(top.score_breakdown.values()) == pytest.approx(top.score, abs=1e-5)


def test_exact_code_beats_same_group_beats_specialty_alone(ranked):
    exact = make_doc(specialties=(MEDONC,), conditions=[held(*APL, cases=5)])
    group = make_doc(specialties=(MEDONC,), conditions=[held("ORPHA", "521", cases=5)])  # CML: same group
    specialty = make_doc(specialties=(HEMONC,))
    assert held("ORPHA", "521")["group"] == held(*APL)["group"]
    found = ranked(_case(conditions=[APL]), [specialty, group, exact])
    assert _ids(found) == [exact["specialist_id"], group["specialist_id"], specialty["specialist_id"]]
    assert found[1].reasons[0].startswith("treats ORPHA:521, related to ORPHA:520")
    assert found[2].reasons[0] == "Hematology & Oncology, a specialty that treats ORPHA:520"


def test_more_evidence_ranks_higher(ranked):
    busy = make_doc(conditions=[held(*APL, cases=120, publications=30, center=True)])
    occasional = make_doc(conditions=[held(*APL, cases=2)])
    assert _ids(ranked(_case(conditions=[APL]), [occasional, busy])) == [busy["specialist_id"],
                                                                        occasional["specialist_id"]]


def test_out_of_network_sinks_below_in_network(ranked):
    outside = make_doc(specialties=(HEMONC,), networks=[2], lat=NEWARK[0], lon=NEWARK[1], rating=5.0, reviews=400)
    inside = make_doc(specialties=(HEMONC,), networks=[1], lat=PHILADELPHIA[0], lon=PHILADELPHIA[1])
    no_self_pay = make_doc(specialties=(HEMONC,), networks=[2], price=None)
    case = _case(conditions=[APL], plan_id=9, plan_name="Synthetic Gold PPO", network_ids={1})
    found = ranked(case, [outside, inside, no_self_pay])
    assert _ids(found) == [inside["specialist_id"], outside["specialist_id"]]  # no coverage at all: filtered
    assert [c.coverage_status for c in found] == ["in_network", "out_of_network_self_pay"]
    assert "in network for Synthetic Gold PPO at this location" in found[0].reasons
    assert "not in network for Synthetic Gold PPO here; self-pay $400" in found[1].reasons


def test_network_is_judged_per_location(ranked):
    sid = 501
    far_in = make_doc(specialist_id=sid, networks=[1], lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], price=None)
    near_out = make_doc(specialist_id=sid, networks=[], lat=NEWARK[0], lon=NEWARK[1], price=None)
    found = ranked(_case(specialty=MEDONC, plan_id=9, network_ids={1}), [near_out, far_in])
    assert [(c.specialist_id, c.practice_location_id) for c in found] == [(sid, far_in["practice_location_id"])]


def test_excluded_doctor_and_institution_never_appear(ranked):
    first_doctor = make_doc(conditions=[held(*APL, cases=90)])
    colleague = make_doc(conditions=[held(*APL, cases=80)], institution=MAYO)
    other = make_doc(conditions=[held(*APL, cases=1)])
    docs = [first_doctor, colleague, other]
    by_id = _case(conditions=[APL], exclude_specialist_ids={first_doctor["specialist_id"]},
                  exclude_institution_ids={MAYO[0]})
    by_name = _case(conditions=[APL], exclude_specialist_ids={first_doctor["specialist_id"]},
                    exclude_institution_names=("  MAYO   clinic ",))
    for case in (by_id, by_name):
        assert _ids(ranked(case, docs)) == [other["specialist_id"]]


def test_same_health_system_counts_as_affiliated_and_shared_common_words_do_not(ranked):
    affiliated = make_doc(institution=(8, "Gundersen Lutheran", "community_practice"), health_system_id=40)
    same_words = make_doc(institution=(9, "Mayo Clinic Health System Albert Lea", "community_practice"),
                          health_system_id=41)
    found = ranked(_case(specialty=MEDONC, exclude_institution_names=("Mayo Clinic",),
                         exclude_health_system_ids={40}, reason="feel_dismissed"), [affiliated, same_words])
    assert _ids(found) == [same_words["specialist_id"], affiliated["specialist_id"]]
    assert found[1].components["independence"] == scoring.AFFILIATED
    assert "same health system as an institution you excluded" in found[1].reasons
    assert found[0].components["independence"] == 1.0  # shared words alone prove nothing


def test_a_rare_shared_name_word_is_only_a_hint(ranked):
    hinted = make_doc(institution=(8, "Gundersen Lutheran Clinic", "community_practice"), health_system_id=40)
    found = ranked(_case(specialty=MEDONC, exclude_institution_names=("Gundersen Health",),
                         affiliation_words={"gundersen"}), [hinted])
    assert found[0].components["independence"] == scoring.NAME_HINT
    assert any("may be related" in r for r in found[0].reasons)


def test_telehealth_lets_a_distant_expert_in(ranked):
    distant = make_doc(conditions=[held(*APL, cases=60)], telehealth=True, lat=ROCHESTER[0], lon=ROCHESTER[1])
    distant_in_person = make_doc(conditions=[held(*APL, cases=60)], lat=ROCHESTER[0], lon=ROCHESTER[1])
    near = make_doc(specialties=(HEMONC,), lat=NEWARK[0], lon=NEWARK[1])
    docs = [distant, distant_in_person, near]
    assert _ids(ranked(_case(conditions=[APL], max_distance_mi=50), docs)) == [near["specialist_id"]]
    found = ranked(_case(conditions=[APL], max_distance_mi=50, telehealth_ok=True), docs)
    assert _ids(found) == [distant["specialist_id"], near["specialist_id"]]
    assert "telehealth available" in found[0].reasons
    assert found[0].components["distance"] == scoring.TELEHEALTH_FLOOR


def test_emergent_favours_the_soonest_availability(ranked):
    near_but_later = make_doc(lat=NEWARK[0], lon=NEWARK[1], next_available=NOW + timedelta(days=20))
    farther_sooner = make_doc(lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], next_available=NOW + timedelta(days=1))
    unknown = make_doc(lat=NEWARK[0], lon=NEWARK[1])
    docs = [near_but_later, farther_sooner, unknown]
    routine = ranked(_case(specialty=MEDONC), docs)
    assert _ids(routine)[-1] == farther_sooner["specialist_id"]
    emergent = ranked(_case(specialty=MEDONC, urgency="emergent"), docs)
    assert _ids(emergent)[0] == farther_sooner["specialist_id"]
    assert "next available in 1 days" in emergent[0].reasons
    assert warnings_for(_case(specialty=MEDONC, urgency="emergent")) == [EMERGENT_WARNING]
    assert warnings_for(_case(specialty=MEDONC)) == []


def test_rating_is_shrunk_toward_the_mean_by_review_count(ranked):
    one_rave = make_doc(rating=5.0, reviews=1)
    many_good = make_doc(rating=4.8, reviews=250)
    found = ranked(_case(specialty=MEDONC), [one_rave, many_good])
    assert _ids(found) == [many_good["specialist_id"], one_rave["specialist_id"]]


def test_one_result_per_specialist_at_its_best_location(ranked):
    far = make_doc(specialist_id=900, lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], practice_location_id=90_001)
    near = make_doc(specialist_id=900, lat=NEWARK[0], lon=NEWARK[1], practice_location_id=90_002)
    found = ranked(_case(specialty=MEDONC), [far, near])
    assert [(c.specialist_id, c.practice_location_id) for c in found] == [(900, 90_002)]
    assert round(found[0].distance_mi) == 9 and "9.2 mi" in found[0].reasons


def test_ties_break_by_distance_then_specialist_id_whatever_the_input_order(ranked):
    twins = [make_doc(specialist_id=sid, practice_location_id=sid + 50_000) for sid in (703, 701, 702)]
    nearer = make_doc(specialist_id=704, lat=MANHATTAN[0] + 0.001, lon=MANHATTAN[1])
    case = _case(specialty=MEDONC, point=(MANHATTAN[0] + 0.001, MANHATTAN[1]))
    assert _ids(ranked(case, twins + [nearer])) == [704, 701, 702, 703]
    assert _ids(ranked(case, [nearer] + twins[::-1])) == [704, 701, 702, 703]


def test_not_accepting_language_and_self_pay_are_hard_constraints(ranked):
    closed = make_doc(accepting=False)
    french = make_doc(languages=("fr",))
    no_price = make_doc(price=None, languages=("es",))
    ok = make_doc(languages=("en", "es"))
    found = ranked(_case(specialty=MEDONC, languages=("es",), self_pay=True), [closed, french, no_price, ok])
    assert _ids(found) == [ok["specialist_id"]]
    assert found[0].coverage_status == "self_pay" and "self-pay $400" in found[0].reasons


def test_weights_follow_reason_and_urgency():
    base = scoring.weights_for(_case(specialty=MEDONC))
    rare = scoring.weights_for(_case(specialty=MEDONC, reason="rare_condition"))
    emergent = scoring.weights_for(_case(specialty=MEDONC, urgency="emergent"))
    assert sum(base.values()) == pytest.approx(1.0) and sum(emergent.values()) == pytest.approx(1.0)
    assert rare["expertise"] > base["expertise"] and rare["distance"] < base["distance"]
    assert emergent["availability"] > 2 * base["availability"]


def test_a_named_specialty_without_conditions_prefers_the_primary_holder(ranked):
    primary = make_doc(specialties=(IM,))
    secondary = make_doc(specialties=(MEDONC, IM))
    found = ranked(_case(specialty=IM), [secondary, primary])
    assert _ids(found) == [primary["specialist_id"], secondary["specialist_id"]]
    assert found[0].reasons[0] == "specialises in Internal Medicine"


def test_a_secondary_treater_ranks_below_a_primary_one_however_near(ranked):
    primary = make_doc(specialties=(HEMONC,), lat=PHILADELPHIA[0], lon=PHILADELPHIA[1], price=90000)
    secondary = make_doc(specialties=(IM,), lat=NEWARK[0], lon=NEWARK[1], rating=5.0, reviews=500)
    case = _case(conditions=[APL], treating_specialties={HEMONC, IM}, secondary_specialties={IM})
    assert _ids(ranked(case, [secondary, primary])) == [primary["specialist_id"], secondary["specialist_id"]]
    flat = _case(conditions=[APL], treating_specialties={HEMONC, IM})  # no secondary: nearer wins
    assert _ids(ranked(flat, [secondary, primary]))[0] == secondary["specialist_id"]


def test_for_a_rare_condition_an_expert_outranks_nearer_in_network_specialty_matches(ranked):
    expert = make_doc(specialties=(HEMONC,), conditions=[held("ICD-10-CM", "C92.0", cases=2)],
                      lat=ROCHESTER[0], lon=ROCHESTER[1], telehealth=True, networks=())
    near = [make_doc(specialties=(HEMONC,), lat=NEWARK[0], lon=NEWARK[1], networks=(1,), rating=5.0, reviews=400)
            for _ in range(14)]
    case = _case(conditions=[("ICD-10-CM", "C92.00")], reason="rare_condition", telehealth_ok=True,
                 patient_state="NY", plan_id=1, network_ids={1})
    found = ranked(case, [*near, expert])
    assert found[0].specialist_id == expert["specialist_id"]  # holds the parent code C92.0
    assert found[0].coverage_status == "out_of_network_self_pay" and found[0].standing == 2
    other = ranked(_case(**{**_kw(case), "reason": "other"}), [*near, expert])
    assert other[0].specialist_id != expert["specialist_id"]  # expertise first only when the reason says so


def _kw(case: MatchCase) -> dict:
    return dict(conditions=case.conditions, telehealth_ok=case.telehealth_ok, patient_state=case.patient_state,
                plan_id=case.plan_id, network_ids=case.network_ids)
