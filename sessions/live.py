"""One end user's live run through the challenges, as the socket sees it.

The consumer is the interface (parse, authorise, send); this is the flow behind it: frames
out to analysis, observations into the engine in order, progress and verdicts into the
database through services, always committed before the page hears of them. What the run is
in (ready, a challenge, waiting for a retry...) is the engine's state machine
(`gestures.challenge.ChallengeRun`); which frames are in flight is `gestures.window`.

1. `open` loads the session by its page token and restores the engine from the last
   snapshot, so a reload or reconnect resumes where the user was.
2. `admit_frame` lets at most `MAX_IN_FLIGHT` frames out to analysis (`FrameWindow`); more
   are answered `frame_dropped busy`. Each admitted frame keeps the server time it arrived
   at: that is the time the engine sees, however long analysis took.
3. `analyzed` feeds observations to the engine strictly in `seq` order: an answer that
   overtakes an older frame still in analysis waits for it (two workers may finish in
   either order); a frame whose analysis never came back is given up after `FRAME_TIMEOUT_S`.
4. The frame's answer is sent at once; events, evidence and verdicts are written after it.
   A verdict is committed with a conditional update and only then sent with its redirect.
5. An outage pauses the run instead of costing the user an attempt. Frames that come back
   `lost` mean analysis is unavailable; a write the database refused waits in the run's
   `WriteQueue` (`sessions.writes`, with every message that must follow it) and is
   retried. Either way the page is told `paused`, then `resumed`, and the engine's clock
   skips the outage: the first frame fed after it is placed just after the last one fed
   before it, so no timer ran meanwhile.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from gestures.vocabulary import EventKind
from gestures.window import FrameWindow, OutageClock, Refusal, WindowFrame
from sessions import engine, selectors
from sessions.models import ImageKind, LivenessSession, SessionStatus
from sessions.protocol import FRAME_TIMEOUT_S, MAX_IN_FLIGHT, CloseCode
from sessions.services import progress
from sessions.services.sessions import event_record, sessions_expire_due
from sessions.writes import STORAGE_DOWN, Emit, Then, WriteQueue, discard

CLOSE_ENDED = CloseCode.ENDED
CLOSE_UNKNOWN = CloseCode.UNKNOWN
CLOSE_UNAVAILABLE = CloseCode.UNAVAILABLE
# After an outage the engine sees the next frame this long after the last one it saw.
RESUME_GAP_MS = 200

log = logging.getLogger(__name__)


class Closed(Exception):
    """The socket must close with this code (after what was already sent)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = int(code)  # plain int: autobahn refuses int subclasses as close codes


