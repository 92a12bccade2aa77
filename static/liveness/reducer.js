/* The page's state and every change to it: `reduce(state, event)`, pure.
 *
 * Events are the server's messages (docs/PROTOCOL.md) and the page's own: socket, camera,
 * buttons and timers (EVENT below). Every event carries `t`, the page clock
 * (performance.now(), ms); nothing here reads a clock, the DOM or a socket. What the page must
 * do in answer (send a message, say something, release the camera, go to a URL) comes back as
 * data in `state.effects`, which main.js carries out. Every verdict stays the server's: the
 * page only follows what it is told. */

import {
  CANCEL_FALLBACK_MS, DEADLINE_RESYNC_MS, GUIDANCE, busyRetrySeconds, cancelMessage,
  closeEnding, retryMessage, safeUrl, startMessage
} from "./protocol.js";
import { inChallenge } from "./selectors.js";

// The page's own events (server messages keep their protocol `type`).
export const EVENT = Object.freeze({
  CONNECTING: "socket_connecting",
  OPENED: "socket_opened",
  CLOSED: "socket_closed",             // {code}
  RECONNECT_SCHEDULED: "socket_reconnect_scheduled", // {at}
  CAMERA_STARTED: "camera_started",    // Start pressed and the camera runs
  CAMERA_FAILED: "camera_failed",      // {kind}: blocked, missing, busy, unsupported, other
  CAMERA_LOST: "camera_lost",          // the camera's track ended
  CAMERA_RETRY: "camera_retry_pressed",
  RETRY: "retry_pressed",
  CANCEL: "cancel_pressed",
  CANCEL_TIMEOUT: "cancel_timeout",
  USE_HERE: "use_here_pressed",
  RECONNECT: "reconnect_pressed",
  BUSY_ELAPSED: "busy_elapsed"
});

const NONE = Object.freeze([]);

export function initialState(cfg) {
  return {
    // "passive": a passive-liveness session (hold still, a progress ring, no gestures).
    mode: cfg.mode === "passive" ? "passive" : "active",
    cancelUrl: cfg.cancelUrl || "",
    pageUrl: cfg.pageUrl || "",
    phase: null,            // the server's phase; null until the first `state`
    attempt: 1,
    maxAttempts: cfg.maxAttempts,
    total: cfg.total,
    completed: 0,
    challenge: null,        // the open challenge C, or null
    challengeSerial: 0,     // counts challenges opened (a new one resets the countdown)
    hold: null,             // a passive hold, as the server says it: {progress 0..1, hold_ms}
    deadline: 0,            // page clock when the open challenge's time runs out
    justPassed: false,      // show "Nice!" between challenges
    failInfo: null,
    started: false,         // the user pressed Start and the camera is running
    cameraError: null,
    connecting: false,      // a socket is being opened
    connected: false,
    everConnected: false,
    lost: false,
    reconnectAt: 0,         // page clock of the next reconnect, 0 when none is scheduled
    terminal: null,         // "result" | "ended" | "replaced" | "error": no reconnect
    result: null,
    guidanceShown: null,
    guidancePending: null,
    paused: null,           // the server's `paused` reason while analysis or storage is down
    pausedLeft: null,       // the open challenge's time left when it paused (ms)
    busyUntil: 0,           // the server is at capacity: when the page says Start again
    cancelling: false,
    effects: NONE           // what the page must do after this change (main.js)
  };
}

export function reduce(state, event) {
  const handler = Object.prototype.hasOwnProperty.call(HANDLERS, event.type)
    ? HANDLERS[event.type] : null;
  if (!handler) return quiet(state);
  const next = Object.assign({}, state, { effects: [] });
  // A handler changes `next`, a copy made for this event; false means nothing changed.
  if (handler(next, event, event.t) === false) return quiet(state);
  return next;
}

function quiet(state) {
  return state.effects.length ? Object.assign({}, state, { effects: NONE }) : state;
}

function say(next, what, extra) {
  next.effects.push(Object.assign({ type: "announce", say: what }, extra));
}
function act(next, type, extra) {
  next.effects.push(Object.assign({ type: type }, extra));
}

