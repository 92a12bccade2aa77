"""The page's debug record is switched on by LIVENESS_PAGE_DEBUG only (browser tests); the
production page carries no switch. tests/browser/test_page_production.py checks that such a
page exposes nothing on `window`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import LivenessSessionFactory, make_merchant

pytestmark = pytest.mark.django_db


def page_html(client: Any) -> str:
    session = LivenessSessionFactory(merchant=make_merchant().merchant)
    response = client.get(f"/face/active-liveness/{session.page_token}")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_production_page_loads_its_modules_and_has_no_debug_switch(
    client: Any, settings: Any
) -> None:
    settings.LIVENESS_PAGE_DEBUG = False
    html = page_html(client)
    assert '<script type="module" src="/static/liveness/main.js"></script>' in html
    assert "data-debug" not in html
    assert "<script>" not in html  # no inline script: the CSP allows none


def test_the_debug_setting_switches_the_page_record_on(client: Any, settings: Any) -> None:
    settings.LIVENESS_PAGE_DEBUG = True
    assert 'data-debug="true"' in page_html(client)
