// The page's state machine (static/liveness/reducer.js): every server message, every page
// event, and what the page must do in answer. Time is the events' `t`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  EVENT, attemptsLeft, framesWanted, guidanceToShow, initialState, panelMessage, reduce,
  screenOf, timeLeft
} from "../../static/liveness/reducer.js";

const PAGE = "https://liveness.example/face/active-liveness/tok";
const CFG = { total: 2, maxAttempts: 3, cancelUrl: "https://merchant.example/back", pageUrl: PAGE };
const CHALLENGE = { index: 0, total: 2, gesture: "HEAD_LEFT", time_limit_ms: 8000, remaining_ms: 8000 };
const SECOND = { index: 1, total: 2, gesture: "HEAD_RIGHT", time_limit_ms: 8000, remaining_ms: 8000 };

function state(overrides) {
  return { type: "state", phase: "ready", attempt: 1, max_attempts: 3, total: 2, completed: 0,
    challenge: null, t: 0, ...overrides };
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
}

// Reduces `events` in order, each on a frozen state: reduce must never change its input.
function play(events, from = initialState(CFG)) {
  let s = from;
  for (const e of events) s = reduce(deepFreeze(s), { t: 0, ...e });
  return s;
}

const sends = (s) => s.effects.filter((e) => e.type === "send").map((e) => e.message.type);
const says = (s) => s.effects.filter((e) => e.type === "announce").map((e) => e.say);
const does = (s) => s.effects.map((e) => e.type);
const effect = (s, type) => s.effects.find((e) => e.type === type);

const CONNECTED = [{ type: EVENT.CONNECTING }, { type: EVENT.OPENED }, state()];
const STARTED = [...CONNECTED, { type: EVENT.CAMERA_STARTED }, state({ phase: "positioning" })];
const IN_CHALLENGE = [...STARTED, { type: "challenge", challenge: CHALLENGE, t: 1000 }];

describe("before Start", () => {
  test("a new page shows the hint and sends nothing", () => {
    const s = initialState(CFG);
    assert.equal(screenOf(s), "hint");
    assert.deepEqual(s.effects, []);
    assert.equal(framesWanted(s), false);
  });

  test("the first state (ready) keeps the hint and does not start the run", () => {
    const s = play(CONNECTED);
    assert.equal(s.phase, "ready");
    assert.equal(s.connected, true);
    assert.equal(screenOf(s), "hint");
    assert.deepEqual(sends(s), []);
    assert.deepEqual(does(s), ["reset_backoff"]);
  });

  test("Start with the camera running sends start and shows the camera", () => {
    const s = play([...CONNECTED, { type: EVENT.CAMERA_STARTED }]);
    assert.equal(s.started, true);
    assert.deepEqual(sends(s), ["start"]);
    assert.equal(screenOf(s), "camera");
    assert.equal(effect(s, "connect"), undefined);
  });

  test("Start before the socket ever answered connects instead of sending", () => {
    const s = play([{ type: EVENT.CLOSED, code: 1006 }, { type: EVENT.CAMERA_STARTED }]);
    assert.deepEqual(sends(s), []);
    assert.ok(effect(s, "connect"));
  });

  test("Start while a socket is opening or a reconnect is due opens no other", () => {
    assert.equal(effect(play([{ type: EVENT.CONNECTING }, { type: EVENT.CAMERA_STARTED }]), "connect"), undefined);
    const waiting = play([{ type: EVENT.RECONNECT_SCHEDULED, at: 500 }, { type: EVENT.CAMERA_STARTED }]);
    assert.equal(effect(waiting, "connect"), undefined);
  });
});