const HANDLERS = {
  /* ---------- server messages ---------- */
  state: function (next, m, t) {
    const prev = next.phase;
    next.phase = m.phase;
    next.lost = false;
    act(next, "reset_backoff");
    if (typeof m.attempt === "number") next.attempt = m.attempt;
    if (typeof m.max_attempts === "number") next.maxAttempts = m.max_attempts;
    if (typeof m.total === "number") next.total = m.total;
    if (typeof m.completed === "number") next.completed = m.completed;
    if (m.phase === "challenge" && m.challenge) openChallenge(next, m.challenge, t);
    else next.challenge = null;
    followHold(next, m);
    if (!m.paused) {
      next.paused = null;
      next.pausedLeft = null;
    } else if (!next.paused) {
      next.paused = "analysis_unavailable";
      next.pausedLeft = next.challenge ? Math.max(0, next.deadline - t) : null;
    }
    if (m.phase === "attempt_failed") {
      // Keep what `attempt_failed` said; a fresh page only has the state (PROTOCOL.md).
      if (!next.failInfo) next.failInfo = { attempts_left: m.attempts_left, reason: m.reason };
    } else {
      next.failInfo = null;
    }
    if (m.phase !== "challenge" && m.phase !== "between") next.justPassed = false;
    // Start is idempotent: after a reconnect the page simply says it again.
    if (m.phase === "ready" && next.started) act(next, "send", { message: startMessage() });
    if (prev !== m.phase && m.phase === "positioning" && next.started) say(next, "positioning");
    if (prev !== m.phase && m.phase === "hold" && next.started) say(next, "hold");
  },

  // A frame's answer carries the server's current phase and open challenge: follow them.
  frame_result: function (next, m, t) {
    if (typeof m.phase === "string" && m.phase !== next.phase) {
      if (m.phase === "hold" && next.started) say(next, "hold");
      next.phase = m.phase;
      if (m.phase !== "attempt_failed") next.failInfo = null;
    }
    if (typeof m.phase === "string") followHold(next, m);
    if (m.phase === "challenge" && m.challenge) openChallenge(next, m.challenge, t);
    else if (next.challenge && typeof m.phase === "string") next.challenge = null;
    guidance(next, m.guidance);
  },

  // Its slot is freed by the frame pacing (camera.js); nothing else changes.
  frame_dropped: function () { return false; },

  challenge: function (next, m, t) {
    next.phase = "challenge";
    next.failInfo = null;
    openChallenge(next, m.challenge, t);
  },

  challenge_passed: function (next, m) {
    next.completed = Math.max(next.completed, (m.index | 0) + 1);
    next.challenge = null;
    next.justPassed = true;
    say(next, "passed");
    act(next, "flash_passed");
  },

  attempt_failed: function (next, m) {
    next.phase = "attempt_failed";
    next.failInfo = { attempt: m.attempt, attempts_left: m.attempts_left, reason: m.reason };
    next.challenge = null;
    say(next, "failed", { assertive: true });
  },

  // Analysis or storage is briefly down: the server holds the open challenge's time.
  paused: function (next, m, t) {
    if (!next.paused) next.pausedLeft = next.challenge ? Math.max(0, next.deadline - t) : null;
    next.paused = m.reason || "analysis_unavailable";
    say(next, "paused", { assertive: true });
  },

  resumed: function (next, m, t) {
    if (!next.paused) return false;
    if (next.pausedLeft !== null) next.deadline = t + next.pausedLeft;
    next.paused = null;
    next.pausedLeft = null;
    say(next, "resumed");
  },

  // The server is at capacity: count down, then say Start again.
  busy: function (next, m, t) {
    const ms = busyRetrySeconds(m.retry_in) * 1000;
    next.busyUntil = t + ms;
    act(next, "busy_timer", { ms: ms });
    say(next, "busy");
  },

  result: function (next, m) {
    next.terminal = "result";
    next.result = { outcome: m.outcome, redirect_url: m.redirect_url };
    next.challenge = null;
    act(next, "release_camera");
    say(next, "result", { assertive: m.outcome !== "passed" && m.outcome !== "cancelled" });
    const target = safeUrl(m.redirect_url, next.pageUrl);
    if (target) act(next, "redirect", { url: target });
  },

  replaced: function (next) { end(next, "replaced"); },
  error: function () { return false; },   // recorded by the debug hooks only, never shown
  pong: function () { return false; },

  /* ---------- the socket ---------- */
  [EVENT.CONNECTING]: function (next) {
    next.connecting = true;
    next.reconnectAt = 0;
  },

  [EVENT.OPENED]: function (next) {
    next.connecting = false;
    next.connected = true;
    next.everConnected = true;
  },

  [EVENT.CLOSED]: function (next, e) {
    next.connecting = false;
    next.connected = false;
    next.paused = null;  // the next connection's `state` says where the run is
    next.pausedLeft = null;
    next.busyUntil = 0;
    act(next, "cancel_busy_timer");
    act(next, "free_slots");  // answers to the old socket's frames never come
    if (next.terminal === "result") return;
    const ending = closeEnding(e.code);
    if (ending) {
      end(next, ending);
    } else if (!next.terminal) {
      next.lost = true;
      act(next, "reconnect");
      if (next.started || next.everConnected) say(next, "lost", { assertive: true });
    }
  },

  [EVENT.RECONNECT_SCHEDULED]: function (next, e) { next.reconnectAt = e.at; },

  /* ---------- the camera and the user ---------- */
  [EVENT.CAMERA_STARTED]: function (next) {
    next.started = true;
    if (next.phase !== null) act(next, "send", { message: startMessage() });
    if (!next.terminal && !next.connected && !next.reconnectAt && !next.connecting) {
      act(next, "connect");
    }
  },

  [EVENT.CAMERA_FAILED]: function (next, e) {
    next.cameraError = e.kind;
    say(next, "camera_error", { kind: e.kind, assertive: true });
  },

  [EVENT.CAMERA_LOST]: function (next) {
    if (next.terminal) return false;
    act(next, "release_camera");
    next.cameraError = "other";
    say(next, "camera_error", { kind: "other", assertive: true });
  },

  [EVENT.CAMERA_RETRY]: function (next) {
    next.cameraError = null;
    next.started = false;
  },

  [EVENT.RETRY]: function (next) {
    act(next, "send", { message: retryMessage(), hold: "retry" });
  },

  // The server answers `cancel` with `result` (cancelled) and the redirect; without an
  // answer the page leaves for cancel_url anyway (CANCEL_TIMEOUT).
  [EVENT.CANCEL]: function (next) {
    if (!next.cancelUrl || next.cancelling) return false;
    next.cancelling = true;
    act(next, "cancel", { message: cancelMessage(), fallbackMs: CANCEL_FALLBACK_MS });
  },

  [EVENT.CANCEL_TIMEOUT]: function (next) {
    if (next.terminal === "result") return false;
    const target = safeUrl(next.cancelUrl, next.pageUrl);
    if (!target) return false;
    act(next, "navigate", { url: target });
  },

  // After `replaced`: a new socket takes the session back; the user presses Start again.
  [EVENT.USE_HERE]: function (next) {
    next.terminal = null;
    next.started = false;
    next.lost = true;
    act(next, "reset_backoff");
    act(next, "connect");
  },

  [EVENT.RECONNECT]: function (next) {
    if (next.connected || next.terminal) return false;
    act(next, "reconnect_now");
  },

  [EVENT.BUSY_ELAPSED]: function (next) {
    next.busyUntil = 0;
    if (next.started && !next.terminal) act(next, "send", { message: startMessage() });
  }
};

