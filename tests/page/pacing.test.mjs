// The adaptive frame rate (static/liveness/camera.js): slots in flight, interval, fps steps.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  FPS_MAX, FPS_MIN, FPS_START, adaptFps, cameraErrorKind, challengePace, frameAnswered, frameDue,
  frameSent, framesExpired, initialPacing, slotsCleared
} from "../../static/liveness/camera.js";
import { FRAME_TIMEOUT_MS, MAX_IN_FLIGHT } from "../../static/liveness/protocol.js";

// Sends a frame at `t` and answers it `rtt` ms later; returns the pacing after the answer.
function roundTrip(p, t, rtt, dropped = null) {
  const seq = p.seq + 1;
  return frameAnswered(frameSent(p, seq, t, t), seq, t + rtt, dropped).pacing;
}

describe("slots and interval", () => {
  test("starts at 5 fps: a frame every 200 ms", () => {
    const p = initialPacing();
    assert.equal(p.fps, FPS_START);
    assert.equal(frameDue(p, 5000), true);
    const sent = frameSent(p, 1, 1000, 1001);
    assert.equal(frameDue(sent, 1199), false);
    assert.equal(frameDue(sent, 1200), true);
  });

  test("at most two frames in flight", () => {
    let p = initialPacing();
    for (let seq = 1; seq <= MAX_IN_FLIGHT; seq++) p = frameSent(p, seq, seq * 1000, seq * 1000);
    assert.equal(p.count, 2);
    assert.equal(frameDue(p, 60000), false);
    p = frameAnswered(p, 1, 60000, null).pacing;
    assert.equal(frameDue(p, 60000), true);
  });

  test("seq counts up across answers and cleared slots", () => {
    let p = roundTrip(initialPacing(), 0, 100);
    p = slotsCleared(frameSent(p, 2, 500, 500));
    assert.equal(p.count, 0);
    assert.deepEqual(p.inFlight, {});
    assert.equal(p.seq, 2);
  });

  test("any drop frees the slot; the round trip is measured", () => {
    const p = frameSent(initialPacing(), 1, 0, 10);
    const out = frameAnswered(p, 1, 310, "paused");
    assert.equal(out.rtt, 300);
    assert.equal(out.pacing.count, 0);
  });

  test("an answer for a slot already freed changes nothing", () => {
    const p = initialPacing();
    assert.deepEqual(frameAnswered(p, 9, 100, null), { pacing: p, rtt: null });
  });

  test("a frame unanswered for FRAME_TIMEOUT_MS frees its slot and slows the page down", () => {
    const p = frameSent(initialPacing(), 1, 2000, 2000);
    assert.deepEqual(framesExpired(p, 2000 + FRAME_TIMEOUT_MS).expired, []);
    const out = framesExpired(p, 2001 + FRAME_TIMEOUT_MS);
    assert.deepEqual(out.expired, [1]);
    assert.equal(out.pacing.count, 0);
    assert.equal(out.pacing.fps, FPS_START - 1);
  });

  test("nothing expired: the same pacing", () => {
    const p = frameSent(initialPacing(), 1, 0, 0);
    assert.equal(framesExpired(p, 100).pacing, p);
  });
});

