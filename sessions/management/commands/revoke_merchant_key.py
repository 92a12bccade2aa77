from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.errors import LivenessError
from sessions.services.credentials import api_key_revoke, merchant_deactivate, merchant_get


class Command(BaseCommand):
    help = (
        "Revoke one api key (by its prefix, the part after glc_) or, with --merchant, all access."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--prefix", help="the key's public prefix, e.g. 3fa2c1d9e0b7")
        group.add_argument("--merchant", help="deactivate this merchant: every key revoked")

    def handle(self, *args: Any, prefix: str | None, merchant: str | None, **options: Any) -> None:
        try:
            if prefix:
                api_key_revoke(prefix=prefix)
                self.stdout.write(f"revoked key {prefix}")
            else:
                merchant_deactivate(merchant=merchant_get(name=str(merchant)))
                self.stdout.write(f"deactivated merchant {merchant}")
        except LivenessError as exc:
            raise CommandError(exc.message) from exc
