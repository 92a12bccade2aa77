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
5. An outage pauses the run instead of costing the user an attempt. Frames that come back
   `lost` mean analysis is unavailable; a write the database refused waits in `pending`
   (with every message that must follow it) and is retried. Either way the page is told
   `paused`, then `resumed`, and the engine's clock skips the outage: the first frame fed
   after it is placed just after the last one fed before it, so no timer ran meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from sessions import engine, selectors
from sessions.models import ImageKind, LivenessSession, SessionStatus
from sessions.services import progress
from sessions.services.sessions import event_record, sessions_expire_due

MAX_IN_FLIGHT = 2
FRAME_TIMEOUT_S = 3.0
CLOSE_ENDED = 4410
CLOSE_UNKNOWN = 4404
CLOSE_UNAVAILABLE = 4503  # the database is unreachable: the page reconnects (backoff)
# After an outage the engine sees the next frame this long after the last one it saw.
RESUME_GAP_MS = 200
STORAGE_RETRY_S = 1.0
# Writes a closed socket left pending keep being retried this long (the verdict among them).
ORPHAN_RETRY_FOR_S = 600.0
STORAGE_DOWN = (OperationalError, InterfaceError)

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], Awaitable[None]]
Then = Callable[[Any, Emit], Awaitable[None]]
# Pending writes of sockets that closed while the database was unreachable.
_orphans: set[asyncio.Task[None]] = set()


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


