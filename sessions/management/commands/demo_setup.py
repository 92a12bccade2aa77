from __future__ import annotations

import json
import shlex
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sessions.services.demo import demo_setup


class Command(BaseCommand):
    help = (
        "Create (or re-key) the demo merchant and a staff reviewer, then print their "
        "credentials, the URLs to open and a curl that creates a session."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        base = base_url.rstrip("/")
        demo = demo_setup()
        creds = demo.merchant
        body = json.dumps(
            {
                "success_url": f"{base}/demo/done",
                "cancel_url": f"{base}/demo/done",
                "number_of_gestures": 2,
            }
        )
        curl = (
            f"curl -s -X POST {base}/face/v1/active-liveness-sessions \\\n"
            f"  -H 'Content-Type: application/json' \\\n"
            f"  -H 'x-api-key: {creds.api_key}' \\\n"
            f"  -u {shlex.quote(creds.username + ':' + creds.password)} \\\n"
            f"  -d '{body}'"
        )
        lines = [
            "",
            "glair-clone is starting (embedded mode: SQLite, in-memory channel layer,",
            "frame analysis in-process).",
            "",
            f"  Demo page      {base}/demo/"
            + ("" if settings.LIVENESS_DEMO_ENABLED else " (disabled)"),
            f"  API docs       {base}/face/v1/docs/",
            f"  Reviewer admin {base}/admin/  user {demo.reviewer_username}  password {demo.reviewer_password}",
            f"  Reviews        {base}/dashboard/  (same login)",
            "",
            "Demo merchant credentials (new on every start; shown only here):",
            "  " + json.dumps(creds.as_dict()),
            "",
            "Create a session from another terminal:",
            "",
            curl,
            "",
        ]
        self.stdout.write("\n".join(lines))
