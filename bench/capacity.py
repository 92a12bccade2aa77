"""Capacity of the distributed mode: how many 5-fps sessions it holds within the round-trip target.

    .venv/bin/python bench/capacity.py [--sessions 10 20 30] [--workers 2] [--window 20]

In one run:

1. the bare face-mesh cost on the page's frames (480 px, JPEG quality 70, real clips), in
   MediaPipe's tracking mode (consecutive frames of a clip through one graph; one face, as a
   model-only figure, and three faces, as the engine asks for) and in the static mode;
2. the model-only limit `cores x 1000 / (fps x bare tracking ms)`: the sessions the machine
   could hold if it did nothing but run the model;
3. the distributed mode as separate real processes (daphne, `--workers` Celery worker
   processes, PostgreSQL, Redis; `tests/support/distributed.py`), loaded with N simulated pages. Each
   one behaves as the page (`static/liveness/`) does: it creates a session over the API, opens the socket, presses
   Start, sends the page's frames at `--fps` with at most 2 in flight (a frame due while 2 are
   out is not sent, as the page skips it), presses "Try again" after a failed attempt and, when
   the session ends, starts the next one. Over a `--window` of steady load it counts frames
   answered, round trips, frames the server dropped, frames the page had to skip and sockets
   that did not open.

A load "holds" when p95 round trip <= 150 ms, no frame was dropped or skipped, every socket
opened and every page streamed at its rate (answered frames >= 0.9 x sessions x fps: a page
waiting to be admitted or paused would send nothing). The server runs with no admission limit
(`--max-active 0`) unless asked, so the figure is what the machine holds. The report ends with the largest N that held and its share of the model-only limit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIPS = ["lp_d0_still.mp4", "lp_d14_blinks.mp4", "lp_d9_glasses_blink.mp4", "lp_s18_idle.mp4"]
RT_TARGET_MS = 150.0
MAX_IN_FLIGHT = 2


# --- 1. the bare model ------------------------------------------------------------------------
def page_frames(data: Path, fps: float) -> dict[str, list[bytes]]:
    """Each clip's frames as the page sends them: 480 px wide, JPEG quality 70."""
    import cv2

    from workers.video import read_video

    out = {}
    for clip in CLIPS:
        frames = []
        for frame in read_video(data / "videos" / clip, max_fps=fps):
            height = int(frame.rgb.shape[0] * 480 / frame.rgb.shape[1])
            small = cv2.resize(frame.rgb, (480, height), interpolation=cv2.INTER_AREA)
            bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
            ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 70])
            assert ok
            frames.append(jpeg.tobytes())
        out[clip] = frames
    return out


def bare_costs(clips: dict[str, list[bytes]]) -> dict[str, float]:
    """Mean ms per frame of `FaceMesh.process` on decoded page frames, by mode."""
    import mediapipe as mp

    from workers.decode import decode_rgb

    def mesh(static: bool, faces: int) -> Any:
        return mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, max_num_faces=faces, refine_landmarks=False,
            min_detection_confidence=0.5,
        )  # fmt: skip

    modes = {
        "tracking, 1 face": (False, 1),
        "tracking, 3 faces": (False, 3),
        "static, 3 faces": (True, 3),
    }
    times: dict[str, list[float]] = {name: [] for name in modes}
    static_graph = mesh(True, 3)
    for frames in clips.values():
        rgbs = [decode_rgb(jpeg) for jpeg in frames]
        graphs = {
            name: (static_graph if static else mesh(static, faces))
            for name, (static, faces) in modes.items()
        }
        for i, rgb in enumerate(rgbs):
            # Interleaved, each mode first in turn: the same machine state for all.
            names = list(modes)
            for name in names[i % 3 :] + names[: i % 3]:
                started = time.perf_counter()
                graphs[name].process(rgb)
                if i >= 3:  # the first calls of a graph allocate
                    times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.mean(values) for name, values in times.items()}


# --- 3. simulated pages -----------------------------------------------------------------------
@dataclass
class Tally:
    measuring: bool = False
    round_trips_ms: list[float] = field(default_factory=list)
    answered: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    open_failures: int = 0
    busy: int = 0  # Start answered `busy`: the service did not admit the run yet
    sessions: int = 0
    errors: list[str] = field(default_factory=list)
    window_s: float = 0.0
    cpu_s: float = 0.0  # CPU seconds of the service's processes over the window


