"""The merchant API as a test speaks it: Django's test client with a persona's credentials."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.support.factories import MerchantPersona

SESSIONS = "/face/v1/active-liveness-sessions"


class ApiClient:
    """Django's test client speaking the merchant API with a persona's credentials."""

    def __init__(self, persona: MerchantPersona | None) -> None:
        self.client = Client()
        self.headers = persona.headers if persona else {}

    def post(self, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(
            path, data=data, content_type="application/json", headers={**self.headers, **headers}
        )

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers={**self.headers, **headers})

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers={**self.headers, **headers})

    def create(self, **body: Any) -> dict[str, Any]:
        body.setdefault("success_url", "https://merchant.example/done")
        response = self.post(SESSIONS, body)
        assert response.status_code == 201, response.content
        return response.json()


def assert_error(response: Any, status: int, reason: str | None = None) -> dict[str, Any]:
    """Every error is the JSON body GLAIR's SDKs read, never HTML."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    if reason:
        assert body["reason"] == reason
    assert "Traceback" not in response.content.decode()
    return body
