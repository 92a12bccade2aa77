"""One end user's live run through the challenges, as the socket sees it.

The consumer is the interface (parse, authorise, send); this is the flow behind it: frames
out to analysis, observations into the engine in order, progress and verdicts into the
database through services, always committed before the page hears of them.

1. `open` loads the session by its page token and restores the engine from the last
   snapshot, so a reload or reconnect resumes where the user was.
2. `admit_frame` lets at most `MAX_IN_FLIGHT` frames out to analysis; more are answered
   `frame_dropped busy`. Each admitted frame keeps the server time it arrived at: that is
   the time the engine sees, however long analysis took.
3. `analyzed` feeds observations to the engine strictly in `seq` order: an answer that
   overtakes an older frame still in analysis waits for it (two workers may finish in
   either order); a frame whose analysis never came back is given up after `FRAME_TIMEOUT_S`.
4. The frame's answer is sent at once; events, evidence and verdicts are written after it.
   A verdict is committed with a conditional update and only then sent with its redirect.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from sessions import engine, selectors
from sessions.models import ImageKind, LivenessSession, SessionStatus
from sessions.services import progress
from sessions.services.sessions import event_record, sessions_expire_due

MAX_IN_FLIGHT = 2
FRAME_TIMEOUT_S = 3.0
CLOSE_ENDED = 4410
CLOSE_UNKNOWN = 4404

Emit = Callable[[dict[str, Any]], Awaitable[None]]


class Closed(Exception):
    """The socket must close with this code (after what was already sent)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Frame:
    seq: int
    received_ms: int
    jpeg_b64: str
    passive: bool = False  # to be scored by the anti-spoofing models too
    answer: dict[str, Any] | None = None


