"""Pages that act on cases or accounts ask what the API's `secured` asks: a role, then good standing."""

from __future__ import annotations

import functools
from collections.abc import Callable

from api.auth.standing import require_standing
from api.models import Role
from api.web.identity import sign_in_required


def in_good_standing(*roles: Role) -> Callable:
    """Decorate a page: signed in with one of `roles`, and an account in good standing (else a 403 page).

    The reason comes from api/auth/standing.py, as the API gives it: an unconfirmed e-mail, or a
    referring physician whose NPI no administrator has verified yet.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def standing_checked(*args, identity, **kwargs):
            require_standing(identity)
            return view(*args, identity=identity, **kwargs)

        return sign_in_required(*roles)(standing_checked)

    return decorator
