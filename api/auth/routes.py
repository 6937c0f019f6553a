"""Login, logout and who-am-I."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.auth import services
from api.auth.identity import bearer_token, secured
from api.auth.schemas import LoginSchema, MeSchema, TokenSchema
from api.db import db
from api.models import User

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign in and out with bearer tokens")


@blp.route("/token")
class TokenResource(MethodView):
    """Bearer tokens."""

    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="E-mail or password is wrong")
    def post(self, credentials):
        """Log in: exchange e-mail and password for a bearer token"""
        try:
            issued = services.login(db.session, credentials["email"], credentials["password"],
                                    current_app.config["TOKEN_TTL_S"])
        except services.InvalidCredentials:
            db.session.rollback()
            abort(401, message="E-mail or password is wrong.")
        db.session.commit()
        return {"access_token": issued.token, "token_type": "Bearer",
                "expires_in": issued.expires_in, "role": issued.user.role.value}

    @secured(blp)
    @blp.response(204)
    def delete(self, identity):
        """Log out: revoke the bearer token of this request at once"""
        services.revoke_token(db.session, bearer_token())
        db.session.commit()


@blp.route("/me")
class MeResource(MethodView):
    """The signed-in account."""

    @secured(blp)
    @blp.response(200, MeSchema)
    def get(self, identity):
        """Who am I: the account behind the bearer token"""
        return db.session.get(User, identity.user_id)
