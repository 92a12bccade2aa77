"""The typed vocabulary on the Django side: the stored event kinds, the schema's enums and the
session object, each from one definition (gestures.vocabulary, sessions.api.serializers)."""

from __future__ import annotations

import asyncio
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AlterField
from django.test import Client

from gestures.passive import HIGH, LOW
from gestures.verdict import build_verdict, gesture_result
from gestures.vocabulary import (
    EventKind,
    GestureOutcome,
    PassiveOutcome,
    Phase,
    Verdict,
    VerdictDetail,
    data_keys,
)
from sessions import protocol
from sessions.dashboard import present
from sessions.models import LivenessSession, SessionEvent
from sessions.services.progress import session_cancel, session_finish
from sessions.services.sessions import (
    event_record,
    session_create,
    session_delete,
    sessions_expire_due,
)
from tests.support.api import SESSIONS, ApiClient
from tests.support.clips import b64, jpeg_frames
from tests.support.factories import MerchantPersona

pytestmark = pytest.mark.django_db
SCHEMA_URL = "/face/v1/schema/?format=json"


def _schema() -> dict[str, Any]:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    schemas: dict[str, Any] = response.json()["components"]["schemas"]
    return schemas


def _verdict(*, spoof: bool) -> Verdict:
    passive = {"spoof_percentage": 0.93 if spoof else 0.02, "status": HIGH if spoof else LOW}
    verdict: Verdict = build_verdict(
        ["HEAD_LEFT", "HEAD_OPEN_MOUTH"],
        [gesture_result("HEAD_LEFT", "MATCH", "HEAD_LEFT", 900), None],
        {**passive, "samples": 12},
    )
    return verdict


# --- the stored kinds ---------------------------------------------------------------------------
def test_the_event_kind_column_offers_exactly_the_event_kinds() -> None:
    field = SessionEvent._meta.get_field("kind")
    assert [value for value, _ in field.choices] == [kind.value for kind in EventKind]


def test_the_choices_came_with_a_migration_that_changes_no_data() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 when missing
    loader = MigrationLoader(connection)
    migration = loader.get_migration("liveness_sessions", "0005_event_kind_choices")
    assert [type(op) for op in migration.operations] == [AlterField]
    (op,) = migration.operations
    assert (op.model_name, op.name) == ("sessionevent", "kind")
    assert op.field.max_length == 40  # the column is as it was


def test_a_kind_outside_the_vocabulary_is_refused_not_recorded(api: ApiClient) -> None:
    session = LivenessSession.objects.get(pk=api.create()["sid"])
    with pytest.raises(ValueError):
        event_record(session=session, kind="challenge_passed")
    assert "challenge_passed" not in set(session.events.values_list("kind", flat=True))


def test_the_life_of_a_session_outside_the_page_records_event_kinds_only(
    api: ApiClient,
) -> None:
    """Created, expired, cancelled, finished, deleted: every kind the services record is an
    EventKind, with the data its TypedDict names."""
    created = [api.create(number_of_gestures=2)["sid"] for _ in range(4)]
    expiring, cancelling, finishing, deleting = (LivenessSession.objects.get(pk=s) for s in created)
    LivenessSession.objects.filter(pk=expiring.pk).update(expires_at=expiring.created_at)
    assert sessions_expire_due(sid=expiring.sid) == 1
    assert session_cancel(session=cancelling)
    assert session_finish(session=finishing, verdict=_verdict(spoof=False))
    session_delete(merchant=deleting.merchant, sid=deleting.sid)

    recorded = list(SessionEvent.objects.filter(session_id__in=created))
    assert {event.kind for event in recorded} == {
        EventKind.SESSION_CREATED,
        EventKind.SESSION_EXPIRED,
        EventKind.SESSION_CANCELLED,
        EventKind.VERDICT,
        EventKind.SESSION_DELETED,
    }
    for event in recorded:
        assert event.kind in set(EventKind)
        assert set(event.data) == set(data_keys(EventKind(event.kind))), event.kind


def test_the_page_protocol_tells_the_same_phases() -> None:
    # Until sessions.protocol imports gestures.vocabulary.Phase: the page hears these words.
    assert [p.value for p in protocol.Phase] == [p.value for p in Phase]


