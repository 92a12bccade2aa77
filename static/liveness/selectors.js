/* What follows from the page's state (reducer.js), read by the view and the frame loop.
 * Pure functions of the state; reducer.js re-exports them. */

import { isIdlePhase } from "./protocol.js";

// The screen for this state. Only server messages (and the camera and socket) change it.
export function screenOf(s) {
  if (s.terminal === "result") return "result";
  if (s.terminal) return s.terminal;
  if (s.cameraError) return "camera-error";
  if (s.lost && (s.started || s.everConnected)) return "lost";
  if (!s.started) return "hint";
  if (s.busyUntil) return "busy";
  if (s.phase === "attempt_failed") return "failed";
  if (s.phase === "done") return "result";
  return "camera";
}

// Frames flow in every live phase: positioning, challenge and the short "between" pause (the
// server's engine moves on only as frames arrive). The camera must be running too (camera.js).
export function framesWanted(s) {
  return s.started && s.connected && !s.terminal && s.phase !== null && !isIdlePhase(s.phase);
}

export function inChallenge(s) {
  return s.phase === "challenge" && !!s.challenge;
}

// In phase attempt_failed, `attempt` already counts the coming attempt (PROTOCOL.md).
export function attemptsLeft(s) {
  const f = s.failInfo || {};
  return f.attempts_left != null ? f.attempts_left : Math.max(0, s.maxAttempts - s.attempt + 1);
}

// The open challenge's time left at page clock `t`; while the server is paused its timer does
// not run, and neither does the page's.
export function timeLeft(s, t) {
  return s.paused && s.pausedLeft !== null ? s.pausedLeft : Math.max(0, s.deadline - t);
}

// A passive session's hold done so far, 0..1 (its ring); 0 when none is open.
export function holdProgress(s) {
  return s.phase === "hold" && s.hold ? s.hold.progress : 0;
}

export function inHold(s) {
  return s.mode === "passive" && s.phase === "hold";
}

// What the panel beside the preview says when no challenge is open.
export function panelMessage(s) {
  if (s.mode === "passive") return s.phase === "done" ? "passive_checking" : "hold";
  if (s.completed >= s.total && s.phase !== "positioning") return "checking";
  if (s.justPassed && s.phase !== "positioning") return "between";
  return "positioning";
}

// The guidance sentence to show (a code), or null: none yet, or "ok" during a challenge.
export function guidanceToShow(s) {
  const code = s.guidanceShown;
  return !code || (inChallenge(s) && code === "ok") ? null : code;
}
