from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import ApiClient
from tests.support.factories import MerchantPersona, make_merchant


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def merchant(db: Any) -> MerchantPersona:
    return make_merchant("Acme Pay")


@pytest.fixture
def other_merchant(db: Any) -> MerchantPersona:
    return make_merchant("Other Shop")


@pytest.fixture
def api(merchant: MerchantPersona) -> ApiClient:
    return ApiClient(merchant)


@pytest.fixture
def other_api(other_merchant: MerchantPersona) -> ApiClient:
    return ApiClient(other_merchant)


@pytest.fixture
def reviewer(db: Any) -> Any:
    """A staff user: the only kind of person the reviewers' dashboard lets in."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("rita", "rita@example.com", "pw", is_staff=True)
