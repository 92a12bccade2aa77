"""Merchant credentials: creation, rotation, revocation and verification.

The api key and password are 256-bit random secrets made here, never chosen by people, so a
plain SHA-256 digest is as strong as a slow password hash against guessing and keeps every API
call cheap (PBKDF2 would cost ~0.5 s per request). Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from sessions.errors import Conflict, InvalidInput, NotFound
from sessions.models import ApiKey, Merchant

KEY_PREFIX_BYTES = 6


@dataclass(frozen=True)
class IssuedCredentials:
    """Plain-text credentials, shown once and never stored."""

    merchant: str
    api_key: str
    username: str
    password: str
    # Only when it is new: `create_merchant` prints it; rotating the keys leaves it alone.
    webhook_secret: str = ""

    def as_dict(self) -> dict[str, str]:
        shown = {
            "merchant": self.merchant,
            "api_key": self.api_key,
            "username": self.username,
            "password": self.password,
        }
        if self.webhook_secret:
            shown["webhook_secret"] = self.webhook_secret
        return shown


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_api_key(merchant: Merchant) -> str:
    prefix = secrets.token_hex(KEY_PREFIX_BYTES)
    secret = secrets.token_urlsafe(32)
    key = f"glc_{prefix}_{secret}"
    ApiKey.objects.create(merchant=merchant, prefix=prefix, key_hash=digest(key))
    return key


def merchant_create(*, name: str) -> IssuedCredentials:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("merchant name must be 1..100 characters", field="name")
    username = slugify(name) or "merchant"
    if Merchant.objects.filter(username=username).exists():
        username = f"{username}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            merchant = Merchant.objects.create(
                name=name, username=username, password_hash=digest(password)
            )
            api_key = _new_api_key(merchant)
    except IntegrityError as exc:
        raise Conflict(f"a merchant named {name!r} already exists", field="name") from exc
    return IssuedCredentials(name, api_key, username, password, merchant.webhook_secret)


def merchant_get(*, name: str) -> Merchant:
    try:
        return Merchant.objects.get(name=name)
    except Merchant.DoesNotExist as exc:
        raise NotFound(f"no merchant named {name!r}") from exc


@transaction.atomic
def merchant_credentials_rotate(
    *, merchant: Merchant, keep_old_keys: bool = False
) -> IssuedCredentials:
    """Issue a new api key and password; old keys stop working unless kept for a handover."""
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    if not keep_old_keys:
        merchant.api_keys.filter(revoked_at=None).update(revoked_at=timezone.now())
    password = secrets.token_urlsafe(32)
    merchant.password_hash = digest(password)
    merchant.is_active = True
    merchant.save(update_fields=["password_hash", "is_active"])
    api_key = _new_api_key(merchant)
    return IssuedCredentials(merchant.name, api_key, merchant.username, password)


def api_key_revoke(*, prefix: str) -> ApiKey:
    updated = ApiKey.objects.filter(prefix=prefix, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(f"no active api key with prefix {prefix!r}")
    return ApiKey.objects.get(prefix=prefix)


def merchant_deactivate(*, merchant: Merchant) -> None:
    """Cut a merchant off entirely: every key revoked, Basic auth refused."""
    with transaction.atomic():
        Merchant.objects.filter(pk=merchant.pk).update(is_active=False)
        merchant.api_keys.filter(revoked_at=None).update(revoked_at=timezone.now())


def merchant_authenticate(*, api_key: str, username: str, password: str) -> Merchant | None:
    """The merchant both credentials belong to, or None. Every branch does equal work."""
    parts = api_key.split("_", 2)
    prefix = parts[1] if len(parts) == 3 and parts[0] == "glc" else ""
    key = (
        ApiKey.objects.select_related("merchant")
        .filter(prefix=prefix, revoked_at=None, merchant__is_active=True)
        .first()
    )
    key_ok = key is not None and hmac.compare_digest(key.key_hash, digest(api_key))
    merchant = key.merchant if key is not None else None
    user_ok = merchant is not None and hmac.compare_digest(merchant.username, username)
    pass_ok = merchant is not None and hmac.compare_digest(merchant.password_hash, digest(password))
    if key_ok and user_ok and pass_ok:
        return merchant
    return None