# --- the schema ---------------------------------------------------------------------------------
def test_the_schemas_event_kinds_are_the_enums_and_its_help_names_each_once() -> None:
    schemas = _schema()
    assert schemas["EventKindEnum"] == {"type": "string", "enum": [k.value for k in EventKind]}
    kind = schemas["Event"]["properties"]["kind"]
    assert kind["allOf"] == [{"$ref": "#/components/schemas/EventKindEnum"}]
    described = [part.split(" (")[0] for part in kind["description"].split(": ", 1)[1].split("; ")]
    assert described == [k.value for k in EventKind]
    assert "challenge_passed" not in kind["description"]  # a socket message, never recorded
    # The image's kind keeps its own enum and name.
    assert schemas["KindEnum"]["enum"] == ["reference", "audit", "verify"]


def test_the_schemas_verdict_is_the_verdict_typeddict() -> None:
    schemas = _schema()
    shapes = {
        "Verdict": Verdict,
        "VerdictDetail": VerdictDetail,
        "GestureOutcome": GestureOutcome,
        "PassiveEvidence": PassiveOutcome,
    }
    for name, shape in shapes.items():
        documented = schemas[name]
        assert list(documented["properties"]) == list(shape.__annotations__), name
        assert set(documented["required"]) == shape.__required_keys__, name


def test_the_schemas_session_fields_are_the_keys_of_every_answer(api: ApiClient) -> None:
    documented = list(_schema()["Session"]["properties"])
    pending = api.create(cancel_url="https://m.example/back")
    finished, spoofed, cancelled = (api.create() for _ in range(3))
    session_finish(session=LivenessSession.objects.get(pk=finished["sid"]), verdict=_verdict(spoof=False))  # fmt: skip
    session_finish(session=LivenessSession.objects.get(pk=spoofed["sid"]), verdict=_verdict(spoof=True))  # fmt: skip
    session_cancel(session=LivenessSession.objects.get(pk=cancelled["sid"]))

    answers = [pending, *api.get(SESSIONS).json()]
    answers += [api.get(f"{SESSIONS}/{s['sid']}").json() for s in (finished, spoofed, cancelled)]
    assert {a["status"] for a in answers} == {"PENDING", "FINISHED", "CANCELLED"}
    for answer in answers:
        assert list(answer) == documented, answer["status"]
    detail_keys = set(VerdictDetail.__annotations__)
    for answer in answers:
        if answer["result"] is not None:
            assert set(answer["result"]) == set(Verdict.__annotations__)
            assert set(answer["result"]["result"]) <= detail_keys
            assert set(answer["result"]["result"]) >= VerdictDetail.__required_keys__


def test_the_session_object_is_shaped_as_before(api: ApiClient) -> None:
    body = api.create(cancel_url="https://m.example/back", gestures=["HEAD_UP", "HEAD_LEFT"])
    session = LivenessSession.objects.get(pk=body["sid"])
    assert body["sid"] == str(session.sid) and body["number_of_gestures"] == 2
    assert body["expired"] == int(session.expires_at.timestamp() * 1000)
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == len("2026-11-22T10:00:00.000Z")  # fmt: skip
    assert body["url"].endswith(f"/face/active-liveness/{session.page_token}")
    assert body["cancel_url"] == "https://m.example/back" and body["result"] is None
    assert api.create()["cancel_url"] is None  # blank is null, as GLAIR


# --- the dashboard's words for a verdict --------------------------------------------------------
def test_the_dashboard_words_a_committed_verdict(api: ApiClient) -> None:
    session = LivenessSession.objects.get(pk=api.create(number_of_gestures=2)["sid"])
    assert present.verdict_of(session) == "none" and present.passive_of(session) == "—"
    assert [(r.gesture, r.status) for r in present.gesture_rows(session)] == [
        (g, "") for g in session.gestures
    ]
    LivenessSession.objects.filter(pk=session.pk).update(gestures=["HEAD_LEFT", "HEAD_OPEN_MOUTH"])
    session.refresh_from_db()
    session_finish(session=session, verdict=_verdict(spoof=True))
    session.refresh_from_db()
    assert present.verdict_of(session) == "failed"
    assert present.passive_of(session) == "HIGH (spoof 0.93): SPOOF_SUSPECTED"
    rows = present.gesture_rows(session)
    assert [(r.gesture, r.status, r.detected, r.duration_ms) for r in rows] == [
        ("HEAD_LEFT", "MATCH", "HEAD_LEFT", 900),
        ("HEAD_OPEN_MOUTH", "NOT_MATCH", "", None),
    ]
    verdict = session.events.get(kind=EventKind.VERDICT)
    assert present.event_summary(verdict) == "failed (NOT_MATCH)"


