"""What `bench/phases.py` and `bench/involuntary.py` share: replays of the shared clips on
accuracy.py's observation cache, run in a pool, behind one command line.

    --data DIR  --split dev|heldout  --jobs N  --cache DIR
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from bench import accuracy
from bench.runner import Source, analysis_hash, run_source

Task = tuple[Source, tuple[Any, ...]]


def parser(doc: str) -> argparse.ArgumentParser:
    """The shared options; a script adds its own before `parse`."""
    out = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    out.add_argument("--data", default=os.environ.get("LIVENESS_TEST_DATA", str(default)))
    out.add_argument("--split", choices=["dev", "heldout"], default="dev")
    out.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    out.add_argument("--cache", default=None, help="accuracy.py's observation folder")
    return out


def data_and_cache(
    cli: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[Path, Path | None]:
    data = Path(args.data).resolve()
    if not (data / "videos").is_dir():
        cli.error(f"{data}: not the shared data folder (no videos/)")
    cache = Path(args.cache) if args.cache else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    return data, cache


def replay_clip(task: Task) -> list[dict[str, Any]]:
    """One clip source's sessions, in a pool process set up by `accuracy._init` (the data,
    the cache, the code hash)."""
    source, spec = task
    build = lambda keys: accuracy.build_clip_frames(spec, keys)  # noqa: E731
    return run_source(source, build, accuracy._CACHE, accuracy._CODE)


def run_all(
    tasks: list[Task],
    work: Callable[[Task], list[dict[str, Any]]],
    data: Path,
    cache: Path | None,
    jobs: int,
) -> list[dict[str, Any]]:
    """Every task's results, `work` in a pool of `jobs` processes. Nothing here may run the
    face mesh before the pool forks: MediaPipe's threads do not survive a fork."""
    results: list[dict[str, Any]] = []
    with Pool(jobs, initializer=accuracy._init, initargs=(data, cache, analysis_hash())) as pool:
        for rs in pool.imap_unordered(work, tasks):
            results.extend(rs)
    return results
