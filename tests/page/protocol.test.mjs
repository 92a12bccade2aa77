// The page's protocol helpers (static/liveness/protocol.js). That its shared constants are
// the server's is checked from Python: tests/page/test_protocol.py.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  BACKOFF_MS, CLOSE, FRAME_TIMEOUT_MS, PAGE_MESSAGES, SERVER_FRAME_TIMEOUT_MS, SERVER_MESSAGES,
  backoffDelay, busyRetrySeconds, cancelMessage, closeEnding, frameMessage, isIdlePhase,
  isKnownServerMessage, parseServerMessage, pingMessage, retryMessage, safeUrl, startMessage
} from "../../static/liveness/protocol.js";

describe("close codes", () => {
  test("each code the page tells apart ends on its screen", () => {
    assert.equal(closeEnding(CLOSE.UNKNOWN), "ended");
    assert.equal(closeEnding(CLOSE.ENDED), "ended");
    assert.equal(closeEnding(CLOSE.REPLACED), "replaced");
    assert.equal(closeEnding(CLOSE.ABUSE), "error");
  });

  test("anything else, 4503 included, reconnects", () => {
    for (const code of [1000, 1001, 1006, 1011, CLOSE.UNAVAILABLE, 4000, undefined]) {
      assert.equal(closeEnding(code), null, String(code));
    }
  });
});

describe("timings", () => {
  test("reconnects back off 0.5 s, 1 s, 2 s, 4 s, then 5 s at most", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 50].map(backoffDelay), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
    assert.equal(backoffDelay(-1), BACKOFF_MS[0]);
  });

  test("busy.retry_in is whole seconds within 1..300, 10 when unusable", () => {
    assert.equal(busyRetrySeconds(undefined), 10);
    assert.equal(busyRetrySeconds("abc"), 10);
    assert.equal(busyRetrySeconds(0), 10);
    assert.equal(busyRetrySeconds("5"), 5);
    assert.equal(busyRetrySeconds(-3), 1);
    assert.equal(busyRetrySeconds(1000), 300);
  });

  test("the page frees a slot only after the server has given its frame up", () => {
    assert.ok(FRAME_TIMEOUT_MS > SERVER_FRAME_TIMEOUT_MS);
  });
});

describe("messages", () => {
  test("the page sends only the types of the protocol, in their shapes", () => {
    const sent = [startMessage(), frameMessage(7, "AAAA"), retryMessage(), cancelMessage(), pingMessage()];
    assert.deepEqual(sent.map((m) => m.type), [...PAGE_MESSAGES]);
    assert.deepEqual(frameMessage(7, "AAAA"), { type: "frame", seq: 7, image: "AAAA" });
    for (const m of sent) assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  });

  test("a server message is a JSON object with a string type", () => {
    assert.deepEqual(parseServerMessage('{"type":"pong"}'), { type: "pong" });
    for (const bad of ["", "not json", "null", "42", '"state"', "[]", '{"type":1}', "{}"]) {
      assert.equal(parseServerMessage(bad), null, bad);
    }
  });

  test("only the protocol's server types reach the page's logic", () => {
    for (const type of SERVER_MESSAGES) assert.equal(isKnownServerMessage({ type }), true);
    for (const type of ["socket_opened", "camera_started", "toString", "sparkles"]) {
      assert.equal(isKnownServerMessage({ type }), false, type);
    }
    assert.equal(isKnownServerMessage(null), false);
  });

  test("no frames in ready, attempt_failed and done", () => {
    assert.deepEqual(["ready", "positioning", "challenge", "between", "attempt_failed", "done"]
      .filter(isIdlePhase), ["ready", "attempt_failed", "done"]);
  });
});

describe("redirects", () => {
  const base = "https://liveness.example/face/active-liveness/tok";

  test("http and https URLs are followed, made absolute", () => {
    assert.equal(safeUrl("https://m.example/done?sid=1", base), "https://m.example/done?sid=1");
    assert.equal(safeUrl("http://m.example/", base), "http://m.example/");
    assert.equal(safeUrl("/back", base), "https://liveness.example/back");
  });

  test("anything else is refused", () => {
    for (const bad of ["javascript:alert(1)", "data:text/html,hi", "mailto:a@b.c", "https://"]) {
      assert.equal(safeUrl(bad, base), null, bad);
    }
  });
});
