// The page in its passive mode (a passive-liveness session, CONTRACT §5): no gestures, the
// user holds still while the server's progress fills a ring, then the server's redirect.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  EVENT, framesWanted, holdProgress, inHold, initialState, panelMessage, reduce, screenOf
} from "../../static/liveness/reducer.js";
import { STRINGS } from "../../static/liveness/i18n.js";
import { PHASES, isIdlePhase } from "../../static/liveness/protocol.js";

const PAGE = "https://liveness.example/face/passive-liveness/tok";
const CFG = { mode: "passive", total: 1, maxAttempts: 3, cancelUrl: "https://m.example/back",
  pageUrl: PAGE };

function state(overrides) {
  return { type: "state", phase: "ready", attempt: 1, max_attempts: 3, total: 0, completed: 0,
    challenge: null, t: 0, ...overrides };
}

function frame(seq, progress, overrides) {
  return { type: "frame_result", seq: seq, guidance: "ok", phase: "hold", challenge: null,
    hold: { progress: progress, hold_ms: 3000 }, ...overrides };
}

function play(events, from = initialState(CFG)) {
  let s = from;
  for (const e of events) s = reduce(Object.freeze(s), { t: 0, ...e });
  return s;
}

const says = (s) => s.effects.filter((e) => e.type === "announce").map((e) => e.say);
const CONNECTED = [{ type: EVENT.CONNECTING }, { type: EVENT.OPENED }, state()];
const STARTED = [...CONNECTED, { type: EVENT.CAMERA_STARTED },
  state({ phase: "hold", hold: { progress: 0, hold_ms: 3000 } })];

describe("passive mode", () => {
  test("the mode comes from the page's configuration; anything else is active", () => {
    assert.equal(initialState(CFG).mode, "passive");
    assert.equal(initialState({ ...CFG, mode: "whatever" }).mode, "active");
    assert.equal(initialState({ total: 1 }).mode, "active");
  });

  test("hold is a live phase: frames flow while the user holds still", () => {
    assert.ok(PHASES.includes("hold"));
    assert.equal(isIdlePhase("hold"), false);
    const s = play(STARTED);
    assert.equal(screenOf(s), "camera");
    assert.equal(framesWanted(s), true);
    assert.equal(inHold(s), true);
    assert.equal(panelMessage(s), "hold");
  });

  test("entering the hold is announced once, for screen readers", () => {
    const s = play(STARTED);
    assert.deepEqual(says(s), ["hold"]);
    assert.equal(says(play([frame(1, 0.1), frame(2, 0.2)], s)).includes("hold"), false);
  });

  test("the ring follows the server's progress, and drops back when the hold starts over", () => {
    let s = play(STARTED);
    assert.equal(holdProgress(s), 0);
    s = play([frame(1, 0.2), frame(2, 0.5)], s);
    assert.equal(holdProgress(s), 0.5);
    s = play([frame(3, 0, { guidance: "no_face" })], s);
    assert.equal(holdProgress(s), 0);
    s = play([frame(4, 1.7)], s);
    assert.equal(holdProgress(s), 1);  // clamped
  });

  test("a frame answer without a hold, or another phase, clears it", () => {
    let s = play([...STARTED, frame(1, 0.4)]);
    s = play([frame(2, 0.4, { phase: "attempt_failed", hold: undefined })], s);
    assert.equal(s.hold, null);
    assert.equal(holdProgress(s), 0);
  });

  test("a failed attempt shows the retry screen with GLAIR's reason", () => {
    const s = play([...STARTED, frame(1, 0.3),
      { type: "attempt_failed", attempt: 1, attempts_left: 2, reason: "face not detected" }]);
    assert.equal(screenOf(s), "failed");
    assert.equal(s.failInfo.reason, "face not detected");
    assert.equal(framesWanted(s), false);
  });

  test("the server's result redirects to success_url with the sid", () => {
    const url = "https://m.example/done?sid=0193";
    const s = play([...STARTED, frame(1, 1), { type: "result", outcome: "passed", redirect_url: url }]);
    assert.equal(screenOf(s), "result");
    assert.deepEqual(s.effects.filter((e) => e.type === "redirect"), [{ type: "redirect", url: url }]);
    assert.equal(framesWanted(s), false);
  });

  test("the back button cancels as in an active session", () => {
    const s = play([...STARTED, { type: EVENT.CANCEL }]);
    assert.equal(s.effects[0].type, "cancel");
    assert.equal(s.effects[0].message.type, "cancel");
  });

  test("an active page never shows a hold", () => {
    const active = initialState({ ...CFG, mode: "active" });
    const s = play([...STARTED, frame(1, 0.5)], active);
    assert.equal(inHold(s), false);
    assert.notEqual(panelMessage(s), "hold");
  });

  for (const lang of ["en", "id"]) {
    test(`${lang}: the passive sentences exist`, () => {
      for (const key of ["passive_hint_lead", "hold_title", "hold_text", "passive_checking_title",
        "passive_checking_text"]) {
        assert.ok(STRINGS[lang][key], key);
      }
    });
  }
});
