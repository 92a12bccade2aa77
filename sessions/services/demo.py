"""The demo merchant and reviewer of a local run. Their secrets are re-issued at every start,
because only hashes are stored and the start-up banner has to show them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from sessions.models import Merchant
from sessions.services.credentials import (
    IssuedCredentials,
    merchant_create,
    merchant_credentials_rotate,
)

DEMO_MERCHANT = "Demo Merchant"
DEMO_REVIEWER = "reviewer"


@dataclass(frozen=True)
class DemoAccounts:
    merchant: IssuedCredentials
    reviewer_username: str
    reviewer_password: str


@transaction.atomic
def demo_setup() -> DemoAccounts:
    existing = Merchant.objects.filter(name=DEMO_MERCHANT).first()
    if existing is None:
        issued = merchant_create(name=DEMO_MERCHANT)
    else:
        issued = merchant_credentials_rotate(merchant=existing)
    password = secrets.token_urlsafe(12)
    user_model = get_user_model()
    reviewer, _ = user_model.objects.get_or_create(
        username=DEMO_REVIEWER, defaults={"is_staff": True, "is_superuser": True}
    )
    reviewer.is_staff = True
    reviewer.is_superuser = True
    reviewer.set_password(password)
    reviewer.save()
    return DemoAccounts(issued, DEMO_REVIEWER, password)


def demo_merchant() -> Merchant | None:
    return Merchant.objects.filter(name=DEMO_MERCHANT, is_active=True).first()
