from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.errors import LivenessError
from sessions.services.credentials import merchant_create


class Command(BaseCommand):
    help = (
        "Create a merchant; prints its api key, username, password and webhook signing "
        "secret once, as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            issued = merchant_create(name=name)
        except LivenessError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(issued.as_dict()))