// A passive session's hold: the server's progress (answers come in frame order); it drops
// back to nothing when the hold starts over (the face was lost).
function followHold(next, m) {
  const h = m.hold;
  if (m.phase !== "hold" || !h || typeof h.progress !== "number") {
    next.hold = null;
    return;
  }
  const progress = Math.max(0, Math.min(1, h.progress));
  next.hold = { progress: progress, hold_ms: h.hold_ms | 0 };
}

function openChallenge(next, c, t) {
  if (!c) { next.challenge = null; return; }
  const prev = next.challenge;
  const isNew = !prev || prev.index !== c.index || prev.gesture !== c.gesture;
  next.challenge = c;
  if (typeof c.total === "number") next.total = c.total;
  const remaining = typeof c.remaining_ms === "number" ? c.remaining_ms : c.time_limit_ms;
  const deadline = t + Math.max(0, remaining || 0);
  // Keep the local clock unless the server's differs noticeably (avoids a jittery ring).
  if (isNew || Math.abs(deadline - next.deadline) > DEADLINE_RESYNC_MS) next.deadline = deadline;
  if (isNew) {
    next.justPassed = false;
    next.challengeSerial += 1;
    say(next, "challenge", { challenge: c, total: c.total || next.total });
  }
}

// A new guidance code is shown once it arrives twice in a row, so the text does not flicker.
function guidance(next, code) {
  if (!code || GUIDANCE.indexOf(code) === -1) return;
  if (code === next.guidanceShown) { next.guidancePending = null; return; }
  if (next.guidanceShown !== null && next.guidancePending !== code) {
    next.guidancePending = code;
    return;
  }
  next.guidancePending = null;
  next.guidanceShown = code;
  if (!(inChallenge(next) && code === "ok")) say(next, "guidance", { code: code });
}

function end(next, kind) {
  next.terminal = kind;
  next.reconnectAt = 0;
  act(next, "stop_reconnect");
  if (kind !== "result") act(next, "release_camera");
  say(next, kind, { assertive: true });
}

// What follows from the state lives in selectors.js; re-exported for the page's modules.
export {
  screenOf,
  framesWanted,
  inChallenge,
  attemptsLeft,
  timeLeft,
  holdProgress,
  inHold,
  panelMessage,
  guidanceToShow,
} from "./selectors.js";
