"""The OpenAPI schema: valid with --fail-on-warn, and the API answers as it says (schemathesis, read and write tokens)."""

import io

from django.core.management import call_command

from tests.api.conftest import run_schemathesis


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=io.StringIO())

    text = out.read_text()
    for path in [
        "/api/v1/regions/",
        "/api/v1/districts/",
        "/api/v1/daily-counts/",
        "/api/v1/daily-counts/batch/",
        "/api/v1/coverage/",
        "/api/v1/coverage/series/",
        "/api/v1/highlights/",
        "/api/v1/briefing/",
    ]:
        assert f"  {path}:" in text


def test_the_schema_is_served_without_a_token(db):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "tokenAuth" in response.json()["components"]["securitySchemes"]


def test_the_docs_page_loads_its_assets_from_this_server(db):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # the set-up script is a file of its own (strict CSP)


def test_every_operation_answers_as_the_schema_says_for_a_read_token(api_schema, demo):
    from census.access import issue_token

    _token, key = issue_token(name="schemathesis read", region=demo, can_write=False)

    assert run_schemathesis(api_schema, key) == 20


def test_every_operation_answers_as_the_schema_says_for_a_write_token(api_schema, demo):
    from census.access import issue_token

    _token, key = issue_token(name="schemathesis write", region=None, can_write=True)

    assert run_schemathesis(api_schema, key) == 20