describe("positioning and challenges", () => {
  test("positioning is announced once the run starts, and frames flow", () => {
    const s = play(STARTED);
    assert.equal(s.phase, "positioning");
    assert.deepEqual(says(s), ["positioning"]);
    assert.equal(framesWanted(s), true);
    assert.equal(panelMessage(s), "positioning");
  });

  test("a challenge opens with its countdown from remaining_ms and is announced", () => {
    const s = play(IN_CHALLENGE);
    assert.equal(s.phase, "challenge");
    assert.deepEqual(s.challenge, CHALLENGE);
    assert.equal(s.deadline, 9000);
    assert.equal(s.challengeSerial, 1);
    assert.deepEqual(says(s), ["challenge"]);
    assert.equal(effect(s, "announce").total, 2);
    assert.equal(timeLeft(s, 3000), 6000);
    assert.equal(screenOf(s), "camera");
  });

  test("the same challenge again re-syncs the countdown only past 350 ms of drift", () => {
    const close = play([...IN_CHALLENGE, { type: "frame_result", seq: 1, phase: "challenge",
      challenge: { ...CHALLENGE, remaining_ms: 7200 }, t: 2000 }]);
    assert.equal(close.deadline, 9000);  // 9200 is within 350 ms
    assert.deepEqual(says(close), []);
    assert.equal(close.challengeSerial, 1);
    const far = play([{ type: "frame_result", seq: 2, phase: "challenge",
      challenge: { ...CHALLENGE, remaining_ms: 5000 }, t: 2000 }], close);
    assert.equal(far.deadline, 7000);
  });

  test("a challenge without remaining_ms counts down from its time limit", () => {
    const { remaining_ms: _ignored, ...limitOnly } = CHALLENGE;
    const s = play([...STARTED, { type: "challenge", challenge: limitOnly, t: 100 }]);
    assert.equal(s.deadline, 8100);
  });

  test("a passed challenge counts, flashes and says Done; the panel says Nice", () => {
    const s = play([...IN_CHALLENGE, { type: "challenge_passed", index: 0 }]);
    assert.equal(s.completed, 1);
    assert.equal(s.challenge, null);
    assert.equal(s.justPassed, true);
    assert.deepEqual(says(s), ["passed"]);
    assert.ok(effect(s, "flash_passed"));
    assert.equal(panelMessage(s), "between");
  });

  test("the phase in a frame_result is followed: between keeps frames flowing", () => {
    const s = play([...IN_CHALLENGE, { type: "challenge_passed", index: 0 },
      { type: "frame_result", seq: 3, phase: "between", challenge: null, guidance: "ok" }]);
    assert.equal(s.phase, "between");
    assert.equal(framesWanted(s), true);
    assert.equal(panelMessage(s), "between");
  });

  test("the next challenge from a frame_result opens it", () => {
    const s = play([...IN_CHALLENGE, { type: "challenge_passed", index: 0 },
      { type: "frame_result", seq: 4, phase: "challenge", challenge: SECOND, t: 5000 }]);
    assert.deepEqual(s.challenge, SECOND);
    assert.equal(s.justPassed, false);
    assert.equal(s.challengeSerial, 2);
    assert.deepEqual(says(s), ["challenge"]);
  });

  test("a frame_result in another phase closes the open challenge", () => {
    const s = play([...IN_CHALLENGE, { type: "frame_result", seq: 5, phase: "positioning" }]);
    assert.equal(s.challenge, null);
    assert.equal(s.phase, "positioning");
  });

  test("all challenges done: the panel says checking; phase done shows the result screen", () => {
    const s = play([...IN_CHALLENGE, { type: "challenge_passed", index: 0 },
      { type: "challenge", challenge: SECOND }, { type: "challenge_passed", index: 1 }]);
    assert.equal(panelMessage(s), "checking");
    const done = play([{ type: "frame_result", seq: 9, phase: "done" }], s);
    assert.equal(screenOf(done), "result");
    assert.equal(framesWanted(done), false);
  });

  test("a frame_dropped changes nothing here (the pacing frees the slot)", () => {
    const before = play(IN_CHALLENGE);
    const after = reduce(before, { type: "frame_dropped", seq: 1, reason: "busy", t: 0 });
    assert.deepEqual({ ...after, effects: [] }, { ...before, effects: [] });
    assert.deepEqual(after.effects, []);
  });
});

