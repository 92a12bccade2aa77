from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import SESSIONS, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_too_many_sessions_for_one_device_answer_429_with_retry_after(
    api: Any, settings: Any
) -> None:
    settings.LIVENESS_DEVICE_RATE_PER_HOUR = 2
    body = {"success_url": "https://m.example/ok", "device_correlation_id": "phone-1"}
    assert api.post(SESSIONS, body).status_code == 201
    assert api.post(SESSIONS, body).status_code == 201
    response = api.post(SESSIONS, body)
    assert_error(response, 429, "RATE_LIMITED")
    assert 1 <= int(response["Retry-After"]) <= 3600
    # Another device of the same merchant is not affected.
    assert api.post(SESSIONS, {**body, "device_correlation_id": "phone-2"}).status_code == 201


def test_a_merchant_creating_too_fast_is_throttled(api: Any, other_api: Any, settings: Any) -> None:
    settings.LIVENESS_CREATE_RATE_PER_MINUTE = 3
    for _ in range(3):
        api.create()
    response = api.post(SESSIONS, {"success_url": "https://m.example/ok"})
    assert_error(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert other_api.post(SESSIONS, {"success_url": "https://m.example/ok"}).status_code == 201


def test_unknown_api_paths_answer_json_404(api: Any) -> None:
    assert_error(api.get("/face/v1/nothing-here"), 404, "NOT_FOUND")
    assert_error(api.client.get("/face/v1/nothing-here"), 404, "NOT_FOUND")


def test_an_unexpected_error_is_a_json_500_without_a_stack_trace(
    api: Any, monkeypatch: Any
) -> None:
    from django.db import DatabaseError
    from django.db.models.query import QuerySet

    def database_on_fire(self: Any, *args: Any) -> None:
        raise DatabaseError("database on fire")

    # The database is the boundary that fails here; the project's code runs for real.
    monkeypatch.setattr(QuerySet, "order_by", database_on_fire)
    response = api.get(SESSIONS)
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "fire" not in body["message"]
