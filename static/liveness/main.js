/* The prebuilt liveness page (docs/PROTOCOL.md): it shows what the server says and sends
 * camera frames; it never decides a verdict or a phase by itself.
 *
 * This module wires the others together: every event (server message, socket, camera,
 * button, timer) goes through `reduce` (reducer.js), the effects it asks for are carried out
 * here, and the view draws the new state. Frames are paced apart (camera.js). */

import { STRINGS, translator } from "./i18n.js";
import { ICONS } from "./icons.js";
import {
  RESULT_HOLD_MS, RESULT_LINK_AFTER_MS, frameMessage, isKnownServerMessage
} from "./protocol.js";
import { EVENT, framesWanted, initialState, reduce } from "./reducer.js";
import {
  challengePace, createCamera, frameAnswered, frameDue, frameSent, framesExpired, initialPacing,
  slotsCleared
} from "./camera.js";
import { createSocket } from "./socket.js";
import { createView } from "./view.js";
import { createDebug } from "./debug.js";

const FRAME_TICK_MS = 40;

const body = document.body;
const now = function () { return performance.now(); };
const cfg = {
  wsUrl: body.getAttribute("data-ws-url") || "",
  mode: body.getAttribute("data-mode") === "passive" ? "passive" : "active",
  lang: body.getAttribute("data-lang") === "id" ? "id" : "en",
  cancelUrl: body.getAttribute("data-cancel-url") || "",
  total: toInt(body.getAttribute("data-total"), 1),
  maxAttempts: toInt(body.getAttribute("data-max-attempts"), 3)
};

let state = initialState({
  mode: cfg.mode, total: cfg.total, maxAttempts: cfg.maxAttempts, cancelUrl: cfg.cancelUrl,
  pageUrl: window.location.href
});
let pacing = initialPacing();
let busyTimer = 0;

const video = document.getElementById("video");
const view = createView({ doc: document, win: window, tr: translator(cfg.lang), now: now, video: video });
const camera = createCamera(video, {
  onReady: function () { view.render(state); },
  onEnded: function () {
    if (!state.terminal) debug.cameraFailed("other", null);
    dispatch({ type: EVENT.CAMERA_LOST });
  }
});
const debug = createDebug({
  enabled: body.getAttribute("data-debug") === "true",
  win: window,
  cfg: cfg,
  now: now,
  read: function () {
    return { state: state, pacing: pacing, screen: view.screen, stream: camera.stream };
  },
  expose: { LIVENESS_I18N: STRINGS, LIVENESS_ICONS: ICONS }
});
const socket = createSocket({ url: cfg.wsUrl, now: now, onEvent: onSocketEvent, onSent: debug.sent });

function toInt(v, dflt) {
  const n = parseInt(v, 10);
  return isFinite(n) && n > 0 ? n : dflt;
}

/* ---------- events in, effects out ---------- */
const queue = [];
let dispatching = false;

// Events raised while effects run (a socket opening, a reconnect scheduled) wait their turn.
function dispatch(event) {
  queue.push(Object.assign({ t: now() }, event));
  if (dispatching) return;
  dispatching = true;
  try {
    while (queue.length) {
      const prev = state;
      state = reduce(state, queue.shift());
      state.effects.forEach(perform);
      if (state !== prev) view.render(state);
    }
  } finally {
    dispatching = false;
  }
}

function perform(e) {
  switch (e.type) {
    case "send":
      if (socket.send(e.message) && e.hold === "retry") view.holdRetry();
      break;
    case "cancel": {
      const sent = socket.send(e.message);
      window.setTimeout(function () { dispatch({ type: EVENT.CANCEL_TIMEOUT }); },
        sent ? e.fallbackMs : 0);
      break;
    }
    case "announce": view.say(e, state); break;
    case "release_camera": camera.release(); break;
    case "connect": socket.connect(); break;
    case "reconnect": socket.scheduleReconnect(); break;
    case "reconnect_now": socket.reconnectNow(); break;
    case "stop_reconnect": socket.stopReconnect(); break;
    case "reset_backoff": socket.resetBackoff(); break;
    case "free_slots": pacing = slotsCleared(pacing); break;
    case "busy_timer":
      window.clearTimeout(busyTimer);
      busyTimer = window.setTimeout(function () { dispatch({ type: EVENT.BUSY_ELAPSED }); }, e.ms);
      break;
    case "cancel_busy_timer": window.clearTimeout(busyTimer); break;
    case "redirect": redirect(e.url); break;
    case "navigate": window.location.assign(e.url); break;
    case "flash_passed": view.flashPassed(); break;
    default: break;
  }
}