describe("guidance", () => {
  const result = (code, seq) => ({ type: "frame_result", seq, phase: "positioning", guidance: code });

  test("the first code shows at once, a new one only when it comes twice in a row", () => {
    let s = play([...STARTED, result("ok", 1)]);
    assert.equal(s.guidanceShown, "ok");
    assert.deepEqual(says(s), ["guidance"]);
    s = play([result("move_closer", 2)], s);
    assert.equal(s.guidanceShown, "ok");
    assert.equal(s.guidancePending, "move_closer");
    s = play([result("move_closer", 3)], s);
    assert.equal(s.guidanceShown, "move_closer");
    assert.equal(effect(s, "announce").code, "move_closer");
    assert.equal(guidanceToShow(s), "move_closer");
  });

  test("a one-off code in between does not flicker", () => {
    const s = play([...STARTED, result("ok", 1), result("center", 2), result("ok", 3)]);
    assert.equal(s.guidanceShown, "ok");
    assert.equal(s.guidancePending, null);
  });

  test("unknown codes are ignored; neutral is PROTOCOL.md's look_straight", () => {
    assert.equal(play([...STARTED, result("sparkles", 1)]).guidanceShown, null);
    assert.equal(play([...STARTED, result("neutral", 1)]).guidanceShown, "neutral");
  });

  test("a hand challenge's guidance is shown and said: no hand, two hands, a hand cut off", () => {
    const hand = { ...CHALLENGE, gesture: "HAND_01100" };
    for (const code of ["no_hand", "many_hands", "hand_cut_off"]) {
      const s = play([...STARTED, { type: "challenge", challenge: hand, t: 1000 },
        { type: "frame_result", seq: 1, phase: "challenge", challenge: hand, guidance: code }]);
      assert.equal(guidanceToShow(s), code);
      assert.ok(s.effects.some((e) => e.say === "guidance" && e.code === code), code);
    }
  });

  test("ok is neither shown nor said during a challenge", () => {
    const s = play([...IN_CHALLENGE,
      { type: "frame_result", seq: 1, phase: "challenge", challenge: CHALLENGE, guidance: "ok" }]);
    assert.equal(s.guidanceShown, "ok");
    assert.equal(guidanceToShow(s), null);
    assert.deepEqual(says(s), []);
  });
});

describe("failed attempts and retry", () => {
  const FAILED = [...IN_CHALLENGE,
    { type: "attempt_failed", attempt: 1, attempts_left: 2, reason: "NOT_MATCH" }];

  test("attempt_failed shows the failed screen, says why, and stops frames", () => {
    const s = play(FAILED);
    assert.equal(screenOf(s), "failed");
    assert.equal(attemptsLeft(s), 2);
    assert.equal(s.failInfo.reason, "NOT_MATCH");
    assert.deepEqual(says(s), ["failed"]);
    assert.equal(effect(s, "announce").assertive, true);
    assert.equal(framesWanted(s), false);
  });

  test("the state that follows keeps what attempt_failed said", () => {
    const s = play([...FAILED, state({ phase: "attempt_failed", attempt: 2 })]);
    assert.equal(s.failInfo.reason, "NOT_MATCH");
    assert.equal(attemptsLeft(s), 2);
  });

  test("a fresh page in attempt_failed counts the attempts left from `attempt`", () => {
    const s = play([...CONNECTED, { type: EVENT.CAMERA_STARTED },
      state({ phase: "attempt_failed", attempt: 2 })]);
    assert.equal(screenOf(s), "failed");
    assert.equal(attemptsLeft(s), 2);  // max_attempts - attempt + 1
    const told = play([state({ phase: "attempt_failed", attempt: 3, attempts_left: 1, reason: "TIMEOUT" })],
      initialState(CFG));
    assert.equal(attemptsLeft(told), 1);
    assert.equal(told.failInfo.reason, "TIMEOUT");
  });

  test("Try again sends retry and holds the button; the next state goes back to the camera", () => {
    const pressed = play([...FAILED, { type: EVENT.RETRY }]);
    assert.deepEqual(pressed.effects, [{ type: "send", message: { type: "retry" }, hold: "retry" }]);
    const s = play([state({ phase: "positioning", attempt: 2 })], pressed);
    assert.equal(screenOf(s), "camera");
    assert.equal(s.failInfo, null);
    assert.equal(framesWanted(s), true);
  });
});

