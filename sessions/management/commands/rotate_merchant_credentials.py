from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.errors import LivenessError
from sessions.services.credentials import merchant_credentials_rotate, merchant_get


class Command(BaseCommand):
    help = (
        "Issue a new api key and password for a merchant (printed once, as JSON). "
        "Old keys are revoked unless --keep-old-keys is given for a handover."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--keep-old-keys", action="store_true")

    def handle(self, *args: Any, name: str, keep_old_keys: bool, **options: Any) -> None:
        try:
            merchant = merchant_get(name=name)
            issued = merchant_credentials_rotate(merchant=merchant, keep_old_keys=keep_old_keys)
        except LivenessError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(issued.as_dict()))
