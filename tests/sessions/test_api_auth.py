from __future__ import annotations

import base64
from typing import Any

import pytest

from sessions.models import ApiKey, Merchant
from sessions.services.credentials import digest, merchant_credentials_rotate, merchant_deactivate
from tests.support.api import SESSIONS, ApiClient, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_are_stored_hashed_never_plain(merchant: Any) -> None:
    creds = merchant.credentials
    row = Merchant.objects.get(pk=merchant.merchant.pk)
    key = ApiKey.objects.get(merchant=row)
    assert creds.password not in row.password_hash
    assert row.password_hash == digest(creds.password)
    assert key.key_hash == digest(creds.api_key)
    assert creds.api_key not in key.key_hash


BAD_HEADERS = {
    "nothing": lambda c: {},
    "key only": lambda c: {"x-api-key": c.api_key},
    "basic only": lambda c: {"Authorization": _basic(c.username, c.password)},
    "unknown key": lambda c: {
        "x-api-key": "glc_000000000000_nope",
        "Authorization": _basic(c.username, c.password),
    },
    "bearer": lambda c: {"x-api-key": c.api_key, "Authorization": "Bearer abc"},
    "not base64": lambda c: {"x-api-key": c.api_key, "Authorization": "Basic !!!notbase64"},
    "no colon": lambda c: {
        "x-api-key": c.api_key,
        "Authorization": "Basic " + base64.b64encode(b"nocolon").decode(),
    },
    "wrong password": lambda c: {"x-api-key": c.api_key, "Authorization": _basic(c.username, "x")},
    "wrong key": lambda c: {
        "x-api-key": c.api_key[:-2] + "xx",
        "Authorization": _basic(c.username, c.password),
    },
    "wrong user": lambda c: {"x-api-key": c.api_key, "Authorization": _basic("x", c.password)},
}


@pytest.mark.parametrize("case", BAD_HEADERS)
def test_missing_or_wrong_credentials_answer_401(merchant: Any, case: str) -> None:
    creds = merchant.credentials
    sent = BAD_HEADERS[case](creds)
    client = ApiClient(None)
    for response in (
        client.get(SESSIONS, **sent),
        client.post(SESSIONS, {"success_url": "https://a.example/"}, **sent),
        client.get(f"{SESSIONS}/01900000-0000-7000-8000-000000000000", **sent),
    ):
        body = assert_error(response, 401, "UNAUTHORIZED")
        assert creds.password not in body["message"]
        assert response["WWW-Authenticate"].startswith("Basic")


def test_another_merchants_key_with_my_password_is_refused(
    merchant: Any, other_merchant: Any
) -> None:
    mixed = {
        "x-api-key": other_merchant.credentials.api_key,
        "Authorization": _basic(merchant.credentials.username, merchant.credentials.password),
    }
    assert_error(ApiClient(None).get(SESSIONS, **mixed), 401)


def test_rotation_issues_new_credentials_and_revokes_the_old(merchant: Any, api: Any) -> None:
    old_headers = merchant.headers
    issued = merchant_credentials_rotate(merchant=merchant.merchant)
    assert_error(ApiClient(None).get(SESSIONS, **old_headers), 401)
    new_headers = {
        "x-api-key": issued.api_key,
        "Authorization": _basic(issued.username, issued.password),
    }
    assert ApiClient(None).get(SESSIONS, **new_headers).status_code == 200


def test_rotation_can_keep_old_keys_for_a_handover(merchant: Any) -> None:
    issued = merchant_credentials_rotate(merchant=merchant.merchant, keep_old_keys=True)
    old_key_new_password = {
        "x-api-key": merchant.credentials.api_key,
        "Authorization": _basic(issued.username, issued.password),
    }
    assert ApiClient(None).get(SESSIONS, **old_key_new_password).status_code == 200


def test_a_deactivated_merchant_is_refused(merchant: Any, api: Any) -> None:
    merchant_deactivate(merchant=merchant.merchant)
    assert_error(api.get(SESSIONS), 401)


def test_a_revoked_key_is_refused(merchant: Any, api: Any) -> None:
    ApiKey.objects.filter(merchant=merchant.merchant).update(revoked_at="2026-01-01T00:00:00Z")
    assert_error(api.get(SESSIONS), 401)
