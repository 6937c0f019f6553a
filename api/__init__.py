"""SecondLook: find the right specialist for a medical second opinion."""
from __future__ import annotations

from flask import Flask

from api.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, error handling."""
    app = Flask(__name__)
    app.config.update((config or Config.from_env()).as_flask())

    from api import observability
    from api.errors import register_error_handlers
    from api.extensions import SECURITY_SCHEMES, Api, db
    import search

    observability.init_app(app)  # first: the request id must exist before anything logs
    db.init_app(app)
    # One Api per app: flask-smorest keeps its spec on the instance.
    api = Api(app, spec_kwargs={"components": {"securitySchemes": SECURITY_SCHEMES}})
    register_error_handlers(app)
    search.init_app(app)

    from api.audit.routes import blp as audit_blp
    from api.auth.routes import blp as auth_blp
    from api.cases.routes import BLUEPRINTS as case_blueprints
    from api.directory.routes import blp as directory_blp
    from api.health.routes import blp as health_blp
    from api.matching.routes import blp as matching_blp
    from api.reference.routes import blp as reference_blp

    for blueprint in (health_blp, auth_blp, reference_blp, directory_blp, matching_blp, *case_blueprints, audit_blp):
        api.register_blueprint(blueprint)

    from api.billing.routes import blp as stripe_blp
    from api.coverage.routes import BLUEPRINTS as coverage_blueprints
    from api.scheduling.routes import blp as scheduling_blp

    for blueprint in (*coverage_blueprints, scheduling_blp, stripe_blp):
        api.register_blueprint(blueprint)

    from api import security, web

    security.init_app(app)  # after the blueprints: it wraps the rate-limited views
    web.init_app(app)  # the pages at / (templates, static files, CSRF)

    from api.cli import register_commands

    register_commands(app)
    return app
