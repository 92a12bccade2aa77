from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.support.api import SESSIONS

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_openapi_schema_describes_every_endpoint_and_error() -> None:
    response = Client().get("/face/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    collection = next(
        v for k, v in paths.items() if k.rstrip("/").endswith("active-liveness-sessions")
    )
    detail = next(v for k, v in paths.items() if "{sid}" in k)
    assert {"post", "get"} <= set(collection)
    assert {"get", "delete"} <= set(detail)
    create = collection["post"]
    assert {"201", "400", "401", "413", "415", "429"} <= set(create["responses"])
    request_schema = json.dumps(create["requestBody"])
    for field in (
        "success_url",
        "cancel_url",
        "number_of_gestures",
        "gestures",
        "expires_in",
        "device_correlation_id",
    ):
        assert field in json.dumps(schema["components"]) or field in request_schema
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "x-api-key"}
    assert schemes["BasicAuth"]["scheme"] == "basic"
    assert {"ApiKey": [], "BasicAuth": []} in create["security"]
    error = schema["components"]["schemas"]["Error"]
    assert {"status", "reason", "message"} <= set(error["properties"])


def test_the_docs_page_is_served_without_any_cdn() -> None:
    response = Client().get("/face/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_admin_lists_merchants_and_sessions_for_staff(api: Any) -> None:
    api.create()
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    client = Client()
    client.force_login(staff)
    for url in (
        "/admin/liveness_sessions/merchant/",
        "/admin/liveness_sessions/livenesssession/",
        "/admin/liveness_sessions/apikey/",
    ):
        assert client.get(url).status_code == 200
    session_admin = client.get("/admin/liveness_sessions/livenesssession/add/")
    assert session_admin.status_code == 403  # read-mostly: no sessions by hand


def test_admin_is_closed_to_anonymous_users() -> None:
    response = Client().get("/admin/liveness_sessions/livenesssession/")
    assert response.status_code == 302


def test_migrations_are_committed() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_the_expected_database_backend_is_in_use() -> None:
    import os

    expected = os.environ.get("GLAIR_EXPECT_DB")
    if expected:
        assert connection.vendor == expected
    else:
        assert connection.vendor in {"sqlite", "postgresql"}


def test_the_api_answers_json_even_for_an_unknown_sid_without_credentials() -> None:
    response = Client().get(f"{SESSIONS}/whatever")
    assert response.status_code == 401
    assert response.json()["reason"] == "UNAUTHORIZED"