describe("adaptive rate", () => {
  test("fast answers raise the rate by 1 fps a second, up to 8", () => {
    let p = initialPacing();
    const seen = [];
    for (let t = 1000; t <= 10000; t += 100) {
      p = roundTrip(p, t, 80);
      seen.push(p.fps);
    }
    assert.equal(p.fps, FPS_MAX);
    assert.equal(seen[0], 6);
    assert.equal(seen.filter((fps) => fps === 6).length, 10);  // one step per second
  });

  test("slow answers (over 400 ms, smoothed) lower it, down to 2", () => {
    let p = initialPacing();
    for (let t = 1000; t <= 10000; t += 500) p = roundTrip(p, t, 900);
    assert.equal(p.fps, FPS_MIN);
  });

  test("one slow answer among fast ones does not slow the page down", () => {
    let p = roundTrip(initialPacing(), 1000, 100);
    p = roundTrip(p, 1500, 700);  // smoothed: 100 * 0.7 + 700 * 0.3 = 280
    assert.equal(Math.round(p.rttAvg), 280);
    const fps = p.fps;
    p = roundTrip(p, 3000, 300);
    assert.equal(p.fps, fps);  // 250..400 ms: keep the rate
  });

  test("only a busy drop slows the page down", () => {
    const busy = roundTrip(initialPacing(), 1000, 300, "busy");
    assert.equal(busy.fps, FPS_START - 1);
    const paused = roundTrip(initialPacing(), 1000, 300, "paused");
    assert.equal(paused.fps, FPS_START);
  });

  test("no round trip yet: no change unless told to slow down", () => {
    const p = initialPacing();
    assert.equal(adaptFps(p, false, 5000), p);
    assert.equal(adaptFps(p, true, 5000).fps, FPS_START - 1);
    assert.equal(adaptFps(p, true, 500), p);  // within the first second
  });
});

describe("a challenge's frame rate", () => {
  test("an eye challenge's frame_rate is reached at once, above the usual ceiling", () => {
    const p = challengePace(initialPacing(), 15);
    assert.equal(p.fps, 15);
    const sent = frameSent(p, 1, 2000, 2000);
    assert.equal(frameDue(sent, 2066), false);
    assert.equal(frameDue(sent, 2067), true);  // 1000 / 15 ms apart
  });

  test("asked once: a busy server still slows it down, and the same wish does not undo that", () => {
    let p = challengePace(initialPacing(), 15);
    p = roundTrip(p, 2500, 100, "busy");
    assert.equal(p.fps, 14);
    p = challengePace(p, 15);
    assert.equal(p.fps, 14);
  });

  test("fast answers raise it up to the challenge's rate, not beyond", () => {
    let p = challengePace(initialPacing(), 12);
    p = roundTrip(p, 1000, 100, "busy");
    for (let t = 2000; t <= 12000; t += 100) p = roundTrip(p, t, 60);
    assert.equal(p.fps, 12);
  });

  test("when the challenge closes the rate comes back under 8", () => {
    let p = challengePace(initialPacing(), 15);
    p = challengePace(p, null);
    assert.equal(p.fps, FPS_MAX);
    for (let t = 2000; t <= 12000; t += 100) p = roundTrip(p, t, 60);
    assert.equal(p.fps, FPS_MAX);
  });

  test("a page the server has slowed down only gets the higher ceiling, not the jump", () => {
    let p = initialPacing();
    for (let t = 1000; t <= 4000; t += 1000) p = roundTrip(p, t, 100, "busy");
    assert.ok(p.fps < FPS_START);
    const slowed = p.fps;
    p = challengePace(p, 15);
    assert.equal(p.fps, slowed);
    assert.equal(p.ceiling, 15);
    for (let t = 6000; t <= 30000; t += 100) p = roundTrip(p, t, 60);
    assert.equal(p.fps, 15);  // climbs back by 1 fps a second once answers are fast
  });

  test("a challenge without a frame rate changes nothing", () => {
    const p = initialPacing();
    assert.equal(challengePace(p, undefined), p);
    assert.equal(challengePace(p, null), p);
  });
});

describe("camera errors", () => {
  test("getUserMedia's errors map to the page's screens", () => {
    const kinds = {
      NotAllowedError: "blocked", PermissionDeniedError: "blocked", SecurityError: "blocked",
      NotFoundError: "missing", DevicesNotFoundError: "missing", OverconstrainedError: "missing",
      NotReadableError: "busy", TrackStartError: "busy", AbortError: "busy",
      TypeError: "other", undefined: "other"
    };
    for (const [name, kind] of Object.entries(kinds)) {
      assert.equal(cameraErrorKind(name === "undefined" ? undefined : name), kind, name);
    }
  });
});