def create_session(base_url: str, creds: dict[str, str]) -> dict[str, Any]:
    basic = base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()
    body = json.dumps({"success_url": "https://m.example/ok", "gestures": ["HEAD_LEFT"]})
    request = urllib.request.Request(
        base_url + "/face/v1/active-liveness-sessions", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "x-api-key": creds["api_key"],
                 "Authorization": f"Basic {basic}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: dict[str, Any] = json.loads(answer.read())
    return data


async def read_answers(
    ws: Any, sent_at: dict[int, float], ended: asyncio.Event, running: asyncio.Event,
    tally: Tally,
) -> None:  # fmt: skip
    """The page's side of the server's answers: round trips, drops, retries, the end."""
    import websockets

    try:
        async for raw in ws:
            message = json.loads(raw)
            kind = message["type"]
            if kind == "state" and message.get("phase") != "ready":
                running.set()  # started: the page sends frames from now on
            if kind == "frame_result":
                started = sent_at.pop(message["seq"], None)
                if started is not None and tally.measuring:
                    tally.answered += 1
                    tally.round_trips_ms.append((time.monotonic() - started) * 1000)
            elif kind == "frame_dropped":
                sent_at.pop(message["seq"], None)
                reason = message.get("reason", "?")
                if tally.measuring and reason != "paused":
                    tally.dropped[reason] = tally.dropped.get(reason, 0) + 1
            elif kind == "attempt_failed":
                await ws.send('{"type": "retry"}')
            elif kind == "busy":
                # Not admitted (past LIVENESS_MAX_ACTIVE_SESSIONS): as the page, Start later.
                tally.busy += tally.measuring
                await asyncio.sleep(message["retry_in"])
                await ws.send('{"type": "start"}')
            elif kind in ("result", "replaced"):
                break
    except websockets.ConnectionClosed:
        pass
    finally:
        ended.set()


async def page(
    index: int, base_url: str, creds: dict[str, str], frames: list[str], fps: float,
    stop_at: float, tally: Tally,
) -> None:  # fmt: skip
    """One user after another on one simulated page, until `stop_at`."""
    import websockets

    period = 1.0 / fps
    position = index * 7  # pages start at different points of their clip
    while time.monotonic() < stop_at:
        session = await asyncio.to_thread(create_session, base_url, creds)
        ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/", 1)
        try:
            ws = await asyncio.wait_for(
                websockets.connect(ws_url, origin=base_url, max_size=2**22), 10
            )
        except (TimeoutError, OSError, websockets.InvalidHandshake) as exc:
            tally.open_failures += tally.measuring
            tally.errors.append(f"open: {exc!r}")
            await asyncio.sleep(1)
            continue
        tally.sessions += tally.measuring
        sent_at: dict[int, float] = {}
        ended, running = asyncio.Event(), asyncio.Event()

        task = asyncio.ensure_future(read_answers(ws, sent_at, ended, running, tally))
        try:
            await ws.send('{"type": "start"}')
            seq = 0
            next_at = time.monotonic()
            while not ended.is_set() and time.monotonic() < stop_at:
                next_at += period
                if not running.is_set():
                    pass  # as the page: no frames before the run started (admitted)
                elif len(sent_at) >= MAX_IN_FLIGHT:
                    tally.skipped += tally.measuring
                else:
                    sent_at[seq] = time.monotonic()
                    image = frames[position % len(frames)]
                    await ws.send(f'{{"type": "frame", "seq": {seq}, "image": "{image}"}}')
                    seq += 1
                position += 1
                await asyncio.sleep(max(next_at - time.monotonic(), 0))
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.close()
            await task


async def load(
    base_url: str, creds: dict[str, str], clips: list[list[str]], n: int, fps: float,
    ramp_s: float, window_s: float, pids: list[int],
) -> Tally:  # fmt: skip
    tally = Tally()
    stop_at = time.monotonic() + ramp_s + window_s
    pages = []
    for i in range(n):
        pages.append(asyncio.ensure_future(
            page(i, base_url, creds, clips[i % len(clips)], fps, stop_at, tally)
        ))  # fmt: skip
        await asyncio.sleep(ramp_s / 2 / max(n, 1))  # open the pages over half the ramp
    await asyncio.sleep(max(stop_at - window_s - time.monotonic(), 0))
    tally.measuring = True
    started, cpu = time.monotonic(), cpu_seconds(pids)
    await asyncio.sleep(max(stop_at - time.monotonic(), 0))
    tally.measuring = False
    tally.window_s = time.monotonic() - started
    tally.cpu_s = cpu_seconds(pids) - cpu
    await asyncio.gather(*pages, return_exceptions=True)
    return tally


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and their children (from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            todo += [int(c) for c in children]
        except (OSError, IndexError, ValueError):
            continue
    return total


def more_worker(cluster: Any, concurrency: int, pool: str, tmp: Path, i: int) -> Any:
    """One more Celery worker process beside the cluster's, on the same broker."""
    import subprocess

    log = (tmp / f"worker{i}.log").open("ab")
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "glair_clone", "worker",
         "--loglevel=WARNING", f"--concurrency={concurrency}", f"--pool={pool}",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"extra{i}@%h"],
        cwd=ROOT, env=cluster.server.env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(8)  # the model loads in worker_process_init
    return worker


def service_pids() -> list[int]:
    """Redis and PostgreSQL: their work for the service counts too."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            name = (proc / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(("redis-server", "postgres")):
            pids.append(int(proc.name))
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 20, 30, 40])
    parser.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 1],
                        help="Celery worker processes; several values: one run for each")  # fmt: skip
    parser.add_argument("--pool", default="solo", choices=["prefork", "threads", "solo"])
    parser.add_argument("--fps", type=float, default=5)
    parser.add_argument("--ramp", type=float, default=8, help="seconds before measuring")
    parser.add_argument("--window", type=float, default=20, help="seconds measured per load")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument(
        "--max-active", type=int, default=0,
        help="LIVENESS_MAX_ACTIVE_SESSIONS for the server (0: no admission limit, the default "
        "here, to measure what the machine holds)",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glair_clone.settings")
    import django

    django.setup()
    from tests.support.distributed import Cluster

    cores = os.cpu_count() or 1
    raw = page_frames(args.data, args.fps)
    clips = [[base64.b64encode(jpeg).decode() for jpeg in frames] for frames in raw.values()]
    limit = None
    if not args.skip_bare:
        bare = bare_costs(raw)
        for name, ms in bare.items():
            print(f"bare FaceMesh.process, {name:18s} {ms:6.2f} ms/frame")
        tracking = bare["tracking, 1 face"]
        limit = cores * 1000 / (args.fps * tracking)
        print(
            f"model-only limit: {cores} cores x 1000 / ({args.fps:g} fps x {tracking:.2f} ms) "
            f"= {limit:.1f} sessions ({cores * 1000 / tracking:.0f} frames/s)"
        )
    for workers in args.workers:
        best = 0
        concurrency = 1 if args.pool == "solo" else cores
        env = {"LIVENESS_MAX_ACTIVE_SESSIONS": str(args.max_active)}
        with (
            tempfile.TemporaryDirectory() as tmp,
            Cluster(Path(tmp), concurrency=concurrency, pool=args.pool, env=env) as cluster,
        ):
            extra = [
                more_worker(cluster, concurrency, args.pool, Path(tmp), i)
                for i in range(1, workers)
            ]
            creds = cluster.server.create_merchant("Capacity")
            assert cluster.server.process is not None and cluster.worker is not None
            pids = [cluster.server.process.pid, cluster.worker.pid, *(w.pid for w in extra)]
            pids += service_pids()
            print(f"\n{workers} worker process(es), pool {args.pool}")
            print(
                "sessions  frames/s  median ms  p95 ms  dropped  skipped  open-fail  "
                "CPU ms/frame  busy  holds"
            )
            for n in args.sessions:
                tally = asyncio.run(
                    load(
                        cluster.server.url, creds, clips, n, args.fps, args.ramp, args.window, pids
                    )
                )
                rate = tally.answered / tally.window_s
                p95 = percentile(tally.round_trips_ms, 0.95)
                median = percentile(tally.round_trips_ms, 0.5)
                dropped = sum(tally.dropped.values())
                holds = (
                    p95 <= RT_TARGET_MS and dropped == 0 and tally.skipped == 0
                    and tally.open_failures == 0 and tally.busy == 0
                    # every page streamed at its rate (not waiting, not paused)
                    and rate >= 0.9 * n * args.fps
                )  # fmt: skip
                if holds:
                    best = max(best, n)
                per_frame = tally.cpu_s * 1000 / max(tally.answered, 1)
                print(
                    f"{n:8d}  {rate:8.1f}  {median:9.1f}  {p95:6.1f}  {dropped:7d}  "
                    f"{tally.skipped:7d}  {tally.open_failures:9d}  {per_frame:12.1f}  "
                    f"{tally.busy:4d}  {'yes' if holds else 'no'}"
                    + (f"  drops: {tally.dropped}" if tally.dropped else "")
                )
                for error in tally.errors[:3]:
                    print("   ", error)
            for worker in extra:
                worker.terminate()
                worker.wait(15)
        share = f" = {best / limit:.2f} of the model-only limit" if limit else ""
        print(f"{workers} worker process(es): held {best} sessions{share}")


if __name__ == "__main__":
    main()
