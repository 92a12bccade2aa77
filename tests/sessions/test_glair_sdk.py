"""GLAIR's official npm SDK (@glair/vision), unchanged, against a real server of ours."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import LiveServer
from tests.support.prerequisites import require

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
# faceBio.passiveLivenessSessions posts `{success_url, cancel_url}` as JSON and GETs
# `face/v1/passive-liveness-sessions/<sid>`; it returns the JSON answer and throws the error body.
PASSIVE_SESSIONS_SCRIPT = """
import { Vision } from "@glair/vision";
const [baseUrl, apiKey, username, password] = process.argv.slice(2);
const vision = new Vision({ baseUrl, apiKey, username, password });
const sessions = vision.faceBio.passiveLivenessSessions;
const out = {};
out.created = await sessions.create({
  success_url: "https://merchant.example/done", cancel_url: "https://merchant.example/back",
});
out.bare = await sessions.create({ success_url: "https://merchant.example/done" });
out.retrieved = await sessions.retrieve({ sid: out.created.sid });
try {
  await new Vision({ baseUrl, apiKey, username, password: "wrong" })
    .faceBio.passiveLivenessSessions.retrieve({ sid: out.created.sid });
} catch (error) { out.unauthorized = error; }
try { await sessions.retrieve({ sid: "no-such-sid" }); } catch (error) { out.missing = error; }
const active = await vision.faceBio.activeLivenessSessions.create({
  success_url: "https://merchant.example/done",
});
try { await sessions.retrieve({ sid: active.sid }); } catch (error) { out.activeSid = error; }
try {
  await sessions.create({ success_url: "javascript:alert(1)" });
} catch (error) { out.badUrl = error; }
console.log(JSON.stringify(out));
"""

# faceBio.passiveLiveness reads the file and posts it as a bare Blob (`image`, typed
# application/octet-stream, named "blob"); it returns the JSON answer and throws the error body.
PASSIVE_SCRIPT = """
import { Vision } from "@glair/vision";
const [baseUrl, apiKey, username, password, live, spoof, notImage] = process.argv.slice(2);
const vision = new Vision({ baseUrl, apiKey, username, password });
const out = {};
out.live = await vision.faceBio.passiveLiveness({ image: live });
out.spoof = await vision.faceBio.passiveLiveness({ image: spoof });
try {
  await vision.faceBio.passiveLiveness({ image: notImage });
} catch (error) { out.notImage = error; }
try {
  await new Vision({ baseUrl, apiKey, username, password: "wrong" })
    .faceBio.passiveLiveness({ image: live });
} catch (error) { out.unauthorized = error; }
console.log(JSON.stringify(out));
"""

# faceBio.activeLiveness posts `image` as a bare Blob and `gesture-code` as a text part.
ACTIVE_SCRIPT = """
import { Vision } from "@glair/vision";
const [baseUrl, apiKey, username, password, hand, face, notImage, ...codes] = process.argv.slice(2);
const vision = new Vision({ baseUrl, apiKey, username, password });
const out = { hand: {}, face: {} };
for (const gestureCode of codes) {
  out.hand[gestureCode] = await vision.faceBio.activeLiveness({ image: hand, gestureCode });
}
for (const gestureCode of ["HEAD_11", "HEAD_LEFT", "HAND_01000"]) {
  out.face[gestureCode] = await vision.faceBio.activeLiveness({ image: face, gestureCode });
}
try {
  await vision.faceBio.activeLiveness({ image: notImage, gestureCode: "HEAD_LEFT" });
} catch (error) { out.notImage = error; }
try {
  await vision.faceBio.activeLiveness({ image: face, gestureCode: "HAND_10101" });
} catch (error) { out.unknownCode = error; }
console.log(JSON.stringify(out));
"""

# faceBio.match posts `captured_image` and `stored_image` as bare Blobs in one form.
MATCH_SCRIPT = """
import { Vision } from "@glair/vision";
const [baseUrl, apiKey, username, password, obama, obama2, biden, notImage] = process.argv.slice(2);
const vision = new Vision({ baseUrl, apiKey, username, password });
const out = {};
out.same = await vision.faceBio.match({ stored: obama, captured: obama2 });
out.other = await vision.faceBio.match({ stored: obama, captured: biden });
try {
  await vision.faceBio.match({ stored: obama, captured: notImage });
} catch (error) { out.notImage = error; }
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
    (cache / "passive.mjs").write_text(PASSIVE_SCRIPT)
    (cache / "passive_sessions.mjs").write_text(PASSIVE_SESSIONS_SCRIPT)
    (cache / "active.mjs").write_text(ACTIVE_SCRIPT)
    (cache / "match.mjs").write_text(MATCH_SCRIPT)
    return cache


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[LiveServer]:
    """One server for every SDK run: they create nothing another reads."""
    with LiveServer(tmp_path_factory.mktemp("sdk-server")) as live:
        yield live


@pytest.fixture(scope="module")
def creds(server: LiveServer) -> dict[str, str]:
    return server.create_merchant("SDK Merchant")


