/* The page's side of docs/PROTOCOL.md: message shapes, constants, small pure helpers.
 *
 * The shared values (close codes, message types, phases, frames in flight, frame timeouts)
 * are the server's, from sessions/protocol.py: tests/page/test_protocol.py fails when this
 * file says anything else. The timings below them are the page's own. */

export const CLOSE = Object.freeze({
  ABUSE: 4400,        // too many bad messages: "something went wrong", no reconnect
  UNKNOWN: 4404,      // unknown or revoked token: "no longer valid"
  REPLACED: 4409,     // another tab took the session over
  ENDED: 4410,        // finished, cancelled or expired: "no longer valid"
  UNAVAILABLE: 4503   // the server's database is briefly unreachable: reconnect
});

export const PAGE_MESSAGES = Object.freeze(["start", "frame", "retry", "cancel", "ping"]);
export const SERVER_MESSAGES = Object.freeze([
  "state", "frame_result", "frame_dropped", "challenge", "challenge_passed", "attempt_failed",
  "result", "error", "paused", "busy", "resumed", "replaced", "pong"
]);
export const PHASES = Object.freeze([
  "ready", "positioning", "challenge", "between", "attempt_failed", "done", "hold"
]);
// No frames before Start, while the server waits for "Try again", or once it is done.
export const IDLE_PHASES = Object.freeze(["ready", "attempt_failed", "done"]);
export const PAUSE_REASONS = Object.freeze(["analysis_unavailable", "storage_unavailable"]);
export const OUTCOMES = Object.freeze(["passed", "failed", "cancelled", "expired"]);
export const GUIDANCE = Object.freeze([
  "ok", "no_face", "many_faces", "move_closer", "move_back", "center", "too_dark",
  "too_bright", "hold_still", "look_straight", "no_hand", "many_hands", "hand_cut_off", "neutral"
]);

export const MAX_IN_FLIGHT = 2;
// The server gives an unanswered frame up (`frame_dropped lost`) this long after it arrived.
export const SERVER_FRAME_TIMEOUT_MS = 3000;
// The page frees the slot of a frame never answered this long after sending it: the server's
// give-up plus a round trip, so the next frame does not find the server's slots still taken.
export const FRAME_TIMEOUT_MS = 5000;

/* ---------- the page's own timings ---------- */
export const BACKOFF_MS = Object.freeze([500, 1000, 2000, 4000, 5000]);
export const PING_EVERY_MS = 15000;
export const SILENCE_LIMIT_MS = 45000;   // nothing heard this long: the socket is half-open
export const RESULT_HOLD_MS = 1500;      // the final screen, before the redirect
export const RESULT_LINK_AFTER_MS = 4000; // a plain "Continue" link if the redirect is blocked
export const CANCEL_FALLBACK_MS = 4000;  // no `result` after `cancel`: leave anyway
export const DEADLINE_RESYNC_MS = 350;   // follow the server's countdown only past this drift
export const BUSY_RETRY_DEFAULT_S = 10;
export const BUSY_RETRY_MAX_S = 300;

/* ---------- page -> server ---------- */
export function startMessage() { return { type: "start" }; }
export function frameMessage(seq, image) { return { type: "frame", seq: seq, image: image }; }
export function retryMessage() { return { type: "retry" }; }
export function cancelMessage() { return { type: "cancel" }; }
export function pingMessage() { return { type: "ping" }; }

/* ---------- server -> page ---------- */
// A server message as an object with a string `type`, or null (not JSON, not a message).
export function parseServerMessage(text) {
  let msg;
  try { msg = JSON.parse(text); } catch (e) { return null; }
  if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return null;
  return msg;
}

// Only the types of the table in PROTOCOL.md reach the page's logic; others are ignored.
export function isKnownServerMessage(msg) {
  return !!msg && SERVER_MESSAGES.indexOf(msg.type) !== -1;
}

// The screen a close code ends on, or null when the page reconnects.
export function closeEnding(code) {
  if (code === CLOSE.UNKNOWN || code === CLOSE.ENDED) return "ended";
  if (code === CLOSE.REPLACED) return "replaced";
  if (code === CLOSE.ABUSE) return "error";
  return null;
}

// The wait before reconnect attempt `n` (0-based): 0.5 s, 1 s, 2 s, 4 s, then 5 s.
export function backoffDelay(n) {
  return BACKOFF_MS[Math.min(Math.max(0, n), BACKOFF_MS.length - 1)];
}

// `busy.retry_in` as whole seconds the page waits: 1..300, 10 when missing or not a number.
export function busyRetrySeconds(retryIn) {
  return Math.max(1, Math.min(BUSY_RETRY_MAX_S, +retryIn || BUSY_RETRY_DEFAULT_S));
}

export function isIdlePhase(phase) {
  return IDLE_PHASES.indexOf(phase) !== -1;
}

// The absolute http(s) URL the page may go to, or null (a javascript: URL, garbage).
export function safeUrl(u, base) {
  try {
    const url = new URL(u, base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (e) {
    return null;
  }
}
