"""Failed sign-ins are throttled: merchant API credentials and the admin (dashboard) login,
per credential from one address and per address; the right people still get in."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client

from tests.support.api import SESSIONS, assert_error
from tests.support.factories import MerchantPersona
from tests.support.prerequisites import require

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
PER_CREDENTIAL = 3
PER_ADDRESS = 6


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.LIVENESS_AUTH_FAILURES_PER_CREDENTIAL = PER_CREDENTIAL
    settings.LIVENESS_AUTH_FAILURES_PER_ADDRESS = PER_ADDRESS
    settings.LIVENESS_AUTH_FAILURE_WINDOW_S = 300


def _headers(persona: MerchantPersona, *, password: str | None = None) -> dict[str, str]:
    creds = persona.credentials
    basic = f"{creds.username}:{password if password is not None else creds.password}"
    return {
        "x-api-key": creds.api_key,
        "Authorization": "Basic " + base64.b64encode(basic.encode()).decode(),
    }


def _list(headers: dict[str, str], address: str = ATTACKER, **meta: str) -> Any:
    return Client().get(SESSIONS, headers=headers, REMOTE_ADDR=address, **meta)


# --- merchant API ---------------------------------------------------------------------------
def test_wrong_passwords_turn_into_429_with_retry_after(merchant: MerchantPersona) -> None:
    wrong = _headers(merchant, password="guess")
    for _ in range(PER_CREDENTIAL):
        assert_error(_list(wrong), 401, "UNAUTHORIZED")
    refused = _list(wrong)
    assert_error(refused, 429, "RATE_LIMITED")
    assert 1 <= int(refused["Retry-After"]) <= 300
    # Refused before judging: the right password from the same address tells nothing either.
    assert_error(_list(_headers(merchant)), 429, "RATE_LIMITED")


def test_the_right_credentials_still_work_from_another_address(merchant: MerchantPersona) -> None:
    wrong = _headers(merchant, password="guess")
    for _ in range(PER_CREDENTIAL + 5):
        _list(wrong)
    assert _list(wrong).status_code == 429
    assert _list(_headers(merchant), address=ELSEWHERE).status_code == 200


def test_other_merchants_keep_working_from_that_address(
    merchant: MerchantPersona, other_merchant: MerchantPersona
) -> None:
    for _ in range(PER_CREDENTIAL + 1):
        _list(_headers(merchant, password="guess"))
    assert _list(_headers(other_merchant)).status_code == 200


def test_an_address_trying_many_names_is_stopped(
    merchant: MerchantPersona, other_merchant: MerchantPersona
) -> None:
    for n in range(PER_ADDRESS):
        basic = base64.b64encode(f"user{n}:guess".encode()).decode()
        wrong = {"x-api-key": f"glc_{n:012d}_nope", "Authorization": "Basic " + basic}
        assert _list(wrong).status_code == 401
    assert_error(_list(_headers(other_merchant)), 429, "RATE_LIMITED")
    assert _list(_headers(other_merchant), address=ELSEWHERE).status_code == 200


def test_successful_calls_are_never_throttled(merchant: MerchantPersona) -> None:
    for _ in range(PER_ADDRESS * 2):
        assert _list(_headers(merchant)).status_code == 200


def test_a_forwarded_address_counts_only_when_configured(
    merchant: MerchantPersona, settings: Any
) -> None:
    wrong = _headers(merchant, password="guess")
    # Not configured: a client cannot pick a fresh address by sending the header.
    for n in range(PER_CREDENTIAL):
        _list(wrong, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _list(wrong, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    # Configured (a proxy we run appends the client's address): its last entry is the client.
    settings.LIVENESS_CLIENT_IP_HEADER = "X-Forwarded-For"
    good = _headers(merchant)
    assert _list(good, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ELSEWHERE}").status_code == 200
    for _ in range(PER_CREDENTIAL):
        _list(wrong, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ELSEWHERE}")
    assert _list(good, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {ELSEWHERE}").status_code == 429
    assert _list(good, HTTP_X_FORWARDED_FOR="9.9.9.9, 192.0.2.1").status_code == 200


@pytest.mark.redis
def test_the_counters_are_shared_through_redis(merchant: MerchantPersona, settings: Any) -> None:
    """Two servers share the counts: the cache is Redis when distributed."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        require(False, f"Redis not reachable at {url}: {exc}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    caches["default"].clear()
    wrong = _headers(merchant, password="guess")
    for _ in range(PER_CREDENTIAL):
        _list(wrong)
    assert any(k.startswith(b":1:authfail:") for k in redis.Redis.from_url(url).keys("*"))
    assert _list(wrong).status_code == 429
    caches["default"].clear()


# --- admin login (also the dashboard's) -------------------------------------------------------
@pytest.fixture
def staff(db: Any) -> Any:
    return get_user_model().objects.create_user(
        "rita", "rita@example.com", "right-pw", is_staff=True
    )


def _login(username: str, password: str, address: str = ATTACKER) -> Any:
    return Client().post(
        "/admin/login/?next=/dashboard/",
        {"username": username, "password": password, "next": "/dashboard/"},
        REMOTE_ADDR=address,
    )


def test_wrong_admin_passwords_turn_into_429(staff: Any) -> None:
    for _ in range(PER_CREDENTIAL):
        assert _login("rita", "guess").status_code == 200  # the form again, with its error
    refused = _login("rita", "guess")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 300
    assert _login("rita", "right-pw").status_code == 429  # no oracle from this address


def test_the_reviewer_still_signs_in_from_elsewhere(staff: Any) -> None:
    for _ in range(PER_CREDENTIAL + 2):
        _login("rita", "guess")
    signed_in = _login("rita", "right-pw", address=ELSEWHERE)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/dashboard/"


def test_one_address_guessing_many_usernames_is_stopped(staff: Any) -> None:
    for n in range(PER_ADDRESS):
        assert _login(f"user{n}", "guess").status_code == 200
    assert _login("rita", "right-pw").status_code == 429
    assert _login("rita", "right-pw", address=ELSEWHERE).status_code == 302


def test_good_admin_logins_do_not_count(staff: Any) -> None:
    for _ in range(PER_ADDRESS + 1):
        assert _login("rita", "right-pw").status_code == 302
    assert Client().get("/admin/login/", REMOTE_ADDR=ATTACKER).status_code == 200


def test_failures_just_before_the_window_turns_still_count_after_it(
    merchant: MerchantPersona, monkeypatch: Any
) -> None:
    # Counts are kept per fixed window, but the check weighs in the window before: a guesser
    # whose failures straddle the turn is not given a fresh budget.
    import sessions.ratelimit as ratelimit

    window = 300
    turn = (int(ratelimit.time.time()) // window + 1) * window
    clock = {"now": turn - 2.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    wrong = _headers(merchant, password="guess")
    for _ in range(PER_CREDENTIAL):
        assert_error(_list(wrong), 401, "UNAUTHORIZED")
    clock["now"] = turn + 5.0  # the next window: 98% of the one before still counts
    assert_error(_list(wrong), 429, "RATE_LIMITED")
    clock["now"] = turn + window + 5.0  # a whole window later, the guesses have aged out
    assert_error(_list(wrong), 401, "UNAUTHORIZED")
