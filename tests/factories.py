"""Small `make_*` factories for tests: each makes one thing with sensible defaults."""
from __future__ import annotations

import itertools

from api.auth.services import create_user
from api.identifiers import make_npi
from api.models import (
    ConditionExpertise, Institution, Location, Network, NetworkParticipation, Payer, Plan, PlanType,
    PracticeLocation, Role, Specialist, SpecialistLanguage, SpecialistLicence, SpecialistSpecialty,
)
from reference import zip_centroids

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(session, role: Role = Role.PATIENT, **kw):
    """An account with PASSWORD as its password."""
    n = next(_seq)
    return create_user(session, email=kw.pop("email", f"user{n}@example.test"), password=kw.pop("password", PASSWORD),
                       role=role, display_name=kw.pop("display_name", f"User {n}"), **kw)


def make_institution(session, name: str | None = None, kind: str = "academic_medical_center"):
    """An institution."""
    inst = Institution(name=name or f"Institution {next(_seq)}", kind=kind)
    session.add(inst)
    return inst


def make_network(session, code: str | None = None, plan_type: PlanType = PlanType.PPO):
    """A network with one payer and one plan that uses it; returns (network, plan)."""
    n = next(_seq)
    payer = Payer(name=f"Synthetic Payer {n}", is_synthetic=True)
    network = Network(code=code or f"NET{n}", name=f"Network {n}", payer=payer)
    plan = Plan(code=f"PLAN{n}", name=f"Plan {n}", plan_type=plan_type, payer=payer, networks=[network])
    session.add_all([payer, network, plan])
    return network, plan


def make_specialist(session, *, specialty: str = "207RX0202X", extra_specialties=(), lat: float = 40.7506,
                    lon: float = -73.9972, zip_code: str = "10001", networks=(), languages=("en",),
                    conditions=(), institution=None, telehealth: bool = False, licensed_states=None,
                    **kw) -> Specialist:
    """A specialist with one practice location (at Manhattan 10001 by default), licensed in its ZIP's state."""
    n = next(_seq)
    specialist = Specialist(
        npi=kw.pop("npi", make_npi(100000000 + n)), first_name=kw.pop("first_name", f"First{n}"),
        last_name=kw.pop("last_name", f"Last{n}"), credentials="MD", telehealth=telehealth,
        institution=institution, **kw)
    specialist.specialties = [SpecialistSpecialty(taxonomy_code=specialty, is_primary=True)] + [
        SpecialistSpecialty(taxonomy_code=code, is_primary=False) for code in extra_specialties]
    specialist.language_rows = [SpecialistLanguage(language=lang) for lang in languages]
    if licensed_states is None:
        licensed_states = (zip_centroids.get(zip_code).state,)
    specialist.licence_rows = [SpecialistLicence(state=state) for state in licensed_states]
    specialist.conditions = [ConditionExpertise(system=s, code=c, cases_per_year=cases, publications=0,
                                                center_of_expertise=False) for s, c, cases in conditions]
    location = Location(address_line=f"{n} Main St", city="New York", state="NY", zip=zip_code, lat=lat, lon=lon)
    practice = PracticeLocation(location=location, accepting_new_patients=True)
    practice.participations = [NetworkParticipation(network=net) for net in networks]
    specialist.practice_locations = [practice]
    session.add(specialist)
    return specialist


def login(client, email: str, password: str = PASSWORD) -> dict:
    """Authorization headers for a freshly issued token."""
    response = client.post("/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}