@dataclass
class Write:
    """One service call (one transaction); `then` gets its return value once committed."""

    service: Callable[..., Any]
    kwargs: dict[str, Any]
    then: Then | None = None


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
        # Writes not yet committed, in order, with the messages that must wait for them.
        self.pending: list[Write | dict[str, Any]] = []
        self.analysis_lost = False  # frames came back `lost` and none answered since
        self.storage_down = False
        self.clock_offset_ms = 0  # outage time cut out of the engine's clock
        self.last_engine_ms: int | None = None
        self.skip_gap = False  # the next fed frame follows an outage

    # --- opening ------------------------------------------------------------------------
    @classmethod
    async def open(cls, token: str) -> LiveRun:
        try:
            if token and len(token) <= 64:
                await database_sync_to_async(sessions_expire_due)(page_token=token)
            session = await database_sync_to_async(selectors.session_by_page_token)(token=token)
            if session is None or session.deleted_at is not None:
                raise Closed(CLOSE_UNKNOWN)
            if session.status != SessionStatus.PENDING:
                raise Closed(CLOSE_ENDED)
            live = cls(session)
            await database_sync_to_async(event_record)(session=session, kind="connected")
        except STORAGE_DOWN as exc:
            log.warning("database unreachable on connect: %s", exc)
            raise Closed(CLOSE_UNAVAILABLE) from exc
        return live

    @property
    def paused(self) -> bool:
        return self.analysis_lost or self.storage_down

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
        if self.paused:
            state["paused"] = True
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
            self._write(event_record, kind="started")
            self._save_progress()
        await self._commit(emit, self.state_message())

    async def retry(self, emit: Emit) -> None:
        if not self.waiting_retry:
            await emit(_error("not_now", "there is no failed attempt to retry"))
            return
        # The engine moves on to positioning for the next attempt with the next frame.
        self.waiting_retry = False
        self._write(event_record, kind="retry", data={"attempt": self.run.attempt})
        await self._commit(emit, self.state_message())

    async def cancel(self, emit: Emit) -> None:
        if not self.session.cancel_url:
            await emit(_error("not_allowed", "this session has no back button"))
            return
        self._write(progress.session_cancel, then=self._cancelled)
        await self._commit(emit)

    async def _cancelled(self, committed: bool, emit: Emit) -> None:
        if committed:
            url = progress.redirect_with_sid(self.session.cancel_url, self.session.sid)
            await emit({"type": "result", "outcome": "cancelled", "redirect_url": url})
        raise Closed(CLOSE_ENDED)

    def admit_frame(self, seq: int, image_b64: str) -> dict[str, Any] | None:
        """None when the frame may go to analysis; else the message that refuses it."""
        if not self.started or self.waiting_retry or self.run.phase == "done" or self.pending:
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
        lost = sorted(
            s for s, f in self.frames.items() if f.answer is None and f.received_ms < limit
        )
        for seq in lost:
            del self.frames[seq]
            await emit({"type": "frame_dropped", "seq": seq, "reason": "lost"})
        if lost and not self.analysis_lost:
            await self._pause(emit, analysis=True)

    async def _feed(self, frame: Frame, emit: Emit) -> None:
        answer = frame.answer or {}
        if self.analysis_lost:  # an answer: analysis is back
            await self._resume(emit, analysis=True)
        if self.run.phase == "done" or self.waiting_retry or self.pending:
            await emit({"type": "frame_dropped", "seq": frame.seq, "reason": "paused"})
            return
        if timezone.now() >= self.session.expires_at:
            await self._finish_expired(emit)
            return  # the write is pending: the database is unreachable
        if not answer.get("ok"):
            await emit(
                {"type": "frame_dropped", "seq": frame.seq, "reason": answer.get("code", "bad")}
            )
            return
        self.last_fed_seq = frame.seq
        step = engine.feed(self.run, answer["observation"], self._engine_ms(frame))
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
                self._write(event_record, kind=kind, data=data)
            if kind == "challenge_started":
                self._save_reference()
                info = engine.challenge_info(self.run, step)
                self.pending.append({"type": "challenge", "challenge": info})
            elif kind in ("gesture_matched", "gesture_failed"):
                self._save_audit(frame, event["index"])
                if kind == "gesture_failed":
                    failed_status = event["gesture_status"]
                else:
                    self._save_progress()
                    self.pending.append({"type": "challenge_passed", "index": event["index"]})
            elif kind == "attempt_failed" and step.verdict is None:
                self.waiting_retry = True
                self.last_failure = {
                    "attempts_left": event["attempts_left"],
                    "reason": failed_status,
                }
                self._save_progress()
                self.pending.append(
                    {"type": "attempt_failed", "attempt": event["attempt"], **self.last_failure}
                )
        if step.verdict is not None:
            self._finish(step.verdict)
        await self._commit(emit)

    # --- outages ------------------------------------------------------------------------
    def _engine_ms(self, frame: Frame) -> int:
        """The frame's arrival on the engine's clock, which does not run during an outage."""
        t = frame.received_ms - self.clock_offset_ms
        last = self.last_engine_ms
        if self.skip_gap and last is not None and t - last > RESUME_GAP_MS:
            self.clock_offset_ms += t - last - RESUME_GAP_MS
            t = last + RESUME_GAP_MS
        self.skip_gap = False
        self.last_engine_ms = t
        return t

    async def _pause(self, emit: Emit, *, analysis: bool = False, storage: bool = False) -> None:
        if analysis and not self.analysis_lost:
            self.analysis_lost = True
            await emit({"type": "paused", "reason": "analysis_unavailable"})
        if storage and not self.storage_down:
            self.storage_down = True
            await emit({"type": "paused", "reason": "storage_unavailable"})

    async def _resume(self, emit: Emit, *, analysis: bool = False, storage: bool = False) -> None:
        self.analysis_lost = self.analysis_lost and not analysis
        self.storage_down = self.storage_down and not storage
        self.skip_gap = True
        if not self.paused:
            await emit({"type": "resumed"})

    # --- persistence --------------------------------------------------------------------
    def _write(self, service: Callable[..., Any], *, then: Then | None = None, **kw: Any) -> None:
        self.pending.append(Write(service, {"session": self.session, **kw}, then))

    async def _commit(self, emit: Emit, *messages: dict[str, Any]) -> None:
        """Run the pending writes in order, sending each message once the writes before it
        are committed. While the database is unreachable the rest waits (`retry_storage`)."""
        self.pending.extend(messages)
        while self.pending:
            action = self.pending[0]
            if isinstance(action, dict):
                self.pending.pop(0)
                await emit(action)
                continue
            try:
                result = await database_sync_to_async(action.service)(**action.kwargs)
            except STORAGE_DOWN as exc:
                log.warning("database unreachable, %d writes wait: %s", len(self.pending), exc)
                await self._pause(emit, storage=True)
                return
            self.pending.pop(0)
            if action.then is not None:
                await action.then(result, emit)
        if self.storage_down:
            await self._resume(emit, storage=True)

    async def retry_storage(self, emit: Emit) -> None:
        await self._commit(emit)

    def _save_reference(self) -> None:
        """The best frontal frame so far, kept in memory and written at challenge boundaries."""
        if self.reference is None:
            return
        jpeg, self.reference = self.reference, None
        self._write(progress.session_image_save, kind=ImageKind.REFERENCE, jpeg=jpeg)

    def _save_audit(self, frame: Frame, index: int) -> None:
        jpeg = base64.b64decode(frame.jpeg_b64)
        self._write(
            progress.session_image_save, kind=ImageKind.AUDIT, jpeg=jpeg, challenge_index=index
        )

    def _save_samples(self) -> None:
        samples, self.samples = self.samples, []
        if samples:
            self._write(progress.session_timeline_append, samples=samples)

    def _save_progress(self) -> None:
        self._save_samples()
        self._write(
            progress.session_progress_save,
            run_state=self.run.snapshot(),
            current_index=self.run.index,
            attempts_used=self.run.attempt - 1,
        )

    def _finish(self, verdict: dict[str, Any]) -> None:
        self._save_reference()
        self._save_samples()

        async def announce(committed: bool, emit: Emit) -> None:
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

        self._write(progress.session_finish, verdict=verdict, then=announce)

    async def _finish_expired(self, emit: Emit) -> None:
        async def announce(_: Any, emit: Emit) -> None:
            url = progress.outcome_redirect(self.session, passed=False)
            await emit({"type": "result", "outcome": "expired", "redirect_url": url})
            raise Closed(CLOSE_ENDED)

        self.pending.append(Write(sessions_expire_due, {"sid": self.session.sid}, announce))
        await self._commit(emit)

    async def disconnected(self) -> None:
        """Save what the run has; writes the database refused keep being retried after the
        socket is gone, so a verdict reached just before is never lost."""
        if self.started:
            self._save_reference()
            self._save_progress()
        self._write(event_record, kind="disconnected")
        with contextlib.suppress(Closed):
            await self._commit(_discard)
        if self.pending:
            task = asyncio.ensure_future(self._retry_orphaned())
            _orphans.add(task)
            task.add_done_callback(_orphans.discard)

    async def _retry_orphaned(self) -> None:
        deadline = time.monotonic() + ORPHAN_RETRY_FOR_S
        while self.pending and time.monotonic() < deadline:
            await asyncio.sleep(STORAGE_RETRY_S)
            with contextlib.suppress(Closed):
                await self._commit(_discard)
        if self.pending:
            log.error("gave up %d writes of session %s", len(self.pending), self.session.sid)


async def _discard(message: dict[str, Any]) -> None:
    """The socket is gone: nobody hears the messages that were waiting for writes."""


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