class LiveRun:
    def __init__(self, session: LivenessSession) -> None:
        self.session = session
        # A saved run is a started one: the user had pressed Start before this (re)connection.
        self.run = engine.restore_or_new(session)
        self.last_step: engine.Step | None = None
        self.window = FrameWindow(MAX_IN_FLIGHT, round(FRAME_TIMEOUT_S * 1000))
        self.reference: bytes | None = None
        self.samples: list[dict[str, Any]] = []
        # Writes not yet committed, in order, with the messages that must wait for them.
        self.pending = WriteQueue(str(session.sid))
        self.analysis_lost = False  # frames came back `lost` and none answered since
        self.storage_down = False
        self.clock = OutageClock(RESUME_GAP_MS)  # the engine's clock skips outages

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
            await database_sync_to_async(event_record)(session=session, kind=EventKind.CONNECTED)
        except STORAGE_DOWN as exc:
            log.warning("database unreachable on connect: %s", exc)
            raise Closed(CLOSE_UNAVAILABLE) from exc
        return live

    @property
    def paused(self) -> bool:
        return self.analysis_lost or self.storage_down

    @property
    def started(self) -> bool:
        return self.run.started

    @property
    def phase(self) -> str:
        return self.run.state

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
        hold = engine.hold_info(self.run, self.last_step)
        if hold is not None:
            state["hold"] = hold
        if self.paused:
            state["paused"] = True
        if self.run.waiting_retry:
            state.update(self.run.last_failure)
        return state

    @staticmethod
    def now_ms() -> int:
        # The engine needs a monotonic clock within one connection only: a resumed run
        # restarts its open challenge, so no time is carried across connections.
        return int(time.monotonic() * 1000)

    # --- page messages ------------------------------------------------------------------
    async def start(self, emit: Emit) -> None:
        if self.run.start():
            self._write(event_record, kind=EventKind.STARTED)
            self._save_progress()
        await self._commit(emit, self.state_message())

    async def retry(self, emit: Emit) -> None:
        # The engine moves on to positioning for the next attempt with the next frame.
        if not self.run.retry():
            await emit(_error("not_now", "there is no failed attempt to retry"))
            return
        self._write(event_record, kind=EventKind.RETRY, data={"attempt": self.run.attempt})
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
        refusal = self.window.admit(
            seq,
            self.now_ms(),
            image_b64,
            accepting=self.run.accepts_frames and not self.pending,
            passive_due=self.run.passive_due(),
            hands_due=self.run.hands_due(),
        )
        return None if refusal is None else _dropped(seq, refusal)

    # --- analysis results ---------------------------------------------------------------
    async def analyzed(self, seq: int, answer: dict[str, Any], emit: Emit) -> None:
        if not self.window.answer(seq, answer):
            return  # given up on already (timeout) or a duplicate answer
        await self.give_up_lost_frames(emit)
        # Feed every answered frame that no older in-flight frame is still waiting for.
        while (frame := self.window.next_ready()) is not None:
            await self._feed(frame, emit)

    async def give_up_lost_frames(self, emit: Emit) -> None:
        """Frames whose analysis never came back (a worker died, Redis restarted): free their
        slots and pause. Answers that waited behind them are fed first: their frames came
        before the outage, and fed after it the first of them would take the engine clock's
        skip (`OutageClock`), leaving the outage on the open challenge's time."""
        lost = self.window.give_up(self.now_ms())
        for seq in lost:
            await emit({"type": "frame_dropped", "seq": seq, "reason": "lost"})
        if lost and not self.analysis_lost:
            while (frame := self.window.next_ready()) is not None:
                await self._feed(frame, emit)
            await self._pause(emit, analysis=True)

    async def _feed(self, frame: WindowFrame, emit: Emit) -> None:
        answer = frame.answer or {}
        if self.analysis_lost:  # an answer: analysis is back
            await self._resume(emit, analysis=True)
        if not self.run.accepts_frames or self.pending:
            await emit(_dropped(frame.seq, Refusal.PAUSED))
            return
        if timezone.now() >= self.session.expires_at:
            await self._finish_expired(emit)
            return  # the write is pending: the database is unreachable
        if not answer.get("ok"):
            await emit(
                {"type": "frame_dropped", "seq": frame.seq, "reason": answer.get("code", "bad")}
            )
            return
        self.window.fed(frame.seq)
        step = engine.feed(self.run, answer["observation"], self.clock.place(frame.received_ms))
        self.last_step = step
        self.samples.append(engine.sample(answer["observation"], step))
        if step.reference_candidate:
            self.reference = base64.b64decode(frame.payload)
        answered = {
            "type": "frame_result",
            "seq": frame.seq,
            "guidance": step.guidance,
            "phase": self.phase,
            "challenge": engine.challenge_info(self.run, step),
        }
        hold = engine.hold_info(self.run, step)
        if hold is not None:
            answered["hold"] = hold
        await emit(answered)
        if step.audit_frame and isinstance(self.run, engine.PassiveRun):
            # A passive attempt's end (the verdict, or a failed attempt): no gesture events.
            # Indexed by the attempt that ended (the run counts the next one already).
            failed = [e["attempt"] for e in step.events if e["type"] == EventKind.ATTEMPT_FAILED]
            self._save_audit(frame, (failed[0] if failed else step.attempt) - 1)
        await self._handle_events(step, frame, emit)

    async def _handle_events(self, step: engine.Step, frame: WindowFrame, emit: Emit) -> None:
        for event in step.events:
            kind = event["type"]
            data = {k: v for k, v in event.items() if k != "type"}
            if kind != EventKind.VERDICT:  # recorded once, by the write that commits it (`_finish`)
                self._write(event_record, kind=kind, data=data)
            if kind == EventKind.CHALLENGE_STARTED:
                self._save_reference()
                info = engine.challenge_info(self.run, step)
                self.pending.say({"type": "challenge", "challenge": info})
            elif kind in (EventKind.GESTURE_MATCHED, EventKind.GESTURE_FAILED):
                self._save_audit(frame, event["index"])
                if kind == EventKind.GESTURE_MATCHED:
                    self._save_progress()
                    self.pending.say({"type": "challenge_passed", "index": event["index"]})
            elif kind == EventKind.ATTEMPT_FAILED and step.verdict is None:
                # The run now waits for the user's retry (`Phase.ATTEMPT_FAILED`).
                self._save_progress()
                self.pending.say(
                    {"type": "attempt_failed", "attempt": event["attempt"], **self.run.last_failure}
                )
        if step.verdict is not None:
            self._finish(step.verdict)
        await self._commit(emit)

    # --- outages ------------------------------------------------------------------------
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
        self.clock.outage_ended()
        if not self.paused:
            await emit({"type": "resumed"})

    # --- persistence --------------------------------------------------------------------
    def _write(self, service: Callable[..., Any], *, then: Then | None = None, **kw: Any) -> None:
        self.pending.write(service, then, session=self.session, **kw)

    async def _commit(self, emit: Emit, *messages: dict[str, Any]) -> None:
        """Run the pending writes in order, sending each message once the writes before it
        are committed. While the database is unreachable the run is paused and the rest
        waits (`retry_storage`)."""
        self.pending.say(*messages)
        if not await self.pending.commit(emit):
            await self._pause(emit, storage=True)
        elif self.storage_down:
            await self._resume(emit, storage=True)

    async def retry_storage(self, emit: Emit) -> None:
        await self._commit(emit)

    def _save_reference(self) -> None:
        """The best frontal frame so far, kept in memory and written at challenge boundaries."""
        if self.reference is None:
            return
        jpeg, self.reference = self.reference, None
        self._write(progress.session_image_save, kind=ImageKind.REFERENCE, jpeg=jpeg)

    def _save_audit(self, frame: WindowFrame, index: int) -> None:
        jpeg = base64.b64decode(frame.payload)
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

        self.pending.write(sessions_expire_due, announce, sid=self.session.sid)
        await self._commit(emit)

    async def disconnected(self) -> None:
        """Save what the run has; writes the database refused keep being retried after the
        socket is gone, so a verdict reached just before is never lost."""
        if self.started:
            self._save_reference()
            self._save_progress()
        self._write(event_record, kind=EventKind.DISCONNECTED)
        with contextlib.suppress(Closed):
            await self._commit(discard)
        self.pending.keep_retrying(Closed)


def _dropped(seq: int, reason: str) -> dict[str, Any]:
    return {"type": "frame_dropped", "seq": seq, "reason": reason}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