describe("paused and resumed", () => {
  test("paused freezes the countdown and says why; resumed restarts it where it was", () => {
    const paused = play([...IN_CHALLENGE,
      { type: "paused", reason: "storage_unavailable", t: 3000 }]);
    assert.equal(paused.paused, "storage_unavailable");
    assert.equal(paused.pausedLeft, 6000);
    assert.equal(timeLeft(paused, 50000), 6000);
    assert.deepEqual(says(paused), ["paused"]);
    assert.equal(effect(paused, "announce").assertive, true);
    assert.equal(framesWanted(paused), true);  // frames are the probes that find analysis back
    const resumed = play([{ type: "resumed", t: 20000 }], paused);
    assert.equal(resumed.paused, null);
    assert.equal(resumed.deadline, 26000);
    assert.equal(timeLeft(resumed, 21000), 5000);
    assert.deepEqual(says(resumed), ["resumed"]);
  });

  test("a second paused keeps the time left of the first", () => {
    const s = play([...IN_CHALLENGE, { type: "paused", t: 3000 }, { type: "paused", t: 5000 }]);
    assert.equal(s.paused, "analysis_unavailable");
    assert.equal(s.pausedLeft, 6000);
  });

  test("resumed when not paused changes nothing", () => {
    const before = play(IN_CHALLENGE);
    const after = play([{ type: "resumed", t: 9 }], before);
    assert.equal(after.deadline, before.deadline);
    assert.deepEqual(after.effects, []);
  });

  test("a state with paused: true pauses; one without resumes", () => {
    const open = { ...CHALLENGE, remaining_ms: 7000 };
    const paused = play([...IN_CHALLENGE, state({ phase: "challenge", challenge: open, paused: true, t: 2000 })]);
    assert.equal(paused.paused, "analysis_unavailable");
    assert.equal(paused.pausedLeft, 7000);
    assert.deepEqual(says(paused), []);
    const back = play([state({ phase: "challenge", challenge: open, t: 3000 })], paused);
    assert.equal(back.paused, null);
    assert.equal(back.pausedLeft, null);
  });
});

describe("busy", () => {
  const BUSY = [...CONNECTED, { type: EVENT.CAMERA_STARTED }, { type: "busy", retry_in: 2, t: 1000 }];

  test("busy shows its screen and asks for a timer of retry_in seconds", () => {
    const s = play(BUSY);
    assert.equal(screenOf(s), "busy");
    assert.equal(s.busyUntil, 3000);
    assert.deepEqual(effect(s, "busy_timer"), { type: "busy_timer", ms: 2000 });
    assert.deepEqual(says(s), ["busy"]);
    assert.equal(framesWanted(s), false);  // still phase ready
  });

  test("retry_in is 1..300 s, 10 s when missing", () => {
    assert.equal(effect(play([{ type: "busy" }]), "busy_timer").ms, 10000);
    assert.equal(effect(play([{ type: "busy", retry_in: 0.2 }]), "busy_timer").ms, 1000);
    assert.equal(effect(play([{ type: "busy", retry_in: 9999 }]), "busy_timer").ms, 300000);
  });

  test("when the time is up the page says Start again", () => {
    const s = play([...BUSY, { type: EVENT.BUSY_ELAPSED }]);
    assert.equal(s.busyUntil, 0);
    assert.deepEqual(sends(s), ["start"]);
    assert.equal(screenOf(s), "camera");
    const admitted = play([state({ phase: "positioning" })], s);
    assert.equal(framesWanted(admitted), true);
  });

  test("a lost connection ends the wait; the next state decides", () => {
    const s = play([...BUSY, { type: EVENT.CLOSED, code: 1006 }]);
    assert.equal(s.busyUntil, 0);
    assert.ok(effect(s, "cancel_busy_timer"));
  });
});

