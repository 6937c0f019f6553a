"""/docs: the OpenAPI document in Swagger UI, vendored from npm's swagger-ui-dist (no CDN).

Swagger UI 5 is the first to read OpenAPI 3.1, which our document is (its cross-field rules need 3.1).
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template, send_from_directory

from api.web.blueprint import bp

SWAGGER_UI = Path(__file__).parent / "static" / "vendor" / "swagger-ui-5.35.0"
_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js")


@bp.get("/docs")
def api_docs():
    """Swagger UI on /openapi.json."""
    return render_template("docs.html")


@bp.get("/docs/<any(" + ", ".join(f'"{name}"' for name in _FILES) + "):name>")
def api_docs_file(name: str):
    """Swagger UI's own files, as vendored."""
    return send_from_directory(SWAGGER_UI, name, max_age=3600)
