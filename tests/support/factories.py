"""Factories and API personas. Merchants are made through the real service, so the
credentials a test uses are exactly the ones a merchant would be given."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

import factory
from django.utils import timezone

from sessions.models import LivenessSession, Merchant
from sessions.services.credentials import IssuedCredentials, merchant_create

_counter = iter(range(1, 1_000_000))


@dataclass
class MerchantPersona:
    merchant: Merchant
    credentials: IssuedCredentials

    @property
    def headers(self) -> dict[str, str]:
        basic = f"{self.credentials.username}:{self.credentials.password}"
        return {
            "x-api-key": self.credentials.api_key,
            "Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
        }


def make_merchant(name: str | None = None) -> MerchantPersona:
    issued = merchant_create(name=name or f"Merchant {next(_counter)}")
    return MerchantPersona(Merchant.objects.get(name=issued.merchant), issued)


class LivenessSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LivenessSession

    success_url = "https://merchant.example/done"
    number_of_gestures = 1
    gestures = factory.LazyFunction(lambda: ["HEAD_LEFT"])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