describe("the connection", () => {
  test("a drop shows connection lost, frees the slots and reconnects", () => {
    const s = play([...IN_CHALLENGE, { type: "paused", t: 2000 }, { type: EVENT.CLOSED, code: 1006 }]);
    assert.equal(screenOf(s), "lost");
    assert.equal(s.connected, false);
    assert.equal(s.paused, null);
    assert.deepEqual(does(s), ["cancel_busy_timer", "free_slots", "reconnect", "announce"]);
    assert.deepEqual(says(s), ["lost"]);
    assert.equal(framesWanted(s), false);
  });

  test("4503 (database unreachable) reconnects like any other drop", () => {
    const s = play([...STARTED, { type: EVENT.CLOSED, code: 4503 }]);
    assert.equal(s.lost, true);
    assert.ok(effect(s, "reconnect"));
  });

  test("a page that never connected and was not started stays on the hint, silently", () => {
    const s = play([{ type: EVENT.CONNECTING }, { type: EVENT.CLOSED, code: 1006 }]);
    assert.equal(s.lost, true);
    assert.equal(screenOf(s), "hint");
    assert.deepEqual(says(s), []);
  });

  test("the reconnect countdown follows the socket", () => {
    let s = play([...STARTED, { type: EVENT.CLOSED, code: 1006 },
      { type: EVENT.RECONNECT_SCHEDULED, at: 1500 }]);
    assert.equal(s.reconnectAt, 1500);
    s = play([{ type: EVENT.CONNECTING }], s);
    assert.equal(s.reconnectAt, 0);
    assert.equal(screenOf(s), "lost");
  });

  test("the state after a reconnect resumes the open challenge without announcing it", () => {
    const s = play([...IN_CHALLENGE, { type: EVENT.CLOSED, code: 1006 }, { type: EVENT.CONNECTING },
      { type: EVENT.OPENED }, state({ phase: "challenge", challenge: { ...CHALLENGE, remaining_ms: 8000 }, t: 4000 })]);
    assert.equal(s.lost, false);
    assert.equal(screenOf(s), "camera");
    assert.ok(effect(s, "reset_backoff"));
    assert.deepEqual(says(s), []);
    assert.equal(s.deadline, 12000);  // a resumed run restarts its open challenge
  });

  test("ready after a reconnect of a started page says start again", () => {
    const s = play([...STARTED, { type: EVENT.CLOSED, code: 1006 }, { type: EVENT.OPENED }, state()]);
    assert.deepEqual(sends(s), ["start"]);
  });

  test("Reconnect now only while not connected and not ended", () => {
    const lost = play([...STARTED, { type: EVENT.CLOSED, code: 1006 }]);
    assert.deepEqual(does(play([{ type: EVENT.RECONNECT }], lost)), ["reconnect_now"]);
    assert.deepEqual(does(play([...STARTED, { type: EVENT.RECONNECT }])), []);
    const ended = play([...STARTED, { type: EVENT.CLOSED, code: 4410 }, { type: EVENT.RECONNECT }]);
    assert.deepEqual(does(ended), []);
  });
});

describe("terminal states", () => {
  for (const [code, screen] of [[4404, "ended"], [4410, "ended"], [4409, "replaced"], [4400, "error"]]) {
    test(`close ${code} ends on the ${screen} screen without reconnecting`, () => {
      const s = play([...STARTED, { type: EVENT.CLOSED, code }]);
      assert.equal(s.terminal, screen);
      assert.equal(screenOf(s), screen);
      assert.equal(effect(s, "reconnect"), undefined);
      assert.ok(effect(s, "stop_reconnect"));
      assert.ok(effect(s, "release_camera"));
      assert.deepEqual(says(s), [screen]);
      assert.equal(framesWanted(s), false);
    });
  }

  test("a dead link shows ended at once, before Start", () => {
    const s = play([{ type: EVENT.CONNECTING }, { type: EVENT.CLOSED, code: 4410 }]);
    assert.equal(screenOf(s), "ended");
  });

  test("replaced releases the camera; the close that follows keeps the screen", () => {
    const s = play([...STARTED, { type: "replaced" }, { type: EVENT.CLOSED, code: 4409 }]);
    assert.equal(screenOf(s), "replaced");
    assert.equal(effect(s, "reconnect"), undefined);
    const other = play([...STARTED, { type: "replaced" }, { type: EVENT.CLOSED, code: 1006 }]);
    assert.equal(screenOf(other), "replaced");
    assert.equal(effect(other, "reconnect"), undefined);
  });

  test("Continue here opens a new socket and goes back to the hint once it answers", () => {
    let s = play([...STARTED, { type: "replaced" }, { type: EVENT.CLOSED, code: 4409 },
      { type: EVENT.USE_HERE }]);
    assert.equal(s.terminal, null);
    assert.equal(s.started, false);
    assert.deepEqual(does(s), ["reset_backoff", "connect"]);
    s = play([{ type: EVENT.CONNECTING }, { type: EVENT.OPENED }, state({ phase: "positioning" })], s);
    assert.equal(screenOf(s), "hint");
  });

  for (const [outcome, assertive] of [["passed", false], ["cancelled", false], ["failed", true], ["expired", true]]) {
    test(`result ${outcome}: final screen, camera off, redirect`, () => {
      const url = "https://merchant.example/done?sid=S1";
      const s = play([...IN_CHALLENGE, { type: "result", outcome, redirect_url: url }]);
      assert.equal(screenOf(s), "result");
      assert.equal(s.result.outcome, outcome);
      assert.ok(effect(s, "release_camera"));
      assert.deepEqual(effect(s, "redirect"), { type: "redirect", url });
      assert.equal(effect(s, "announce").assertive, assertive);
      assert.equal(framesWanted(s), false);
    });
  }

  test("a result URL that is not http(s) is never followed", () => {
    const s = play([...STARTED, { type: "result", outcome: "passed", redirect_url: "javascript:alert(1)" }]);
    assert.equal(screenOf(s), "result");
    assert.equal(effect(s, "redirect"), undefined);
  });

  test("every close after a result is ignored", () => {
    const s = play([...STARTED, { type: "result", outcome: "passed", redirect_url: "https://m.example/" },
      { type: EVENT.CLOSED, code: 4410 }]);
    assert.equal(s.terminal, "result");
    assert.deepEqual(says(s), []);
    assert.equal(effect(s, "reconnect"), undefined);
  });
});

