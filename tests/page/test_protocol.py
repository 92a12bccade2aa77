"""The page's protocol constants are the server's (sessions/protocol.py)."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

from sessions import consumers, live, messages, protocol
from tests.page.conftest import ROOT, STATIC


def page_exports(node: str) -> dict[str, Any]:
    """What static/liveness/protocol.js exports (its functions left out)."""
    script = (
        f"import * as p from {json.dumps((STATIC / 'protocol.js').as_uri())};"
        "process.stdout.write(JSON.stringify(p));"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_protocol_js_says_what_the_server_says(node: str) -> None:
    exports = page_exports(node)
    expected = protocol.page_constants()
    assert {name: exports.get(name) for name in expected} == expected


def test_the_server_uses_the_shared_definitions() -> None:
    assert live.MAX_IN_FLIGHT == protocol.MAX_IN_FLIGHT
    assert live.FRAME_TIMEOUT_S == protocol.FRAME_TIMEOUT_S
    assert (live.CLOSE_ENDED, live.CLOSE_UNKNOWN, live.CLOSE_UNAVAILABLE) == (4410, 4404, 4503)
    assert (consumers.CLOSE_REPLACED, consumers.CLOSE_ABUSE) == (4409, 4400)
    for kind in protocol.PageMessage:
        if kind is not protocol.PageMessage.FRAME:
            assert messages.parse_message({"type": kind.value}) == {"type": kind.value}


def test_the_page_frees_a_slot_only_after_the_server_gave_its_frame_up() -> None:
    assert protocol.PAGE_FRAME_TIMEOUT_MS > protocol.FRAME_TIMEOUT_S * 1000


def test_every_message_the_server_sends_is_in_the_protocol() -> None:
    sources = [(ROOT / "sessions" / name).read_text() for name in ("live.py", "consumers.py")]
    sent = {kind for text in sources for kind in re.findall(r'"type": "(\w+)"', text)}
    assert sent, "no message found: the pattern no longer matches the server's code"
    assert sent <= {m.value for m in protocol.ServerMessage}, sent
