"""Directory endpoints: public reads, admin-only writes."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.identity import secured
from api.db import db, reads_only
from api.directory import queries, services
from api.directory.present import practice_view, specialist_view
from api.directory.schemas import (
    ParticipationIn,
    PracticeLocationPatchSchema,
    PracticeLocationSchema,
    SpecialistPageSchema,
    SpecialistPatchSchema,
    SpecialistQuerySchema,
    SpecialistSchema,
    SpecialistWriteSchema,
)
from api.models import Role
from api.reference.services import parse_condition_ref, resolve_point
from api.schema_rules import query_rules
from api.unit_of_work import unit_of_work

blp = Blueprint(
    "directory",
    __name__,
    url_prefix="/v1/specialists",
    description="The specialist directory (reads are public; writes need the admin role)",
)


def _load(specialist_id: int):
    return services.load_specialist(db.session, specialist_id)


@blp.route("")
class Specialists(MethodView):
    """The directory."""

    @blp.arguments(SpecialistQuerySchema(), location="query")
    @blp.doc(**query_rules(SpecialistQuerySchema))
    @blp.response(200, SpecialistPageSchema)
    @blp.alt_response(429, description="Rate limit exceeded; retry after Retry-After seconds")
    @reads_only
    def get(self, filters):
        """Find specialists by specialty, place, network, condition, language, telehealth or name"""
        point = resolve_point(filters) if ("zip" in filters or "lat" in filters) else None
        if "condition" in filters:
            filters["condition"] = parse_condition_ref(filters["condition"], field="condition")
        page, distances = queries.list_specialists(db.session, filters, point)
        return page.with_items([specialist_view(s, distances.get(s.id)) for s in page.items])

    @secured(blp, Role.ADMIN)
    @blp.arguments(SpecialistWriteSchema())
    @blp.response(201, SpecialistSchema)
    @blp.alt_response(409, description="NPI already in the directory")
    def post(self, data, identity):
        """Add a specialist to the directory"""
        with unit_of_work() as uow:
            specialist = services.create_specialist(uow, data)
        return specialist_view(_load(specialist.id))


@blp.route("/<id:specialist_id>")
class SpecialistById(MethodView):
    """One specialist."""

    @blp.response(200, SpecialistSchema)
    @blp.alt_response(404, description="No such specialist")
    @reads_only
    def get(self, specialist_id):
        """Read a specialist with specialties, conditions, locations and networks"""
        return specialist_view(_load(specialist_id))

    @secured(blp, Role.ADMIN)
    @blp.arguments(SpecialistPatchSchema(partial=True))
    @blp.response(200, SpecialistSchema)
    @blp.alt_response(404, description="No such specialist")
    @blp.alt_response(409, description="NPI already in the directory")
    def patch(self, data, specialist_id, identity):
        """Change a specialist; lists given replace the old ones"""
        with unit_of_work() as uow:
            services.update_specialist(uow, specialist_id, data)
        return specialist_view(_load(specialist_id))

    @secured(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, description="No such specialist")
    def delete(self, specialist_id, identity):
        """Remove a specialist from the directory"""
        with unit_of_work() as uow:
            services.delete_specialist(uow, specialist_id)


@blp.route("/<id:specialist_id>/locations")
class PracticeLocations(MethodView):
    """Where a specialist practises."""

    @blp.response(200, PracticeLocationSchema(many=True))
    @blp.alt_response(404, description="No such specialist")
    @reads_only
    def get(self, specialist_id):
        """List a specialist's practice locations and their networks"""
        return [practice_view(p) for p in _load(specialist_id).practice_locations]

    @secured(blp, Role.ADMIN)
    @blp.arguments(PracticeLocationSchema())
    @blp.response(201, PracticeLocationSchema)
    @blp.alt_response(404, description="No such specialist")
    def post(self, data, specialist_id, identity):
        """Add a practice location (coordinates from the ZIP when omitted)"""
        with unit_of_work() as uow:
            practice = services.add_practice_location(uow, specialist_id, data)
        return practice_view(practice)


@blp.route("/<id:specialist_id>/locations/<id:practice_id>")
class PracticeLocationById(MethodView):
    """One practice location of a specialist."""

    @secured(blp, Role.ADMIN)
    @blp.arguments(PracticeLocationPatchSchema())
    @blp.response(200, PracticeLocationSchema)
    @blp.alt_response(404, description="No such practice location")
    def patch(self, data, specialist_id, practice_id, identity):
        """Change whether the specialist accepts new patients here"""
        with unit_of_work() as uow:
            practice = services.update_practice_location(uow, specialist_id, practice_id, data)
        return practice_view(practice)

    @secured(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, description="No such practice location")
    def delete(self, specialist_id, practice_id, identity):
        """Take the specialist off this location"""
        with unit_of_work() as uow:
            services.remove_practice_location(uow, specialist_id, practice_id)


@blp.route("/<id:specialist_id>/locations/<id:practice_id>/networks")
class Participations(MethodView):
    """Networks a specialist is in at a location."""

    @secured(blp, Role.ADMIN)
    @blp.arguments(ParticipationIn())
    @blp.response(201, PracticeLocationSchema)
    @blp.alt_response(404, description="No such practice location")
    @blp.alt_response(409, description="Already in that network here")
    def post(self, data, specialist_id, practice_id, identity):
        """Put the specialist in a network at this location"""
        with unit_of_work() as uow:
            practice = services.join_network(uow, specialist_id, practice_id, data["network_id"])
        return practice_view(practice)


@blp.route("/<id:specialist_id>/locations/<id:practice_id>/networks/<id:network_id>")
class ParticipationById(MethodView):
    """One network participation."""

    @secured(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, description="Not in that network here")
    def delete(self, specialist_id, practice_id, network_id, identity):
        """Take the specialist out of a network at this location"""
        with unit_of_work() as uow:
            services.leave_network(uow, specialist_id, practice_id, network_id)
