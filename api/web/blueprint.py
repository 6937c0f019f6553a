"""The pages' blueprint and its CSRF protection, below the page modules that add routes to it."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFProtect

FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")
csrf = CSRFProtect()
bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
