"""Login, logout and who-am-I."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import services
from api.auth.identity import bearer_token, secured
from api.auth.schemas import LoginSchema, MeSchema, TokenSchema
from api.auth.throttle import Throttle, ThrottlePolicy
from api.auth.timing import uniform_timing
from api.db import db
from api.models import User
from api.unit_of_work import unit_of_work

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign in and out with bearer tokens")


@blp.route("/token")
class TokenResource(MethodView):
    """Bearer tokens."""

    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="E-mail or password is wrong")
    @blp.alt_response(
        429,
        description="Too many attempts from this address, or too many wrong passwords "
        "for this e-mail (blocked for a while, longer each time); see Retry-After",
    )
    @uniform_timing
    def post(self, credentials):
        """Log in: exchange e-mail and password for a bearer token"""
        throttle = Throttle(
            db.new_session, ThrottlePolicy.from_config(current_app.config), credentials["email"], request.remote_addr
        )
        with unit_of_work() as uow:
            issued = services.login(
                uow, credentials["email"], credentials["password"], current_app.config["TOKEN_TTL_S"], throttle
            )
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "role": issued.user.role.value,
        }

    @secured(blp, pending_ok=True)
    @blp.response(204)
    def delete(self, identity):
        """Log out: revoke the bearer token of this request at once"""
        token = bearer_token()
        with unit_of_work() as uow:
            if token is not None:  # always, past @secured
                services.revoke_token(uow.session, token)


@blp.route("/me")
class MeResource(MethodView):
    """The signed-in account."""

    @secured(blp, pending_ok=True)
    @blp.response(200, MeSchema)
    def get(self, identity):
        """Who am I: the account behind the bearer token"""
        return db.session.get(User, identity.user_id)
