from __future__ import annotations

from typing import Any

import pytest

from sessions.models import LivenessSession, SessionEvent
from tests.support.api import SESSIONS, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_list_returns_this_merchants_sessions_ascending(api: Any, other_api: Any) -> None:
    mine = [api.create()["sid"] for _ in range(3)]
    other_api.create()
    body = api.get(SESSIONS).json()
    assert [s["sid"] for s in body] == mine


def test_list_pages_with_start_and_top(api: Any) -> None:
    sids = [api.create()["sid"] for _ in range(5)]
    page = api.get(f"{SESSIONS}?start={sids[1]}&top=2").json()
    assert [s["sid"] for s in page] == sids[2:4]
    assert api.get(f"{SESSIONS}?start={sids[-1]}").json() == []


@pytest.mark.parametrize("query", ["top=0", "top=1001", "top=abc", "start=not-a-sid"])
def test_list_rejects_bad_paging(api: Any, query: str) -> None:
    assert_error(api.get(f"{SESSIONS}?{query}"), 400, "INVALID_REQUEST")


def test_delete_revokes_the_page_and_answers_404_afterwards(api: Any) -> None:
    created = api.create()
    page = api.client.get(created["url"].replace("http://testserver", ""))
    assert page.status_code == 200
    assert api.delete(f"{SESSIONS}/{created['sid']}").status_code == 204
    assert_error(api.get(f"{SESSIONS}/{created['sid']}"), 404)
    assert_error(api.delete(f"{SESSIONS}/{created['sid']}"), 404)
    assert api.client.get(created["url"].replace("http://testserver", "")).status_code == 404
    assert created["sid"] not in str(api.get(SESSIONS).json())
    assert SessionEvent.objects.filter(session_id=created["sid"], kind="session_deleted").exists()


def test_delete_removes_stored_images(
    api: Any, tmp_path: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path
    created = api.create()
    session = LivenessSession.objects.get(pk=created["sid"])
    image = session.images.create(
        kind="reference",
        captured_at=timezone.now(),
        image=ContentFile(b"\xff\xd8jpeg", name="ref.jpg"),
    )
    stored = tmp_path / image.image.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{SESSIONS}/{created['sid']}").status_code == 204
    assert not stored.exists()
    assert not session.images.exists()


def test_it_rejects_deleting_other_merchants_session(api: Any, other_api: Any) -> None:
    sid = api.create()["sid"]
    assert_error(other_api.delete(f"{SESSIONS}/{sid}"), 404)
    assert api.get(f"{SESSIONS}/{sid}").status_code == 200


def test_unsupported_methods_answer_405(api: Any) -> None:
    sid = api.create()["sid"]
    assert_error(
        api.client.put(f"{SESSIONS}/{sid}", headers=api.headers), 405, "METHOD_NOT_ALLOWED"
    )
    assert_error(api.client.patch(SESSIONS, headers=api.headers), 405)