describe("the back button", () => {
  test("cancel is sent once, with a fallback to cancel_url", () => {
    const s = play([...STARTED, { type: EVENT.CANCEL }]);
    assert.equal(s.cancelling, true);
    assert.deepEqual(s.effects, [{ type: "cancel", message: { type: "cancel" }, fallbackMs: 4000 }]);
    assert.deepEqual(play([{ type: EVENT.CANCEL }], s).effects, []);
  });

  test("without an answer the page leaves for cancel_url; after a result it does not", () => {
    const s = play([...STARTED, { type: EVENT.CANCEL }, { type: EVENT.CANCEL_TIMEOUT }]);
    assert.deepEqual(s.effects, [{ type: "navigate", url: CFG.cancelUrl }]);
    const answered = play([...STARTED, { type: EVENT.CANCEL },
      { type: "result", outcome: "cancelled", redirect_url: CFG.cancelUrl + "?sid=S" },
      { type: EVENT.CANCEL_TIMEOUT }]);
    assert.deepEqual(answered.effects, []);
  });

  test("there is no cancelling without a cancel_url", () => {
    const s = play([{ type: EVENT.CANCEL }], initialState({ ...CFG, cancelUrl: "" }));
    assert.equal(s.cancelling, false);
    assert.deepEqual(s.effects, []);
  });
});

describe("the camera", () => {
  test("a refused camera shows its error; Try again goes back to before Start", () => {
    const s = play([...CONNECTED, { type: EVENT.CAMERA_FAILED, kind: "blocked" }]);
    assert.equal(screenOf(s), "camera-error");
    assert.deepEqual(s.effects, [{ type: "announce", say: "camera_error", kind: "blocked", assertive: true }]);
    assert.deepEqual(sends(s), []);
    const again = play([{ type: EVENT.CAMERA_RETRY }], s);
    assert.equal(again.cameraError, null);
    assert.equal(screenOf(again), "hint");
  });

  test("a camera that stops by itself is released and explained", () => {
    const s = play([...IN_CHALLENGE, { type: EVENT.CAMERA_LOST }]);
    assert.equal(screenOf(s), "camera-error");
    assert.equal(s.cameraError, "other");
    assert.ok(effect(s, "release_camera"));
  });

  test("after the end, a stopped camera changes nothing", () => {
    const ended = play([...STARTED, { type: EVENT.CLOSED, code: 4410 }]);
    const s = play([{ type: EVENT.CAMERA_LOST }], ended);
    assert.equal(screenOf(s), "ended");
    assert.deepEqual(s.effects, []);
  });
});

describe("robustness", () => {
  test("unknown events change nothing, whatever their name", () => {
    const before = play(STARTED);
    for (const type of ["sparkles", "toString", "constructor", "__proto__", "error", "pong"]) {
      const after = reduce(before, { type, t: 1 });
      assert.deepEqual(after.effects, []);
      assert.deepEqual({ ...after, effects: [] }, { ...before, effects: [] });
    }
  });

  test("a quiet event after an effectful one clears the effects", () => {
    const s = play([...STARTED, { type: "pong" }]);
    assert.deepEqual(s.effects, []);
  });

  test("the same state is returned when nothing happened", () => {
    const s = play([...STARTED, { type: "pong" }]);
    assert.equal(reduce(s, { type: "pong", t: 2 }), s);
  });

  test("frames never flow before Start, without a socket or once ended", () => {
    assert.equal(framesWanted(play(CONNECTED)), false);
    assert.equal(framesWanted(play([...STARTED, { type: EVENT.CLOSED, code: 1006 }])), false);
    assert.equal(framesWanted(play([...STARTED, { type: "result", outcome: "failed" }])), false);
  });
});
