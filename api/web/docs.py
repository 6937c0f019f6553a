"""/docs: the OpenAPI document in Swagger UI, served from the swagger-ui-bundle package (no CDN)."""
from __future__ import annotations

from flask import render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api.web import bp

_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js")


@bp.get("/docs")
def api_docs():
    """Swagger UI on /openapi.json."""
    return render_template("docs.html")


@bp.get("/docs/<any(" + ", ".join(f'"{name}"' for name in _FILES) + "):name>")
def api_docs_file(name: str):
    """Swagger UI's own files, from the installed package."""
    return send_from_directory(swagger_ui_path, name, max_age=3600)
