"""Schema-driven fuzzing (schemathesis) of every merchant endpoint, in process through WSGI:
no answer is a server error, and every answer conforms to the OpenAPI schema (status code,
content type, body, headers). Deterministic (derandomized) and short: a few dozen examples per
operation."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.factories import MerchantPersona, make_merchant

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
SCHEMA_URL = "/face/v1/schema/?format=json"


# Loaded at collection through the WSGI app (no database needed to serve the schema): one
# test per operation. (schemathesis' fixture-based loader does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())


@pytest.fixture(autouse=True)
def _no_create_rate_limit(settings: Any) -> None:
    # Every generated create succeeds when its body is valid: no create-rate 429 in the way.
    settings.LIVENESS_CREATE_RATE_PER_MINUTE = 1_000_000
    settings.LIVENESS_DEVICE_RATE_PER_HOUR = 1_000_000


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    # The WSGI handler closes database connections around each request; inside a test's
    # transaction that would close it under the test (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def shop(db: Any) -> MerchantPersona:
    return make_merchant("Fuzzed Shop")


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_endpoint_answers_within_its_schema(case: Any, shop: MerchantPersona) -> None:
    response = case.call(headers=shop.headers)
    case.validate_response(response, checks=CHECKS)


def test_the_fuzzer_gets_past_validation(shop: MerchantPersona) -> None:
    """A complete schema lets generated bodies create sessions (`success_url` is a URI,
    `gestures` an enum): most valid-looking creates are 201s."""
    operation = schema["/face/v1/active-liveness-sessions/"]["POST"]
    answered: Counter[int] = Counter()

    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def create(case: Any) -> None:
        answered[case.call(headers=shop.headers).status_code] += 1

    create()
    assert answered[201] >= 10, answered
