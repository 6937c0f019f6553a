"""Who treats a condition: primary and secondary treaters from ICD-10-CM structure and Orphanet names."""
import pytest

from reference import conditions, nucc, orphanet, specialty_map as m

GLIOBLASTOMA_TEAM = {m.NSURG, m.MEDONC, m.RADONC, m.NEURO}


@pytest.fixture(scope="module", autouse=True)
def catalogue():
    """Both catalogues, loaded once."""
    conditions.warm()


@pytest.mark.parametrize("system, code", [("ICD-10-CM", "C71.9"), ("ORPHA", "360")])
def test_glioblastoma_goes_to_the_neuro_oncology_team(system, code):
    treaters = conditions.treaters_for(system, code)
    assert GLIOBLASTOMA_TEAM <= set(treaters.primary)
    assert not {m.OPH, m.GENETICS} & set(treaters.all)


@pytest.mark.parametrize("orpha", ["803", "589", "399"])  # ALS, myasthenia gravis, Huntington disease
def test_neurological_rare_diseases_go_to_neurology(orpha):
    treaters = conditions.treaters_for("ORPHA", orpha)
    assert treaters.primary[0] == m.NEURO
    families = {nucc.get(code).family for code in treaters.primary}
    assert families == {"neurology"}
    assert not {m.ORTHO, m.ALLERGY, m.OPH} & set(treaters.all)


def test_lupus_rheumatology_first_nephrology_second():
    for system, code in (("ICD-10-CM", "M32.9"), ("ORPHA", "536")):
        treaters = conditions.treaters_for(system, code)
        assert treaters.primary[0] == m.RHEUM and m.NEPH in treaters.secondary


def test_leukaemia_has_adult_and_paediatric_haematology_oncology_as_primary():
    for system, code in (("ICD-10-CM", "C91.00"), ("ICD-10-CM", "C92.0"), ("ORPHA", "520")):
        primary = conditions.treaters_for(system, code).primary
        assert {m.HEMONC, m.PEDHEMONC, m.HEM} <= set(primary)
        assert m.NEONATAL not in conditions.treaters_for(system, code).all


def test_gaucher_disease_goes_to_genetics_and_haematology_not_endocrinology_alone():
    for system, code in (("ICD-10-CM", "E75.22"), ("ORPHA", "355")):
        primary = set(conditions.treaters_for(system, code).primary)
        assert {m.GENETICS, m.HEM} <= primary and m.ENDO not in primary


def test_child_neurology_and_paediatric_rheumatology_are_offered_as_twins():
    assert m.CHILDNEURO in conditions.treaters_for("ICD-10-CM", "G40.909").primary
    assert m.PEDRHEUM in conditions.treaters_for("ICD-10-CM", "M32.9").primary
    # Kawasaki disease is a child's coronary disease: no nephrologist.
    kawasaki = conditions.treaters_for("ICD-10-CM", "M30.3")
    assert kawasaki.primary[0] == m.PEDCARD and m.NEPH not in kawasaki.all


def test_secondary_never_repeats_primary_and_every_code_is_known():
    for cond in conditions.all_conditions():
        t = cond.treaters
        assert t.primary and not set(t.primary) & set(t.secondary), cond.key
    codes = {c for cond in conditions.all_conditions() for c in cond.specialties}
    assert all(nucc.is_known(c) for c in codes)
    # Every paediatric twin is a NUCC code SecondLook lists.
    assert all(nucc.is_known(c) for c in m.PAEDIATRIC_TWIN.values())


@pytest.mark.parametrize("name, code, how", [
    ("Amyotrophic lateral sclerosis", "G12.21", "title"),
    ("Gaucher disease", "E75.22", "title"),
    ("Huntington disease", "G10", "title"),  # "Huntington's disease": possessive ignored
    ("Glioblastoma", "C71", "neoplasm"),
    ("Hereditary diffuse gastric cancer", "C16", "neoplasm"),
    ("8q22.1 microdeletion syndrome", "Q99.9", "chromosomal"),
    ("Donohue syndrome", None, "genetic"),
])
def test_orphanet_cross_reference(name, code, how):
    found, found_how = orphanet.cross_reference(name)
    assert found_how == how and (found == code or code and found.startswith(code))


def test_a_paraneoplastic_disease_is_not_a_cancer():
    code, _ = orphanet.cross_reference("Cancer-associated retinopathy")
    assert code is None or not code.startswith("C")


def test_hpo_organ_system_only_adds_secondary_treaters():
    treaters, code = orphanet.treaters("Donohue syndrome", (m.ENDO,))
    assert code is None and treaters.primary == (m.GENETICS,) and m.ENDO in treaters.secondary
    # A disease ICD-10-CM places keeps its treaters whatever organ system its phenotype stresses.
    als, _ = orphanet.treaters("Amyotrophic lateral sclerosis", (m.ORTHO,))
    assert m.ORTHO not in als.primary


@pytest.mark.parametrize("code", ["G47.33", "G47.31", "G47.30"])
def test_sleep_apnoea_goes_to_sleep_medicine_and_pulmonology_before_neurology(code):
    # AASM: diagnosed by polysomnography and treated with PAP; neurology shares central apnoea.
    treaters = conditions.treaters_for("ICD-10-CM", code)
    assert {m.SLEEP, m.PULM} <= set(treaters.primary) and m.NEURO in treaters.secondary
    # Other sleep disorders (narcolepsy, insomnia) stay with neurology as well.
    assert m.NEURO in conditions.treaters_for("ICD-10-CM", "G47.411").primary


def test_obstructive_sleep_apnoea_adds_the_sleep_surgeon():
    assert m.ENT in conditions.treaters_for("ICD-10-CM", "G47.33").secondary
    assert m.ENT not in conditions.treaters_for("ICD-10-CM", "G47.31").all


@pytest.mark.parametrize("system, code", [("ICD-10-CM", "C45.0"), ("ORPHA", "50251")])
def test_pleural_mesothelioma_goes_to_thoracic_surgery_and_medical_oncology(system, code):
    # NCCN Mesothelioma: Pleural: surgery and systemic therapy lead; radiation is adjuvant or palliative.
    treaters = conditions.treaters_for(system, code)
    assert {m.THORACIC, m.MEDONC} <= set(treaters.primary) and m.RADONC not in treaters.primary
    assert {m.RADONC, m.PULM} <= set(treaters.secondary)


def test_peritoneal_mesothelioma_goes_to_surgical_oncology():
    treaters = conditions.treaters_for("ICD-10-CM", "C45.1")
    assert {m.SURGONC, m.MEDONC} <= set(treaters.primary) and m.THORACIC not in treaters.all
