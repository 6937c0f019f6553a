"""The application factory: configuration, extensions, blueprints, error handling, commands."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

import search
from api import json_input, observability, security, web
from api.accounts.routes import admin_blp
from api.accounts.routes import blp as accounts_blp
from api.audit.routes import blp as audit_blp
from api.auth.routes import blp as auth_blp
from api.billing.routes import blp as stripe_blp
from api.cases.routes import BLUEPRINTS as case_blueprints
from api.cli import register_commands
from api.config import Config
from api.converters import IdConverter, id_parameter_schema
from api.coverage import plan_cache
from api.coverage.routes import BLUEPRINTS as coverage_blueprints
from api.directory.routes import blp as directory_blp
from api.errors import register_error_handlers
from api.extensions import SECURITY_SCHEMES, Api, db
from api.health.routes import blp as health_blp
from api.insurance.routes import blp as insurance_blp
from api.matching.routes import blp as matching_blp
from api.reference.routes import blp as reference_blp
from api.request_limits import RequestLimits
from api.scheduling.routes import blp as scheduling_blp
from api.schema_rules import SchemaRulesPlugin


def create_app(config: Config | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, error handling."""
    app = Flask(__name__)
    app.config.update((config or Config.from_env()).as_flask())

    observability.init_app(app)  # first: the request id must exist before anything logs
    db.init_app(app)
    plan_cache.init_app(app)  # plans and coverage rules in memory, versioned with every write to them
    app.url_map.converters["id"] = IdConverter  # before any route uses <id:...>
    # One Api per app: flask-smorest keeps its spec on the instance.
    api = Api(
        app, spec_kwargs={"components": {"securitySchemes": SECURITY_SCHEMES}, "extra_plugins": [SchemaRulesPlugin()]}
    )  # cross-field rules in the spec
    api.register_converter(IdConverter, id_parameter_schema)
    register_error_handlers(app)
    json_input.init_app(app)  # hostile JSON is a 400 before any view or schema reads it
    app.wsgi_app = RequestLimits(app.wsgi_app)  # type: ignore[method-assign]  # URL and header limits
    search.init_app(app)

    for blueprint in (
        health_blp,
        auth_blp,
        accounts_blp,
        admin_blp,
        reference_blp,
        directory_blp,
        insurance_blp,
        matching_blp,
        *case_blueprints,
        audit_blp,
    ):
        api.register_blueprint(blueprint)

    for blueprint in (*coverage_blueprints, scheduling_blp, stripe_blp):
        api.register_blueprint(blueprint)

    security.init_app(app)  # after the blueprints: it wraps the rate-limited views
    web.init_app(app)  # the pages at / (templates, static files, CSRF)

    register_commands(app)
    return app


def main() -> None:
    """Entry point of the `secondlook` console script."""
    FlaskGroup(create_app=lambda: create_app(), add_default_commands=True)(prog_name="secondlook")