# --- a real run through the page's socket -------------------------------------------------------
async def _stream_from(
    page: Any, clip: Path, *, first_seq: int, until: str, loops: int = 1
) -> tuple[list[dict[str, Any]], int]:
    """`tests.sessions.test_socket._stream` numbering frames from `first_seq` (a socket takes
    each seq once), the clip looped `loops` times: the messages, and the next free seq."""
    received: list[dict[str, Any]] = []
    in_flight: set[int] = set()

    async def take() -> bool:
        message = await page.receive_json_from(timeout=15)
        received.append(message)
        if message["type"] in ("frame_result", "frame_dropped"):
            in_flight.discard(message["seq"])
        return message["type"] in (until, "result")

    once = list(jpeg_frames(clip, fps=10))
    length_ms = once[-1][0] + 100
    frames = [(t + i * length_ms, jpeg) for i in range(loops) for t, jpeg in once]
    seq, started = first_seq, time.monotonic()
    for t_ms, jpeg in frames:
        await asyncio.sleep(max(t_ms / 1000 - (time.monotonic() - started), 0))
        while len(in_flight) >= 2:
            if await take():
                return received, seq
        await page.send_json_to({"type": "frame", "seq": seq, "image": b64(jpeg)})
        in_flight.add(seq)
        seq += 1
    while in_flight:
        if await take():
            break
    return received, seq


@pytest.mark.slow
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_real_run_records_every_event_kind_and_nothing_else(
    shared_data: Path, settings: Any, tmp_path: Path, merchant: MerchantPersona
) -> None:
    """A failed attempt on a still face, "Try again", a real mouth opening; then a session
    cancelled from its page, one expired and one deleted: together they record every kind."""
    from tests.sessions.test_socket import _connect, _started

    settings.MEDIA_ROOT = tmp_path
    # Short enough for the still clip to fail an attempt, long enough for the opening to count.
    settings.LIVENESS_ENGINE = {"gesture_time_limit_ms": 4000}
    videos = shared_data / "videos"
    create = database_sync_to_async(
        lambda **kw: session_create(merchant=merchant.merchant, success_url="https://m.example/ok",
                                    cancel_url="https://m.example/back", **kw)
    )  # fmt: skip
    run = await create(gestures=["HEAD_OPEN_MOUTH"])
    page = await _started(run)
    still, seq = await _stream_from(
        page, videos / "lp_d0_still.mp4", first_seq=0, until="attempt_failed", loops=3
    )
    assert still[-1]["type"] == "attempt_failed", [m["type"] for m in still]
    await page.send_json_to({"type": "retry"})
    opening, _ = await _stream_from(
        page, videos / "lp_d18_mouth_open.mp4", first_seq=seq, until="result"
    )
    assert opening[-1]["type"] == "result" and opening[-1]["outcome"] == "passed", opening[-1]
    assert (await page.receive_output(timeout=5))["type"] == "websocket.close"
    await page.disconnect()

    back = await create()
    other = await _connect(back)
    await other.receive_json_from()
    await other.send_json_to({"type": "cancel"})
    assert (await other.receive_json_from())["outcome"] == "cancelled"
    assert (await other.receive_output(timeout=5))["type"] == "websocket.close"
    await other.disconnect()

    def expire_and_delete() -> None:
        late = session_create(merchant=merchant.merchant, success_url="https://m.example/ok")
        LivenessSession.objects.filter(pk=late.pk).update(expires_at=late.created_at)
        sessions_expire_due(sid=late.sid)
        session_delete(merchant=merchant.merchant, sid=back.sid)

    await database_sync_to_async(expire_and_delete)()
    recorded = await database_sync_to_async(lambda: list(SessionEvent.objects.all()))()
    assert {event.kind for event in recorded} == set(EventKind)
    for event in recorded:
        assert set(event.data) == set(data_keys(EventKind(event.kind))), (event.kind, event.data)
    # The merchant's audit trail says the same, in the schema's words.
    audit = await database_sync_to_async(
        lambda: ApiClient(merchant).get(f"{SESSIONS}/{run.sid}/audit").json()
    )()
    kinds = [e["kind"] for e in audit["events"]]
    assert set(kinds) <= set(EventKind) and kinds.count(EventKind.VERDICT) == 1