// The final screen shows briefly, then the merchant's page; should the navigation be
// blocked, a plain link lets the user continue.
function redirect(url) {
  view.resultLink(url);
  window.setTimeout(function () {
    debug.redirected(url);
    window.location.assign(url);
  }, RESULT_HOLD_MS);
  window.setTimeout(view.showResultLink, RESULT_LINK_AFTER_MS);
}

/* ---------- the socket ---------- */
function onSocketEvent(e) {
  if (e.type === "message") {
    onServerMessage(e.message);
    return;
  }
  if (e.type === EVENT.OPENED) debug.connected();
  if (e.type === EVENT.CLOSED) debug.closed(e);
  dispatch(e);
}

function onServerMessage(m) {
  m.t = now();
  debug.message(m);
  if (!isKnownServerMessage(m)) return;  // forward compatibility: unknown types are ignored
  if (m.type === "frame_result") freeSlot(m.seq, m.t, null);
  else if (m.type === "frame_dropped") freeSlot(m.seq, m.t, m.reason || "dropped");
  dispatch(m);
}

/* ---------- frames ---------- */
function freeSlot(seq, t, dropped) {
  const out = frameAnswered(pacing, seq, t, dropped);
  if (out.rtt === null) return;
  pacing = out.pacing;
  debug.frameAnswered(seq, t, out.rtt, dropped);
}

function frameTick() {
  const t = now();
  const out = framesExpired(pacing, t);
  pacing = out.pacing;
  out.expired.forEach(debug.frameExpired);
  pacing = challengePace(pacing, state.challenge ? state.challenge.frame_rate : null);
  if (!framesWanted(state) || !camera.ready() || !frameDue(pacing, t)) return;
  const shot = camera.capture();
  const seq = pacing.seq + 1;
  const sentAt = now();
  if (!socket.send(frameMessage(seq, shot.image))) return;
  pacing = frameSent(pacing, seq, t, sentAt);
  debug.frameSent(seq, sentAt, shot);
}

/* ---------- user actions ---------- */
function onStart() {
  if (view.isDisabled("btn-start")) return;
  view.startPending(true);
  camera.open().then(function (opened) {
    view.startPending(false);
    if (opened.ok) {
      dispatch({ type: EVENT.CAMERA_STARTED });
      return;
    }
    debug.cameraFailed(opened.kind, opened.name);
    dispatch({ type: EVENT.CAMERA_FAILED, kind: opened.kind });
  });
}

function onRetry() {
  if (!view.isDisabled("btn-retry")) dispatch({ type: EVENT.RETRY });
}

function onCameraRetry() {
  dispatch({ type: EVENT.CAMERA_RETRY });
  onStart();
}

function on(id, handler) {
  document.getElementById(id).addEventListener("click", handler);
}

/* ---------- boot ---------- */
view.applyStrings(cfg.total, !!cfg.cancelUrl, cfg.mode === "passive");
document.querySelectorAll('[data-action="cancel"]').forEach(function (n) {
  n.addEventListener("click", function () { dispatch({ type: EVENT.CANCEL }); });
});
on("btn-start", onStart);
on("btn-retry", onRetry);
on("btn-camera-retry", onCameraRetry);
on("btn-reconnect", function () { dispatch({ type: EVENT.RECONNECT }); });
on("btn-use-here", function () { dispatch({ type: EVENT.USE_HERE }); });
on("btn-reload", function () { window.location.reload(); });
view.render(state);
socket.connect();
window.setInterval(frameTick, FRAME_TICK_MS);
window.addEventListener("pagehide", function () {
  camera.release();
  socket.close(1000);
});
