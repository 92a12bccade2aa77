"""GLAIR's official npm SDK (@glair/vision), unchanged, against a real server of ours."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.live import LiveServer

SDK_VERSION = "0.0.1-beta.9"
SCRIPT = """
import { Vision } from "@glair/vision";
const [baseUrl, apiKey, username, password] = process.argv.slice(2);
const vision = new Vision({ baseUrl, apiKey, username, password });
const out = {};
out.created = await vision.faceBio.activeLivenessSessions.create({
  success_url: "https://merchant.example/done", cancel_url: "https://merchant.example/back",
  number_of_gestures: 2,
});
out.retrieved = await vision.faceBio.activeLivenessSessions.retrieve({ sid: out.created.sid });
try {
  await new Vision({ baseUrl, apiKey, username, password: "wrong" })
    .faceBio.activeLivenessSessions.retrieve({ sid: out.created.sid });
} catch (error) { out.unauthorized = error; }
try {
  await vision.faceBio.activeLivenessSessions.retrieve({ sid: "no-such-sid" });
} catch (error) { out.missing = error; }
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: Any) -> Path:
    require(
        shutil.which("node") is not None and shutil.which("npm") is not None,
        "node and npm are needed to run GLAIR's npm SDK",
    )
    cache = Path(os.environ.get("GLAIR_NPM_CACHE", Path.home() / ".cache" / "glair-clone-sdk"))
    if not (cache / "node_modules" / "@glair" / "vision").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "package.json").write_text('{"private": true, "type": "module"}')
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                f"@glair/vision@{SDK_VERSION}",
            ],
            cwd=cache,
            check=True,
            timeout=300,
        )
    (cache / "check.mjs").write_text(SCRIPT)
    return cache


def test_glairs_own_sdk_creates_and_retrieves_sessions(sdk_dir: Path, tmp_path: Path) -> None:
    with LiveServer(tmp_path) as server:
        creds = server.create_merchant("SDK Merchant")
        done = subprocess.run(
            [
                "node",
                "check.mjs",
                server.url,
                creds["api_key"],
                creds["username"],
                creds["password"],
            ],
            cwd=sdk_dir,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    # The SDK logs to stdout too; our script prints its JSON last.
    out = json.loads(done.stdout.strip().splitlines()[-1])
    created = out["created"]
    assert created["status"] == "PENDING"
    assert created["number_of_gestures"] == 2
    assert created["cancel_url"] == "https://merchant.example/back"
    assert created["url"].startswith(server.url + "/face/active-liveness/")
    assert out["retrieved"] == created
    assert out["unauthorized"]["status"] == 401
    assert out["unauthorized"]["reason"] == "UNAUTHORIZED"
    assert out["missing"] == {"status": 404, "reason": "NOT_FOUND", "message": "session not found"}
