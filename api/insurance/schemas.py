"""Query arguments and answers of the insurance endpoints."""

import marshmallow as ma
from marshmallow import validate

from api.fields import ID_RANGE
from api.insurance.queries import PLAN_TYPE_LABELS, card_name
from api.models import PlanType
from api.pages import PageArgs, page_schema

Q = ma.fields.String(
    validate=validate.Length(min=1, max=100),
    metadata={"description": "Words of the name, as on the member card (all must appear)", "example": "atlantic hmo"},
)


class PayerSchema(ma.Schema):
    """An insurer."""

    id = ma.fields.Integer(metadata={"example": 4})
    name = ma.fields.String(metadata={"example": "Synthetic Atlantic Shore Health"})
    is_synthetic = ma.fields.Boolean()


class NetworkSchema(ma.Schema):
    """A provider network."""

    id = ma.fields.Integer(metadata={"example": 12})
    code = ma.fields.String(metadata={"example": "ATL-HMO"})
    name = ma.fields.String(metadata={"example": "Synthetic Atlantic Shore Health HMO Network"})
    payer = ma.fields.Nested(PayerSchema)


class PlanNetworkSchema(ma.Schema):
    """A network a plan reaches providers through."""

    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class PlanSchema(ma.Schema):
    """An insurance plan; `id` is what POST /v1/matches and the coverage endpoints take as plan_id."""

    id = ma.fields.Integer(metadata={"example": 31})
    code = ma.fields.String(metadata={"example": "ATL-HMO-NY"})
    name = ma.fields.String(metadata={"example": "Synthetic Atlantic Shore Health HMO (NY)"})
    card_name = ma.fields.Function(
        card_name,
        metadata={
            "description": "Payer and plan, as a member card shows them",
            "example": "Synthetic Atlantic Shore Health HMO (NY)",
        },
    )
    plan_type = ma.fields.Function(lambda plan: plan.plan_type.value, metadata={"example": "HMO"})
    plan_type_label = ma.fields.Function(lambda plan: PLAN_TYPE_LABELS[plan.plan_type], metadata={"example": "HMO"})
    state = ma.fields.String(
        allow_none=True, metadata={"description": "Sold only in this state; null: nationally", "example": "NY"}
    )
    is_synthetic = ma.fields.Boolean()
    payer = ma.fields.Nested(PayerSchema)
    networks = ma.fields.List(ma.fields.Nested(PlanNetworkSchema))


PayerPageSchema = page_schema(PayerSchema, "PayerPage")
PlanPageSchema = page_schema(PlanSchema, "PlanPage")
NetworkPageSchema = page_schema(NetworkSchema, "NetworkPage")


class PayerQuerySchema(PageArgs):
    """Find payers."""

    q = Q


class PlanQuerySchema(PageArgs):
    """Find plans."""

    q = Q
    state = ma.fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$", error="A two-letter state code."),
        metadata={"description": "Plans sold in this state (national plans included)", "example": "NY"},
    )
    type = ma.fields.String(validate=validate.OneOf([t.value for t in PlanType]), metadata={"example": "HMO"})
    payer_id = ma.fields.Integer(validate=ID_RANGE)


class NetworkQuerySchema(PageArgs):
    """Find networks."""

    q = Q
    payer_id = ma.fields.Integer(validate=ID_RANGE)
    plan_id = ma.fields.Integer(validate=ID_RANGE, metadata={"description": "Networks this plan uses"})
