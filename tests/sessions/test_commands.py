from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sessions.models import ApiKey, Merchant
from sessions.services.credentials import IssuedCredentials
from tests.support.api import SESSIONS, ApiClient
from tests.support.factories import MerchantPersona

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]


def _call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _persona(printed: str) -> MerchantPersona:
    data = json.loads(printed)
    return MerchantPersona(Merchant.objects.get(name=data["merchant"]), IssuedCredentials(**data))


def test_create_merchant_prints_the_contract_json_once() -> None:
    printed = _call("create_merchant", "Kedai Kopi")
    data = json.loads(printed)
    assert set(data) == {"merchant", "api_key", "username", "password", "webhook_secret"}
    assert data["merchant"] == "Kedai Kopi"
    assert data["webhook_secret"].startswith("whsec_")
    assert ApiClient(_persona(printed)).get(SESSIONS).status_code == 200


def test_create_merchant_refuses_a_duplicate_name() -> None:
    _call("create_merchant", "Twice")
    with pytest.raises(CommandError, match="already exists"):
        _call("create_merchant", "Twice")


def test_rotate_command_revokes_old_credentials() -> None:
    old = _persona(_call("create_merchant", "Rotator"))
    new = _persona(_call("rotate_merchant_credentials", "Rotator"))
    assert ApiClient(old).get(SESSIONS).status_code == 401
    assert ApiClient(new).get(SESSIONS).status_code == 200


def test_revoke_command_by_prefix_and_by_merchant() -> None:
    persona = _persona(_call("create_merchant", "Revoked"))
    prefix = ApiKey.objects.get(merchant=persona.merchant).prefix
    assert persona.credentials.api_key.startswith(f"glc_{prefix}_")
    _call("revoke_merchant_key", "--prefix", prefix)
    assert ApiClient(persona).get(SESSIONS).status_code == 401
    other = _persona(_call("create_merchant", "Gone"))
    _call("revoke_merchant_key", "--merchant", "Gone")
    assert ApiClient(other).get(SESSIONS).status_code == 401
    with pytest.raises(CommandError):
        _call("revoke_merchant_key", "--prefix", "doesnotexist")


def test_demo_setup_prints_working_credentials_and_a_curl() -> None:
    printed = _call("demo_setup", "--base-url", "http://127.0.0.1:8000")
    assert "curl -s -X POST http://127.0.0.1:8000/face/v1/active-liveness-sessions" in printed
    creds_line = next(
        line for line in printed.splitlines() if line.strip().startswith('{"merchant"')
    )
    persona = _persona(creds_line.strip())
    assert ApiClient(persona).get(SESSIONS).status_code == 200
    # Run again: new secrets, the old ones stop working.
    _call("demo_setup")
    assert ApiClient(persona).get(SESSIONS).status_code == 401


def test_create_merchant_works_as_a_real_process(tmp_path: Any) -> None:
    env = {"GLAIR_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "manage.py", "create_merchant", "Process Co"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["merchant"] == "Process Co"
