from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sessions.models import LivenessSession
from sessions.services.demo import demo_setup

pytestmark = pytest.mark.django_db


def test_the_demo_starts_a_session_for_the_demo_merchant_and_shows_it_on_return() -> None:
    demo_setup()
    client = Client()
    assert client.get("/demo/").status_code == 200
    response = client.post("/demo/start", {"gesture": "HEAD_LEFT"})
    assert response.status_code == 302
    session = LivenessSession.objects.get()
    assert response["Location"] == f"/face/active-liveness/{session.page_token}"
    assert session.gestures == ["HEAD_LEFT"]
    assert session.success_url.endswith("/demo/done")
    done = client.get(f"/demo/done?sid={session.sid}")
    assert done.status_code == 200
    assert str(session.sid) in done.content.decode()
    assert "&quot;status&quot;: &quot;PENDING&quot;" in done.content.decode()


def test_the_demo_draws_random_gestures_when_none_is_chosen() -> None:
    demo_setup()
    Client().post("/demo/start", {"gesture": "", "count": "3"})
    assert LivenessSession.objects.get().number_of_gestures == 3


def test_the_demo_is_off_when_disabled(settings: Any) -> None:
    demo_setup()
    settings.LIVENESS_DEMO_ENABLED = False
    assert Client().get("/demo/").status_code == 404


def test_the_demo_does_not_show_other_merchants_sessions(api: Any) -> None:
    demo_setup()
    sid = api.create()["sid"]
    assert Client().get(f"/demo/done?sid={sid}").status_code == 404


def test_the_demo_offers_and_starts_a_hand_gesture() -> None:
    demo_setup()
    client = Client()
    assert '<option value="HAND_01100">' in client.get("/demo/").content.decode()
    assert client.post("/demo/start", {"gesture": "HAND_01100"}).status_code == 302
    assert LivenessSession.objects.get().gestures == ["HAND_01100"]