def run_sdk(sdk_dir: Path, script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", script, *args],
        cwd=sdk_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # The SDK logs to stdout too; our scripts print their JSON last.
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def test_glairs_own_sdk_creates_and_retrieves_sessions(
    sdk_dir: Path, server: LiveServer, creds: dict[str, str]
) -> None:
    out = run_sdk(
        sdk_dir,
        "check.mjs",
        server.url,
        creds["api_key"],
        creds["username"],
        creds["password"],
    )
    created = out["created"]
    assert created["status"] == "PENDING"
    assert created["number_of_gestures"] == 2
    assert created["cancel_url"] == "https://merchant.example/back"
    assert created["url"].startswith(server.url + "/face/active-liveness/")
    assert out["retrieved"] == created
    assert out["unauthorized"]["status"] == 401
    assert out["unauthorized"]["reason"] == "UNAUTHORIZED"
    assert out["missing"] == {"status": 404, "reason": "NOT_FOUND", "message": "session not found"}


def test_glairs_own_sdk_creates_and_retrieves_passive_sessions(
    sdk_dir: Path, server: LiveServer, creds: dict[str, str]
) -> None:
    out = run_sdk(
        sdk_dir,
        "passive_sessions.mjs",
        server.url,
        creds["api_key"],
        creds["username"],
        creds["password"],
    )
    created = out["created"]
    assert created["status"] == "PENDING" and created["result"] is None
    assert created["success_url"] == "https://merchant.example/done"
    assert created["cancel_url"] == "https://merchant.example/back"
    assert created["url"].startswith(server.url + "/face/passive-liveness/")
    assert "number_of_gestures" not in created
    assert out["retrieved"] == created
    assert out["bare"]["cancel_url"] is None and out["bare"]["sid"] > created["sid"]
    assert out["unauthorized"]["status"] == 401
    assert out["unauthorized"]["reason"] == "UNAUTHORIZED"
    assert out["missing"] == {"status": 404, "reason": "NOT_FOUND", "message": "session not found"}
    assert out["activeSid"]["status"] == 404  # an active session is no passive one
    assert out["badUrl"]["status"] == 400 and out["badUrl"]["field"] == "success_url"


def test_glairs_own_sdk_checks_passive_liveness_of_a_photo(
    sdk_dir: Path, server: LiveServer, creds: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    not_image = tmp_path / "notes.txt"
    not_image.write_text("not a photo")
    out = run_sdk(
        sdk_dir,
        "passive.mjs",
        server.url,
        creds["api_key"],
        creds["username"],
        creds["password"],
        str(shared_data / "spoof" / "silent_face" / "image_T1.jpg"),
        str(shared_data / "spoof" / "silent_face" / "image_F1.jpg"),
        str(not_image),
    )
    assert out["live"]["status"] == "success"
    assert out["live"]["result"]["status"] == "LOW"
    assert 0 <= out["live"]["result"]["spoof_percentage"] < 0.25
    assert out["spoof"]["status"] == "success"
    assert out["spoof"]["result"]["status"] == "HIGH"
    assert 0.5 <= out["spoof"]["result"]["spoof_percentage"] <= 1
    assert out["notImage"]["status"] == 400
    assert out["notImage"]["reason"] == "INVALID_REQUEST"
    assert out["notImage"]["field"] == "image"
    assert out["unauthorized"]["status"] == 401
    assert out["unauthorized"]["reason"] == "UNAUTHORIZED"


def test_glairs_own_sdk_checks_every_gesture_code_on_a_photo(
    sdk_dir: Path, server: LiveServer, creds: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    from gestures.codes import ENGINE_GESTURES

    not_image = tmp_path / "notes.txt"
    not_image.write_text("not a photo")
    hand = shared_data / "hands" / "subhi_handsdataset" / "images" / "5_pic00063.jpg"
    face = shared_data / "images" / "3ddfa_v2" / "JianzhuGuo.jpg"
    out = run_sdk(
        sdk_dir, "active.mjs", server.url, creds["api_key"], creds["username"],
        creds["password"], str(hand), str(face), str(not_image), *ENGINE_GESTURES,
    )  # fmt: skip
    assert len(out["hand"]) == 19
    for answers in (out["hand"], out["face"]):
        for code, answer in answers.items():
            assert answer["status"] in ("success", "failed"), code
            assert set(answer["result"]) == {"gesture_status", "detected_gesture"}, code
    assert out["hand"]["HAND_01000"] == {
        "status": "success",
        "result": {"gesture_status": "MATCH", "detected_gesture": "HAND_01000"},
    }
    assert out["hand"]["HAND_11111"]["result"]["detected_gesture"] == "HAND_01000"
    assert out["face"]["HAND_01000"]["result"]["gesture_status"] == "hand not detected"
    assert out["face"]["HEAD_11"]["result"]["gesture_status"] == "MATCH"
    assert out["face"]["HEAD_LEFT"]["result"]["gesture_status"] == "NOT_MATCH"
    assert out["notImage"]["status"] == 400 and out["notImage"]["field"] == "image"
    assert out["unknownCode"]["status"] == 400
    assert out["unknownCode"]["field"] == "gesture-code"


def test_glairs_own_sdk_matches_faces(
    sdk_dir: Path, server: LiveServer, creds: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    photos = shared_data / "images" / "face_recognition"
    not_image = tmp_path / "notes.txt"
    not_image.write_text("not a photo")
    out = run_sdk(
        sdk_dir,
        "match.mjs",
        server.url,
        creds["api_key"],
        creds["username"],
        creds["password"],
        str(photos / "obama.jpg"),
        str(photos / "obama2.jpg"),
        str(photos / "biden.jpg"),
        str(not_image),
    )
    assert out["same"]["status"] == "success"
    assert out["same"]["result"]["match_status_code"] == "MATCH"
    assert out["same"]["result"]["match_percentage"] > 0.5
    assert out["other"]["status"] == "success"
    assert out["other"]["result"]["match_status_code"] == "NOT_MATCH"
    assert out["other"]["result"]["match_percentage"] < 0.5
    assert out["notImage"]["status"] == 400
    assert out["notImage"]["field"] == "captured_image"
