"""GET /v1/reference/specialties, /v1/reference/conditions and /v1/geocode."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.reference import services
from api.reference.schemas import (
    ConditionQuerySchema,
    ConditionSchema,
    GeocodeQuerySchema,
    GeocodeResultSchema,
    SpecialtySchema,
)
from reference import conditions as condition_catalogue
from reference import nucc

blp = Blueprint("reference", __name__, url_prefix="/v1", description="Reference data from public sources")


@blp.route("/reference/specialties")
class Specialties(MethodView):
    """NUCC specialties."""

    @blp.response(200, SpecialtySchema(many=True))
    def get(self):
        """List the physician specialties (NUCC taxonomy codes) the directory uses"""
        return list(nucc.TAXONOMIES)


@blp.route("/reference/conditions")
class Conditions(MethodView):
    """ICD-10-CM and Orphanet conditions."""

    @blp.arguments(ConditionQuerySchema(), location="query")  # built once, not per request
    @blp.response(200, ConditionSchema(many=True))
    @blp.alt_response(429, description="Rate limit exceeded; retry after Retry-After seconds")
    def get(self, args):
        """Autocomplete conditions across ICD-10-CM and Orphanet (ORPHA) by name or code"""
        found = condition_catalogue.search(args["q"], limit=args["limit"], system=args.get("system"))
        return [
            {
                "system": c.system,
                "code": c.code,
                "key": c.key,
                "name": c.name,
                "rare": c.is_rare,
                "specialties": list(c.specialties),
                "primary_specialties": list(c.treaters.primary),
                "synonyms": list(c.synonyms),
            }
            for c in found
        ]


@blp.route("/geocode")
class Geocode(MethodView):
    """Geocoding."""

    @blp.arguments(GeocodeQuerySchema(), location="query")
    @blp.response(200, GeocodeResultSchema)
    @blp.alt_response(429, description="Rate limit exceeded; retry after Retry-After seconds")
    @blp.alt_response(503, description="The configured online geocoder is unreachable")
    def get(self, args):
        """Geocode a ZIP code or "City, ST" to coordinates"""
        places = services.geocode(args["q"])
        return {"query": args["q"], "results": [_place(p) for p in places]}


def _place(location) -> dict:
    raw = location.raw if isinstance(location.raw, dict) else {}
    return {
        "label": location.address,
        "lat": location.latitude,
        "lon": location.longitude,
        "zip": raw.get("zip"),
        "city": raw.get("city"),
        "state": raw.get("state"),
    }
