"""When the Elasticsearch cluster cannot answer, matching says so with a 503, never a 500."""
from api.app import create_app
from api.config import TestConfig


def test_match_answers_503_problem_when_elasticsearch_is_unreachable(database_url):
    # Nothing listens on port 1: every request fails to connect at once.
    app = create_app(TestConfig(DATABASE_URL=database_url, SEARCH_BACKEND="elasticsearch",
                                ELASTICSEARCH_URL="http://127.0.0.1:1", ELASTICSEARCH_TIMEOUT_S=1.0))
    response = app.test_client().post("/v1/matches", json={
        "conditions": [{"system": "ICD-10-CM", "code": "C92.0"}], "zip": "10001"})
    assert response.status_code == 503, response.get_json()
    assert response.mimetype == "application/problem+json" and response.headers["Retry-After"]
    app.extensions["db"][0].dispose()
