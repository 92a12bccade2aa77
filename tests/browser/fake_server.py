"""A scripted stand-in for the liveness consumer, for page tests that need no real server.

It speaks docs/PROTOCOL.md through Playwright's WebSocket routing: the page's socket never leaves
the browser. The test drives it (``open_challenge``, ``fail_attempt``, ``finish``, ``close``...)
and reads what the page sent (``received``).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

GESTURES = ("HEAD_LEFT", "HEAD_RIGHT", "HEAD_UP", "HEAD_DOWN", "HEAD_OPEN_MOUTH")


class FakeServer:
    def __init__(
        self,
        *,
        gestures: tuple[str, ...] = ("HEAD_LEFT", "HEAD_RIGHT"),
        max_attempts: int = 3,
        guidance: str = "ok",
        time_limit_ms: int = 8000,
        hold_frames: bool = False,
        close_on_connect: int | None = None,
        busy_starts: int = 0,
        busy_retry_in: int = 2,
        sid: str = "01JTESTSID0000000000000000",
    ) -> None:
        self.gestures = list(gestures)
        self.total = len(self.gestures)
        self.max_attempts = max_attempts
        self.guidance = guidance
        self.time_limit_ms = time_limit_ms
        self.hold_frames = hold_frames
        self.close_on_connect = close_on_connect
        # The first `busy_starts` Start messages are answered `busy` (the service is full).
        self.busy_starts = busy_starts
        self.busy_retry_in = busy_retry_in
        self.sid = sid
        self.phase = "ready"
        self.attempt = 1
        self.completed = 0
        self.challenge: dict[str, Any] | None = None
        self.ws: Any = None
        self.connections = 0
        self.received: list[dict[str, Any]] = []
        self.pending_frames: list[int] = []
        self.frames: list[dict[str, Any]] = []

    # --- Playwright plumbing ---------------------------------------------------------------
    def attach(self, ws: Any) -> None:
        """The handler given to ``page.route_web_socket``: one call per page connection."""
        if self.close_on_connect is not None:
            ws.close(code=self.close_on_connect, reason="")
            return
        old, self.ws = self.ws, ws
        self.connections += 1
        self.pending_frames = []
        if old is not None:
            self._safe(lambda: old.send(json.dumps({"type": "replaced"})))
            self._safe(lambda: old.close(code=4409, reason="replaced"))
        ws.on_message(lambda message: self._on_message(ws, message))
        self.send_state()

    @staticmethod
    def _safe(action: Any) -> None:
        with contextlib.suppress(Exception):  # the page side is already gone
            action()

    def send(self, message: dict[str, Any]) -> None:
        if self.ws is not None:
            self._safe(lambda: self.ws.send(json.dumps(message)))

    # --- what the page sends ---------------------------------------------------------------
    def _on_message(self, ws: Any, raw: str | bytes) -> None:
        if ws is not self.ws:
            return
        msg = json.loads(raw)
        if msg.get("type") == "frame":
            self.frames.append(msg)
            self.received.append({"type": "frame", "seq": msg.get("seq")})
            if self.hold_frames:
                self.pending_frames.append(msg["seq"])
            else:
                self.answer_frame(msg["seq"])
            return
        self.received.append(msg)
        kind = msg.get("type")
        if kind == "start" and self.busy_starts > 0:
            self.busy_starts -= 1
            self.send({"type": "busy", "retry_in": self.busy_retry_in})
        elif kind == "start":
            # Idempotent, like the real server: always answered with the current state.
            self.set_phase("positioning" if self.phase == "ready" else self.phase)
        elif kind == "retry" and self.phase == "attempt_failed":
            self.set_phase("positioning")
        elif kind == "cancel":
            self.finish("cancelled", f"https://merchant.example/back?sid={self.sid}")
        elif kind == "ping":
            self.send({"type": "pong"})

    def sent_types(self) -> list[str]:
        return [m["type"] for m in self.received if m["type"] != "frame"]

    # --- what the test makes the server do -------------------------------------------------
    def state_message(self) -> dict[str, Any]:
        return {
            "type": "state",
            "phase": self.phase,
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "total": self.total,
            "completed": self.completed,
            "challenge": self.challenge if self.phase == "challenge" else None,
        }

    def send_state(self) -> None:
        self.send(self.state_message())

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.send_state()

    def answer_frame(self, seq: int, guidance: str | None = None) -> None:
        self.send(
            {
                "type": "frame_result",
                "seq": seq,
                "guidance": guidance or self.guidance,
                "phase": self.phase,
                "challenge": self.challenge if self.phase == "challenge" else None,
            }
        )

    def answer_pending(self, *, dropped: str | None = None) -> int:
        pending, self.pending_frames = self.pending_frames, []
        for seq in pending:
            if dropped:
                self.send({"type": "frame_dropped", "seq": seq, "reason": dropped})
            else:
                self.answer_frame(seq)
        return len(pending)

    def open_challenge(
        self, *, remaining_ms: int | None = None, frame_rate: int | None = None
    ) -> dict[str, Any]:
        index = self.completed
        self.challenge = {
            "index": index,
            "total": self.total,
            "gesture": self.gestures[index],
            "time_limit_ms": self.time_limit_ms,
            "remaining_ms": self.time_limit_ms if remaining_ms is None else remaining_ms,
        }
        if frame_rate is not None:
            self.challenge["frame_rate"] = frame_rate
        if self.phase != "challenge":
            self.set_phase("challenge")
        self.send({"type": "challenge", "challenge": self.challenge})
        return self.challenge

    def pass_challenge(self) -> None:
        assert self.challenge is not None
        self.send({"type": "challenge_passed", "index": self.challenge["index"]})
        self.completed += 1
        self.pause_between()

    def fail_attempt(self, reason: str = "TIMEOUT") -> None:
        """Like the real server: `attempt_failed`, then `attempt` counts the next attempt."""
        self.challenge = None
        self.completed = 0
        self.phase = "attempt_failed"
        self.send(
            {
                "type": "attempt_failed",
                "attempt": self.attempt,
                "attempts_left": self.max_attempts - self.attempt,
                "reason": reason,
            }
        )
        self.attempt += 1

    def pause_between(self) -> None:
        """The engine's short pause after a pass: announced only through frame results."""
        self.challenge = None
        self.phase = "between"

    def finish(self, outcome: str, redirect_url: str | None = None) -> None:
        self.phase = "done"
        self.challenge = None
        url = redirect_url or f"https://merchant.example/done?sid={self.sid}"
        self.send({"type": "result", "outcome": outcome, "redirect_url": url})
        ws = self.ws
        self._safe(lambda: ws.close(code=1000, reason="finished"))

    def close(self, code: int, reason: str = "") -> None:
        """Closes the current socket with ``code`` (4410, 4404, 4409, 4400, or 1011 for a drop)."""
        ws, self.ws = self.ws, None
        if ws is not None:
            self._safe(lambda: ws.close(code=code, reason=reason))
