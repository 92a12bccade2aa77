"""Replay a recorded video through the liveness engine and print the verdict and timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gestures.codes import ENGINE_GESTURES


class Command(BaseCommand):
    help = (
        "Run the server's liveness engine over a video file, using the clip's own timestamps, "
        "and print one JSON object: status, result, reference_frame, timeline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("video", type=Path)
        parser.add_argument("--gestures", required=True, help="comma-separated gesture codes")
        parser.add_argument("--fps", type=float, default=None, help="analyse at most N frames/s")

    def handle(self, *args: Any, **options: Any) -> None:
        from sessions.engine import engine_config, max_attempts
        from workers.replay import observe_and_replay
        from workers.video import VideoError

        gestures = [g.strip() for g in options["gestures"].split(",") if g.strip()]
        unknown = [g for g in gestures if g not in ENGINE_GESTURES]
        if not gestures or unknown:
            raise CommandError(
                f"unknown gesture(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(ENGINE_GESTURES)}"
            )
        fps = options["fps"]
        if fps is not None and fps <= 0:
            raise CommandError("--fps must be a positive number")
        try:
            report = observe_and_replay(
                options["video"], gestures, engine_config(), max_attempts(), max_fps=fps
            )
        except VideoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(report))
