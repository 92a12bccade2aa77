"""The live run (sessions/live.py) driven directly, with the server's clock in hand: frames whose
analysis never comes back, as when Redis restarts under them."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from gestures.observation import FrameObservation
from sessions.live import RESUME_GAP_MS, LiveRun
from tests.support.factories import LivenessSessionFactory, make_merchant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
NO_FACE = {"ok": True, "observation": FrameObservation(width=640, height=480, faces=0).to_dict()}
IMAGE = "anBlZw=="  # never decoded: the answers are given


async def test_an_answer_waiting_behind_a_lost_frame_leaves_the_outage_off_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = await database_sync_to_async(
        lambda: LivenessSessionFactory(merchant=make_merchant().merchant)
    )()
    now = [0]
    monkeypatch.setattr(LiveRun, "now_ms", staticmethod(lambda: now[0]))
    heard: list[dict[str, Any]] = []

    async def emit(message: dict[str, Any]) -> None:
        heard.append(message)

    live = LiveRun(session)
    await live.start(emit)
    assert live.admit_frame(1, IMAGE) is None  # its task is lost with the old Redis
    now[0] = 100
    assert live.admit_frame(2, IMAGE) is None
    await live.analyzed(2, NO_FACE, emit)  # answered, waits for frame 1
    now[0] = 5100  # both page slots were taken: its next frame comes 5 s later
    await live.give_up_lost_frames(emit)
    assert live.admit_frame(3, IMAGE) is None
    await live.analyzed(3, NO_FACE, emit)

    kinds = [(m["type"], m.get("seq")) for m in heard if m["type"] != "state"]
    assert kinds == [
        ("frame_dropped", 1),
        ("frame_result", 2),
        ("paused", None),
        ("resumed", None),
        ("frame_result", 3),
    ]
    # Frame 3 counts as if it came just after frame 2: the 5 s outage ran no timer.
    assert live.clock.last_ms == 100 + RESUME_GAP_MS
