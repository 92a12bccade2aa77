"""A page stand-in for protocol-level tests: a real WebSocket client that streams a clip the
way page.js does (≤ 2 frames in flight) and records every message and round trip."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from tests.clips import b64, jpeg_frames


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
