"""Round trip of the distributed pipeline: page socket → daphne → Celery (Redis) → model →
channel layer → page, for 1 and for N concurrent sessions streaming real clips.

    .venv/bin/python bench/bench_pipeline.py [--sessions 1 10] [--fps 5] [--concurrency 2]

Starts its own PostgreSQL database, daphne and Celery worker (tests/support/distributed.py), like the
tests do, and prints median / p95 / max round trip per frame and the verdict latency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.distributed import Cluster  # noqa: E402
from tests.support.socket_client import Run, percentile, stream_clip  # noqa: E402

CLIPS = ["lp_d18_mouth_open.mp4", "lp_d14_blinks.mp4", "lp_d0_still.mp4", "lp_d9_glasses_blink.mp4"]


def create_session(cluster: Cluster, creds: dict[str, str], gestures: list[str]) -> dict[str, str]:
    return cluster.server.create_session(
        creds, success_url="https://m.example/ok", gestures=gestures
    )


async def many(
    cluster: Cluster, creds: dict[str, str], data: Path, n: int, fps: float, loops: int = 1
) -> list[Run]:
    runs = []
    for i in range(n):
        session = create_session(cluster, creds, ["HEAD_LEFT"])  # never completes: steady load
        ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
        clip = data / "videos" / CLIPS[i % len(CLIPS)]
        runs.append(stream_clip(ws_url, cluster.server.url, clip, fps=fps, retry=True, loops=loops))
    return list(await asyncio.gather(*runs))


def report(label: str, runs: list[Run]) -> None:
    trips = [t for r in runs for t in r.round_trips_ms]
    dropped = sum(1 for r in runs for m in r.messages if m["type"] == "frame_dropped")
    print(
        f"{label}: frames={len(trips)} dropped={dropped} "
        f"median={statistics.median(trips):.1f} ms p95={percentile(trips, 0.95):.1f} ms "
        f"max={max(trips):.1f} ms"
    )


def verdict_latency(cluster: Cluster, creds: dict[str, str], data: Path, fps: float) -> None:
    """From sending the frame that completes the gesture to the result message."""
    session = create_session(cluster, creds, ["HEAD_OPEN_MOUTH"])
    ws_url = session["url"].replace("http://", "ws://").replace("/face/", "/ws/")
    run = asyncio.run(
        stream_clip(ws_url, cluster.server.url, data / "videos" / "lp_d18_mouth_open.mp4", fps=fps)
    )
    print(
        f"verdict: outcome={run.result and run.result['outcome']} "
        f"completing frame → result = {run.verdict_ms:.1f} ms"
        if run.verdict_ms is not None
        else f"verdict: none ({run.result})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--fps", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument("--loops", type=int, default=2, help="play each clip this many times")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Cluster(Path(tmp), concurrency=args.concurrency, pool=args.pool) as cluster,
    ):
        creds = cluster.server.create_merchant("Bench")
        asyncio.run(many(cluster, creds, args.data, 1, args.fps))  # warm-up
        for n in args.sessions:
            started = time.monotonic()
            runs = asyncio.run(many(cluster, creds, args.data, n, args.fps, args.loops))
            report(f"{n} session(s) at {args.fps:g} fps, {time.monotonic() - started:.0f} s", runs)
        verdict_latency(cluster, creds, args.data, args.fps)


if __name__ == "__main__":
    main()