class LiveRun:
    def __init__(self, session: LivenessSession) -> None:
        self.session = session
        self.run = engine.restore_or_new(session)
        # A saved run means the user had pressed Start before this (re)connection.
        self.started = session.run_state is not None
        self.waiting_retry = False
        self.last_failure: dict[str, Any] = {}
        self.last_step: engine.Step | None = None
        self.frames: dict[int, Frame] = {}
        self.last_fed_seq = -1
        self.reference: bytes | None = None
        self.samples: list[dict[str, Any]] = []

    # --- opening ------------------------------------------------------------------------
    @classmethod
    async def open(cls, token: str) -> LiveRun:
        session = await database_sync_to_async(selectors.session_by_page_token)(token=token)
        if session is None or session.deleted_at is not None:
            raise Closed(CLOSE_UNKNOWN)
        if session.status != SessionStatus.PENDING:
            raise Closed(CLOSE_ENDED)
        live = cls(session)
        await database_sync_to_async(event_record)(session=session, kind="connected")
        return live

    @property
    def phase(self) -> str:
        if not self.started:
            return "ready"
        return "attempt_failed" if self.waiting_retry else self.run.phase

    def state_message(self) -> dict[str, Any]:
        completed = sum(1 for r in self.run.results if r and r["gesture_status"] == "MATCH")
        state = {
            "type": "state",
            "phase": self.phase,
            "attempt": self.run.attempt,
            "max_attempts": self.run.max_attempts,
            "total": len(self.run.gestures),
            "completed": completed,
            "challenge": engine.challenge_info(self.run, self.last_step),
        }
        if self.waiting_retry:
            state.update(self.last_failure)
        return state

    @staticmethod
    def now_ms() -> int:
        # The engine needs a monotonic clock within one connection only: a resumed run
        # restarts its open challenge, so no time is carried across connections.
        return int(time.monotonic() * 1000)

    # --- page messages ------------------------------------------------------------------
    async def start(self, emit: Emit) -> None:
        if not self.started:
            self.started = True
            await database_sync_to_async(event_record)(session=self.session, kind="started")
            await self._save_progress()
        await emit(self.state_message())

    async def retry(self, emit: Emit) -> None:
        if not self.waiting_retry:
            await emit(_error("not_now", "there is no failed attempt to retry"))
            return
        # The engine moves on to positioning for the next attempt with the next frame.
        self.waiting_retry = False
        await database_sync_to_async(event_record)(
            session=self.session, kind="retry", data={"attempt": self.run.attempt}
        )
        await emit(self.state_message())

    async def cancel(self, emit: Emit) -> None:
        if not self.session.cancel_url:
            await emit(_error("not_allowed", "this session has no back button"))
            return
        if await database_sync_to_async(progress.session_cancel)(session=self.session):
            url = progress.redirect_with_sid(self.session.cancel_url, self.session.sid)
            await emit({"type": "result", "outcome": "cancelled", "redirect_url": url})
        raise Closed(CLOSE_ENDED)

    def admit_frame(self, seq: int, image_b64: str) -> dict[str, Any] | None:
        """None when the frame may go to analysis; else the message that refuses it."""
        if not self.started or self.waiting_retry or self.run.phase == "done":
            return {"type": "frame_dropped", "seq": seq, "reason": "paused"}
        if seq <= self.last_fed_seq or seq in self.frames:
            return {"type": "frame_dropped", "seq": seq, "reason": "stale"}
        if len(self.frames) >= MAX_IN_FLIGHT:
            return {"type": "frame_dropped", "seq": seq, "reason": "busy"}
        # One scored frame in flight at a time is enough to keep to the sampling rate.
        passive = self.run.passive_due() and not any(f.passive for f in self.frames.values())
        self.frames[seq] = Frame(seq, self.now_ms(), image_b64, passive)
        return None

    # --- analysis results ---------------------------------------------------------------
    async def analyzed(self, seq: int, answer: dict[str, Any], emit: Emit) -> None:
        frame = self.frames.get(seq)
        if frame is None:
            return  # given up on already (timeout) or a duplicate answer
        frame.answer = answer
        await self.give_up_lost_frames(emit)
        # Feed every answered frame that no older in-flight frame is still waiting for.
        while self.frames:
            oldest = min(self.frames)
            if self.frames[oldest].answer is None:
                return
            await self._feed(self.frames.pop(oldest), emit)

    async def give_up_lost_frames(self, emit: Emit) -> None:
        """Frames whose analysis never came back (a worker died): free their slots."""
        limit = self.now_ms() - FRAME_TIMEOUT_S * 1000
        for seq in sorted(
            s for s, f in self.frames.items() if f.answer is None and f.received_ms < limit
        ):
            del self.frames[seq]
            await emit({"type": "frame_dropped", "seq": seq, "reason": "lost"})

    async def _feed(self, frame: Frame, emit: Emit) -> None:
        answer = frame.answer or {}
        if self.run.phase == "done" or self.waiting_retry:
            await emit({"type": "frame_dropped", "seq": frame.seq, "reason": "paused"})
            return
        if timezone.now() >= self.session.expires_at:
            await self._finish_expired(emit)
        if not answer.get("ok"):
            await emit(
                {"type": "frame_dropped", "seq": frame.seq, "reason": answer.get("code", "bad")}
            )
            return
        self.last_fed_seq = frame.seq
        step = engine.feed(self.run, answer["observation"], frame.received_ms)
        self.last_step = step
        self.samples.append(engine.sample(answer["observation"], step))
        if step.reference_candidate:
            self.reference = base64.b64decode(frame.jpeg_b64)
        await emit(
            {
                "type": "frame_result",
                "seq": frame.seq,
                "guidance": step.guidance,
                "phase": self.phase,
                "challenge": engine.challenge_info(self.run, step),
            }
        )
        await self._handle_events(step, frame, emit)

    async def _handle_events(self, step: engine.Step, frame: Frame, emit: Emit) -> None:
        failed_status = "NOT_MATCH"
        for event in step.events:
            kind = event["type"]
            data = {k: v for k, v in event.items() if k != "type"}
            if kind != "verdict":  # recorded once, by the write that commits it (`_finish`)
                await database_sync_to_async(event_record)(
                    session=self.session, kind=kind, data=data
                )
            if kind == "challenge_started":
                await self._save_reference()
                await emit(
                    {"type": "challenge", "challenge": engine.challenge_info(self.run, step)}
                )
            elif kind in ("gesture_matched", "gesture_failed"):
                await self._save_audit(frame, event["index"])
                if kind == "gesture_failed":
                    failed_status = event["gesture_status"]
                else:
                    await self._save_progress()
                    await emit({"type": "challenge_passed", "index": event["index"]})
            elif kind == "attempt_failed" and step.verdict is None:
                self.waiting_retry = True
                self.last_failure = {
                    "attempts_left": event["attempts_left"],
                    "reason": failed_status,
                }
                await self._save_progress()
                await emit(
                    {"type": "attempt_failed", "attempt": event["attempt"], **self.last_failure}
                )
        if step.verdict is not None:
            await self._finish(step.verdict, emit)

    # --- persistence --------------------------------------------------------------------
    async def _save_reference(self) -> None:
        """The best frontal frame so far, kept in memory and written at challenge boundaries."""
        if self.reference is None:
            return
        jpeg, self.reference = self.reference, None
        await database_sync_to_async(progress.session_image_save)(
            session=self.session, kind=ImageKind.REFERENCE, jpeg=jpeg
        )

    async def _save_audit(self, frame: Frame, index: int) -> None:
        await database_sync_to_async(progress.session_image_save)(
            session=self.session,
            kind=ImageKind.AUDIT,
            jpeg=base64.b64decode(frame.jpeg_b64),
            challenge_index=index,
        )

    async def _save_progress(self) -> None:
        samples, self.samples = self.samples, []
        await database_sync_to_async(progress.session_timeline_append)(
            session=self.session, samples=samples
        )
        await database_sync_to_async(progress.session_progress_save)(
            session=self.session,
            run_state=self.run.snapshot(),
            current_index=self.run.index,
            attempts_used=self.run.attempt - 1,
        )

    async def _finish(self, verdict: dict[str, Any], emit: Emit) -> None:
        await self._save_reference()
        samples, self.samples = self.samples, []
        await database_sync_to_async(progress.session_timeline_append)(
            session=self.session, samples=samples
        )
        committed = await database_sync_to_async(progress.session_finish)(
            session=self.session, verdict=verdict
        )
        if committed:
            passed = verdict.get("status") == "success"
            await emit(
                {
                    "type": "result",
                    "outcome": "passed" if passed else "failed",
                    "redirect_url": progress.outcome_redirect(self.session, passed=passed),
                }
            )
        raise Closed(CLOSE_ENDED)

    async def _finish_expired(self, emit: Emit) -> None:
        await database_sync_to_async(sessions_expire_due)(sid=self.session.sid)
        await emit(
            {
                "type": "result",
                "outcome": "expired",
                "redirect_url": progress.outcome_redirect(self.session, passed=False),
            }
        )
        raise Closed(CLOSE_ENDED)

    async def disconnected(self) -> None:
        if self.started:
            await self._save_reference()
            await self._save_progress()
        await database_sync_to_async(event_record)(session=self.session, kind="disconnected")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
