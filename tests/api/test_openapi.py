"""The committed OpenAPI document is the one the code generates, and it is valid OpenAPI."""
import yaml
from openapi_spec_validator import validate

from api.config import REPO_ROOT

SPEC_PATH = REPO_ROOT / "docs" / "openapi.yaml"
REGENERATE = "make openapi  (secondlook openapi write --format=yaml docs/openapi.yaml)"


def _generated(app) -> dict:
    with app.app_context():
        return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


def test_committed_spec_matches_the_code(app):
    committed = yaml.safe_load(SPEC_PATH.read_text())
    assert committed == _generated(app), f"docs/openapi.yaml drifted from the code; run {REGENERATE}"


def test_spec_is_valid_openapi(app):
    validate(_generated(app))


METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(spec: dict):
    """Every operation as (name, path, operation, its parameters and its path's)."""
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, op, shared + op.get("parameters", [])


def _resolve(spec: dict, node: dict) -> dict:
    """The component a $ref points at (or the node itself)."""
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def _has_example(spec: dict, node, seen=frozenset()) -> bool:
    """True when a schema or media type carries an example anywhere (following $refs once each)."""
    if not isinstance(node, dict):
        return False
    if "$ref" in node:
        return node["$ref"] not in seen and _has_example(spec, _resolve(spec, node), seen | {node["$ref"]})
    if "example" in node or "examples" in node or node.get("format") == "binary":
        return True  # (bytes such as a downloaded document have no useful example in YAML)
    children = [node.get("schema"), node.get("items"), node.get("additionalProperties"),
                *node.get("properties", {}).values(), *node.get("allOf", []), *node.get("oneOf", [])]
    return any(_has_example(spec, child, seen) for child in children)


def test_every_operation_has_a_summary_and_documented_errors(app):
    spec = _generated(app)
    for name, path, op, parameters in _operations(spec):
        assert op.get("summary"), f"{name} has no summary"
        codes = set(op["responses"])
        assert any(code.startswith(("4", "5")) or code == "default" for code in codes), name
        if op.get("security"):
            assert {"401", "403"} <= codes, f"{name} is secured but does not document 401/403"
        if any(p["in"] == "path" for p in parameters):
            assert "404" in codes, f"{name} has path ids but does not document 404"
        # Only bodies and query strings are validated by schema (headers such as X-Access-Reason are not);
        # the webhook reads its body as signed bytes, so a bad one is a 400, not a 422.
        takes_arguments = "requestBody" in op or any(p["in"] == "query" for p in parameters)
        if takes_arguments and path != "/v1/stripe/webhook":
            assert "422" in codes, f"{name} takes arguments but does not document 422"


def test_every_operation_documents_its_bodies(app):
    spec = _generated(app)
    for name, _, op, _ in _operations(spec):
        if "requestBody" in op:
            for media, content in op["requestBody"]["content"].items():
                assert content.get("schema"), f"{name} has no request schema for {media}"
        successes = {code: _resolve(spec, r) for code, r in op["responses"].items() if code.startswith("2")}
        assert successes, f"{name} documents no success response"
        for code, response in successes.items():
            if code != "204":
                assert any(c.get("schema") for c in response.get("content", {}).values()), \
                    f"{name} has no schema for its {code} response"


def test_every_operation_has_an_example(app):
    spec = _generated(app)
    for name, _, op, parameters in _operations(spec):
        if "requestBody" in op:
            assert _has_example(spec, op["requestBody"]["content"].get("application/json")
                                or next(iter(op["requestBody"]["content"].values()))), \
                f"{name} has no request body example"
            continue
        successes = [_resolve(spec, r) for code, r in op["responses"].items() if code.startswith("2")]
        query = [p for p in parameters if p["in"] == "query"]
        carriers = [*query, *(content for r in successes for content in r.get("content", {}).values())]
        if not carriers:
            continue  # only ids go in and nothing comes out (DELETE answering 204): nothing to exemplify
        assert any(_has_example(spec, c) for c in carriers), f"{name} has no example"


def test_documented_errors_carry_problem_json(app):
    spec = _generated(app)
    for name, _, op, _ in _operations(spec):
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                content = _resolve(spec, response).get("content")
                assert content and list(content) == ["application/problem+json"], f"{name} {code}"


def test_error_responses_are_problem_json(app):
    spec = _generated(app)
    for name, response in spec["components"]["responses"].items():
        if "content" in response:
            assert list(response["content"]) == ["application/problem+json"], name
