"""A page stand-in for protocol-level tests: a real WebSocket client that streams a clip the
way the page (static/liveness/socket.js, camera.js) does (≤ 2 frames in flight) and records every message and round trip."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from tests.support.clips import b64, jpeg_frames


@dataclass
class Run:
    messages: list[dict[str, Any]] = field(default_factory=list)
    round_trips_ms: list[float] = field(default_factory=list)
    result: dict[str, Any] | None = None
    close_code: int | None = None
    # From sending the frame whose answer carried the result to receiving the result.
    verdict_ms: float | None = None


async def stream_clip(
    ws_url: str,
    origin: str,
    clip: Path,
    *,
    fps: float = 10,
    max_in_flight: int = 2,
    retry: bool = False,
    loops: int = 1,
) -> Run:
    """Stream `clip` (`loops` times over) in real time; with `retry`, press "Try again" after
    a failed attempt as a user would."""
    run = Run()
    sent_at: dict[int, float] = {}
    last_answered = [0.0]
    once = list(jpeg_frames(clip, fps=fps))
    length_ms = once[-1][0] + 1000 / fps if once else 0
    frames = [(t + i * length_ms, jpeg) for i in range(loops) for t, jpeg in once]
    async with websockets.connect(ws_url, origin=origin, max_size=2**22) as ws:
        run.messages.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"type": "start"}))
        started = time.monotonic()

        async def reader() -> None:
            # The server closes with a 44xx code after a result: that is the protocol.
            with contextlib.suppress(websockets.ConnectionClosed):
                await read_all()

        async def read_all() -> None:
            async for raw in ws:
                message = json.loads(raw)
                run.messages.append(message)
                if message["type"] == "frame_result":
                    last_answered[0] = sent_at.pop(message["seq"])
                    run.round_trips_ms.append((time.monotonic() - last_answered[0]) * 1000)
                elif message["type"] == "frame_dropped":
                    sent_at.pop(message["seq"], None)
                elif message["type"] == "attempt_failed" and retry:
                    await ws.send(json.dumps({"type": "retry"}))
                elif message["type"] == "result":
                    run.result = message
                    run.verdict_ms = (time.monotonic() - last_answered[0]) * 1000

        task = asyncio.ensure_future(reader())
        for seq, (t_ms, jpeg) in enumerate(frames):
            if run.result or task.done():
                break
            delay = t_ms / 1000 - (time.monotonic() - started)
            if delay > 0:
                await asyncio.sleep(delay)
            while len(sent_at) >= max_in_flight and not task.done():
                await asyncio.sleep(0.002)
            sent_at[seq] = time.monotonic()
            try:
                await ws.send(json.dumps({"type": "frame", "seq": seq, "image": b64(jpeg)}))
            except websockets.ConnectionClosed:
                break
        deadline = time.monotonic() + 10
        while sent_at and not task.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if not task.done():
            await ws.close()
        await asyncio.wait_for(task, 10)
        run.close_code = ws.close_code
    return run


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile used for every latency figure (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_in_thread(coroutine: Any) -> Any:
    """asyncio.run on a thread of its own: the caller's thread may already have a loop running
    (Playwright's sync API keeps one for the whole test session)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


MAX_IN_FLIGHT = 2
FINAL_CLOSES = {4400, 4404, 4409, 4410}
IDLE_PHASES = {"ready", "attempt_failed", "done"}


class PageClient:
    """The page's socket behaviour (static/liveness/) against a real server, for fault tests.

    Streams `frames` in a loop at `fps` while the phase allows it, at most 2 in flight, a frame
    unanswered for 5 s frees its slot; says `start` on every connect; reconnects after any close
    that is not final, with the page's backoff. The test swaps `frames` to make the "user" do
    the gesture, and reads `messages` (each with `"conn"`: the connection it came on, and `"t"`:
    when it came).
    """

    def __init__(self, ws_url: str, origin: str, frames: list[bytes], *, fps: float = 8) -> None:
        self.ws_url, self.origin, self.frames, self.fps = ws_url, origin, frames, fps
        self.messages: list[dict[str, Any]] = []
        self.closes: list[int | None] = []
        self.connections = 0
        self.result: dict[str, Any] | None = None
        self.phase = "ready"
        self.seq = 0
        self.position = 0  # in `frames`
        self.stopped = False

    def show(self, frames: list[bytes]) -> None:
        """From the next frame on, the camera sees `frames` (from their start)."""
        self.frames, self.position = frames, 0

    def seen(self, kind: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            m for m in list(self.messages)
            if m["type"] == kind and all(m.get(k) == v for k, v in fields.items())
        ]  # fmt: skip

    async def run(self, timeout: float = 180) -> PageClient:
        deadline = time.monotonic() + timeout
        backoff = [0.5, 1, 2, 4, 5]
        failures = 0
        while not self.result and not self.stopped and time.monotonic() < deadline:
            code: int | None = None
            try:
                async with websockets.connect(
                    self.ws_url, origin=self.origin, max_size=2**22, open_timeout=5
                ) as ws:
                    self.connections += 1
                    failures = 0
                    await self._connected(ws, deadline)
                    code = ws.close_code
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                code = getattr(getattr(exc, "rcvd", None), "code", None)
            self.closes.append(code)
            if self.result or code in FINAL_CLOSES:
                break
            await asyncio.sleep(backoff[min(failures, len(backoff) - 1)])
            failures += 1
        return self

    async def _connected(self, ws: Any, deadline: float) -> None:
        in_flight: dict[int, float] = {}
        conn = self.connections

        async def read() -> None:
            async for raw in ws:
                # `t`: when it came (wall clock, to read beside the server's and workers' logs).
                message = {**json.loads(raw), "conn": conn, "t": round(time.time(), 3)}
                self.messages.append(message)
                kind = message["type"]
                if kind in ("state", "frame_result") and "phase" in message:
                    self.phase = message["phase"]
                    if kind == "state" and self.phase == "ready":
                        await ws.send(json.dumps({"type": "start"}))
                elif kind == "challenge":
                    self.phase = "challenge"
                elif kind == "attempt_failed":
                    self.phase = "attempt_failed"
                elif kind == "result":
                    self.result = message
                if kind in ("frame_result", "frame_dropped"):
                    in_flight.pop(message["seq"], None)

        reader = asyncio.ensure_future(read())
        self.phase = "ready"
        try:
            while not reader.done() and not self.stopped and time.monotonic() < deadline:
                await asyncio.sleep(1 / self.fps)
                now = time.monotonic()
                for seq in [s for s, sent in in_flight.items() if now - sent > 5]:
                    del in_flight[seq]
                if self.phase in IDLE_PHASES or len(in_flight) >= MAX_IN_FLIGHT:
                    continue
                self.seq += 1
                in_flight[self.seq] = now
                image = b64(self.frames[self.position % len(self.frames)])
                self.position += 1
                await ws.send(json.dumps({"type": "frame", "seq": self.seq, "image": image}))
        except websockets.ConnectionClosed:
            pass
        finally:
            if not reader.done():
                await ws.close()
            with contextlib.suppress(websockets.ConnectionClosed):
                await reader


def clip_jpegs(clip: Path, *, fps: float = 8, frames: slice = slice(None)) -> list[bytes]:
    """The clip's frames (at most `fps` a second of video) as the page's JPEGs."""
    return [jpeg for _, jpeg in jpeg_frames(clip, fps=fps)][frames]


def ping_pong(jpegs: list[bytes]) -> list[bytes]:
    """Forward then backward: a loop without a jump at its seam."""
    return jpegs + jpegs[-2:0:-1]
