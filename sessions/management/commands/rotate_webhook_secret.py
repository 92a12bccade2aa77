from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.errors import LivenessError
from sessions.services.credentials import merchant_get
from sessions.services.webhooks import merchant_webhook_secret_rotate


class Command(BaseCommand):
    help = (
        "Give a merchant a new webhook signing secret (printed once, as JSON). Every attempt "
        "from now on, retries of older events included, is signed with it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            merchant = merchant_get(name=name)
        except LivenessError as exc:
            raise CommandError(exc.message) from exc
        secret = merchant_webhook_secret_rotate(merchant=merchant)
        self.stdout.write(json.dumps({"merchant": merchant.name, "webhook_secret": secret}))
