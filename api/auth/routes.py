"""Login, logout and who-am-I."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from api.auth import services
from api.auth.identity import bearer_token, secured
from api.auth.schemas import LoginSchema, MeSchema, TokenSchema
from api.db import db
from api.errors import problem
from api.models import User

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign in and out with bearer tokens")


@blp.route("/token")
class TokenResource(MethodView):
    """Bearer tokens."""

    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="E-mail or password is wrong")
    @blp.alt_response(429, description="Too many attempts from this address, or too many wrong passwords "
                                       "for this e-mail (locked for a while); see Retry-After")
    def post(self, credentials):
        """Log in: exchange e-mail and password for a bearer token"""
        policy, strangers = _lockout()
        try:
            issued = services.login(db.session, credentials["email"], credentials["password"],
                                    current_app.config["TOKEN_TTL_S"], policy=policy, strangers=strangers)
        except services.InvalidCredentials:
            db.session.commit()  # keeps the count of wrong passwords
            abort(401, message="E-mail or password is wrong.")
        except services.LoginLocked as locked:
            db.session.rollback()
            # The same answer whether or not the e-mail has an account.
            return problem(429, "Too many wrong passwords for this e-mail; try again later.",
                           headers={"Retry-After": str(locked.retry_after_s)})
        db.session.commit()
        return {"access_token": issued.token, "token_type": "Bearer",
                "expires_in": issued.expires_in, "role": issued.user.role.value}

    @secured(blp)
    @blp.response(204)
    def delete(self, identity):
        """Log out: revoke the bearer token of this request at once"""
        services.revoke_token(db.session, bearer_token() or "")
        db.session.commit()


def _lockout() -> tuple[services.LockoutPolicy, services.UnknownEmailLocks]:
    """The lockout policy from the configuration, and the app's store for e-mails without an account."""
    cfg = current_app.config
    policy = services.LockoutPolicy(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCKOUT_S"])
    # The rate limits' counter storage (memory or Redis) keeps the locks of e-mails without an account.
    return policy, services.UnknownEmailLocks(current_app.extensions["counter_storage"], policy)


@blp.route("/me")
class MeResource(MethodView):
    """The signed-in account."""

    @secured(blp)
    @blp.response(200, MeSchema)
    def get(self, identity):
        """Who am I: the account behind the bearer token"""
        return db.session.get(User, identity.user_id)
