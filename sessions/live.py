"""One end user's live run through the challenges, as the socket sees it.

The consumer is the interface (parse, authorise, send); this is the flow behind it:
frames out to analysis, observations into the engine in order, progress and verdicts into the
database through services (always committed before the page hears of them).

1. `open` loads the session by its page token and restores the engine from the last
   snapshot, so a reload or reconnect resumes where the user was.
2. `frame` admits at most `MAX_IN_FLIGHT` frames; more are answered `frame_dropped busy`.
3. `analyzed` feeds observations to the engine strictly in `seq` order; an answer that comes
   back after a newer frame was fed is dropped as stale.
4. Engine events become protocol messages; a verdict is committed with a conditional update
   and only then sent with its redirect.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from sessions import engine, selectors
from sessions.models import ImageKind, LivenessSession, SessionStatus
from sessions.services import progress
from sessions.services.sessions import event_record, sessions_expire_due

MAX_IN_FLIGHT = 2
FRAME_TIMEOUT_S = 3.0


class Closed(Exception):
    """The socket must close with this code after the messages already queued."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Outbox:
    messages: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None

    def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


@dataclass
class InFlight:
    sent_at: float
    jpeg_b64: str


class LiveRun:
    def __init__(self, session: LivenessSession) -> None:
        self.session = session
        self.run = engine.restore_or_new(session)
        # A saved run means the user had pressed Start before this (re)connection.
        self.started = session.run_state is not None
        self.waiting_retry = False
        self.last_step: engine.Step | None = None
        self.in_flight: dict[int, InFlight] = {}
        self.last_fed_seq = -1

    # --- opening ------------------------------------------------------------------------
    @classmethod
    async def open(cls, token: str) -> LiveRun:
        session = await database_sync_to_async(selectors.session_by_page_token)(token=token)
        if session is None or session.deleted_at is not None:
            raise Closed(4404)
        if session.status != SessionStatus.PENDING:
            raise Closed(4410)
        live = cls(session)
        await database_sync_to_async(event_record)(session=session, kind="connected")
        return live

    @property
    def phase(self) -> str:
        if not self.started:
            return "ready"
        return "attempt_failed" if self.waiting_retry else self.run.phase

    def state_message(self) -> dict[str, Any]:
        return {
            "type": "state",
            "phase": self.phase,
            "attempt": self.run.attempt,
            "max_attempts": self.run.max_attempts,
            "total": len(self.run.gestures),
            "completed": sum(1 for r in self.run.results if r and r["gesture_status"] == "MATCH"),
            "challenge": engine.challenge_info(self.last_step),
        }

    @staticmethod
    def now_ms() -> int:
        # The engine needs only a monotonic clock within one connection: a resumed run
        # restarts its open challenge, so no time is carried across connections.
        return int(time.monotonic() * 1000)

    # --- page messages ------------------------------------------------------------------
    async def start(self) -> Outbox:
        out = Outbox()
        if not self.started:
            self.started = True
            await database_sync_to_async(event_record)(session=self.session, kind="started")
            await self._save_progress()
        out.send(self.state_message())
        return out

    async def retry(self) -> Outbox:
        out = Outbox()
        if not self.waiting_retry:
            out.send(_error("not_now", "there is no failed attempt to retry"))
            return out
        # The engine moves on to positioning for the next attempt with the next frame.
        self.waiting_retry = False
        await database_sync_to_async(event_record)(
            session=self.session, kind="retry", data={"attempt": self.run.attempt}
        )
        out.send(self.state_message())
        return out

    async def cancel(self) -> Outbox:
        out = Outbox()
        if not self.session.cancel_url:
            out.send(_error("not_allowed", "this session has no back button"))
            return out
        if await database_sync_to_async(progress.session_cancel)(session=self.session):
            url = progress.redirect_with_sid(self.session.cancel_url, self.session.sid)
            out.send({"type": "result", "outcome": "cancelled", "redirect_url": url})
        out.close_code = 4410
        return out

    def admit_frame(self, seq: int, image_b64: str) -> dict[str, Any] | None:
        """None when the frame may go to analysis; else the message that refuses it."""
        self._forget_lost_frames()
        if not self.started or self.waiting_retry or self.run.phase == "done":
            return {"type": "frame_dropped", "seq": seq, "reason": "paused"}
        if seq <= self.last_fed_seq or seq in self.in_flight:
            return {"type": "frame_dropped", "seq": seq, "reason": "stale"}
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            return {"type": "frame_dropped", "seq": seq, "reason": "busy"}
        self.in_flight[seq] = InFlight(time.monotonic(), image_b64)
        return None

    def _forget_lost_frames(self) -> None:
        now = time.monotonic()
        for seq in [s for s, f in self.in_flight.items() if now - f.sent_at > FRAME_TIMEOUT_S]:
            del self.in_flight[seq]

    # --- analysis results ---------------------------------------------------------------
    async def analyzed(self, seq: int, answer: dict[str, Any]) -> Outbox:
        out = Outbox()
        frame = self.in_flight.pop(seq, None)
        if frame is None or seq <= self.last_fed_seq or self.run.phase == "done":
            out.send({"type": "frame_dropped", "seq": seq, "reason": "stale"})
            return out
        if await self._expired():
            return await self._finish_expired(out)
        if not answer.get("ok"):
            out.send({"type": "frame_dropped", "seq": seq, "reason": answer.get("code", "bad")})
            return out
        self.last_fed_seq = seq
        step = engine.feed(self.run, answer["observation"], self.now_ms())
        self.last_step = step
        await self._keep_evidence(step, frame)
        await self._handle_events(step, out)
        out.messages.insert(
            0,
            {
                "type": "frame_result",
                "seq": seq,
                "guidance": step.guidance,
                "phase": self.phase,
                "challenge": engine.challenge_info(step),
            },
        )
        return out

    async def _handle_events(self, step: engine.Step, out: Outbox) -> None:
        failed_status = "NOT_MATCH"
        for event in step.events:
            kind = event["type"]
            await database_sync_to_async(event_record)(
                session=self.session,
                kind=kind,
                data={k: v for k, v in event.items() if k != "type"},
            )
            if kind == "challenge_started":
                out.send({"type": "challenge", "challenge": engine.challenge_info(step)})
            elif kind == "gesture_matched":
                await self._save_progress()
                out.send({"type": "challenge_passed", "index": event["index"]})
            elif kind == "gesture_failed":
                failed_status = event["gesture_status"]
            elif kind == "attempt_failed" and step.verdict is None:
                self.waiting_retry = True
                await self._save_progress()
                out.send(
                    {
                        "type": "attempt_failed",
                        "attempt": event["attempt"],
                        "attempts_left": event["attempts_left"],
                        "reason": failed_status,
                    }
                )
        if step.verdict is not None:
            await self._finish(step.verdict, out)

    async def _keep_evidence(self, step: engine.Step, frame: InFlight) -> None:
        if step.reference_candidate:
            await database_sync_to_async(progress.session_image_save)(
                session=self.session,
                kind=ImageKind.REFERENCE,
                jpeg=base64.b64decode(frame.jpeg_b64),
            )
        decided = [e for e in step.events if e["type"] in ("gesture_matched", "gesture_failed")]
        if step.audit_frame and decided:
            await database_sync_to_async(progress.session_image_save)(
                session=self.session,
                kind=ImageKind.AUDIT,
                jpeg=base64.b64decode(frame.jpeg_b64),
                challenge_index=decided[0]["index"],
            )

    async def _save_progress(self) -> None:
        await database_sync_to_async(progress.session_progress_save)(
            session=self.session,
            run_state=self.run.snapshot(),
            current_index=self.run.index,
            attempts_used=self.run.attempt - 1,
        )

    async def _finish(self, verdict: dict[str, Any], out: Outbox) -> None:
        committed = await database_sync_to_async(progress.session_finish)(
            session=self.session, verdict=verdict
        )
        if committed:
            passed = verdict.get("status") == "success"
            out.send(
                {
                    "type": "result",
                    "outcome": "passed" if passed else "failed",
                    "redirect_url": progress.outcome_redirect(self.session, passed=passed),
                }
            )
        out.close_code = 4410

    async def _expired(self) -> bool:
        return timezone.now() >= self.session.expires_at

    async def _finish_expired(self, out: Outbox) -> Outbox:
        await database_sync_to_async(sessions_expire_due)(sid=self.session.sid)
        out.send(
            {
                "type": "result",
                "outcome": "expired",
                "redirect_url": progress.outcome_redirect(self.session, passed=False),
            }
        )
        out.close_code = 4410
        return out

    async def disconnected(self) -> None:
        if self.started:
            await self._save_progress()
        await database_sync_to_async(event_record)(session=self.session, kind="disconnected")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def frame_analysis_is_distributed() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER
