from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sessions.models import LivenessSession

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _path(created: dict[str, Any]) -> str:
    return created["url"].replace("http://testserver", "")


def test_the_page_opens_for_a_pending_session_with_what_the_script_needs(api: Any) -> None:
    created = api.create(cancel_url="https://m.example/back", number_of_gestures=2)
    response = Client().get(_path(created))
    assert response.status_code == 200
    html = response.content.decode()
    token = created["url"].rsplit("/", 1)[1]
    assert f'data-ws-url="ws://testserver/ws/active-liveness/{token}"' in html
    assert 'data-cancel-url="https://m.example/back"' in html
    assert 'data-total="2"' in html
    assert 'lang="en"' in html
    assert "HEAD_" not in html  # the challenges are revealed over the socket, one at a time


def test_the_page_protects_its_token(api: Any) -> None:
    response = Client().get(_path(api.create()))
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_no_external_assets_are_loaded(api: Any) -> None:
    html = Client().get(_path(api.create())).content.decode()
    assert "https://" not in html.replace('data-cancel-url="', "").split("<body", 1)[0]
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("?lang=id", "", "id"),
        ("", "id-ID,id;q=0.9,en;q=0.8", "id"),
        ("", "in-ID", "id"),
        ("?lang=en", "id", "en"),
        ("", "fr-FR", "en"),
        ("?lang=xx", "", "en"),
    ],
)
def test_the_language_follows_the_query_then_the_browser(
    api: Any, query: str, accept: str, expected: str
) -> None:
    response = Client().get(_path(api.create()) + query, headers={"Accept-Language": accept})
    assert f'lang="{expected}"' in response.content.decode()


def test_an_unknown_token_is_a_friendly_404_page() -> None:
    response = Client().get("/face/active-liveness/not-a-real-token")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("status", ["FINISHED", "CANCELLED"])
def test_an_ended_session_is_a_410_page(api: Any, status: str) -> None:
    created = api.create()
    LivenessSession.objects.filter(pk=created["sid"]).update(status=status)
    assert Client().get(_path(created)).status_code == 410


def test_an_expired_session_is_a_410_page_and_reads_as_expired(api: Any) -> None:
    created = api.create()
    LivenessSession.objects.filter(pk=created["sid"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client().get(_path(created)).status_code == 410
    assert LivenessSession.objects.get(pk=created["sid"]).status == "EXPIRED"


def test_the_page_answers_only_get(api: Any) -> None:
    assert Client().post(_path(api.create())).status_code == 405
