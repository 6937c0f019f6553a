"""Answers that take the same time whatever they found: a floor under the time of a view."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import current_app


def uniform_timing(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer no sooner than ACCOUNT_ANSWER_FLOOR_MS after the view started, success or error.

    Registration, reset and login do different work for an address with an account and one
    without (a row written, a password checked): padding every answer to the same floor hides
    the difference, as long as the work stays under it.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return view(*args, **kwargs)
        finally:
            left = current_app.config["ACCOUNT_ANSWER_FLOOR_MS"] / 1000 - (time.perf_counter() - started)
            if left > 0:
                time.sleep(left)

    return wrapper
