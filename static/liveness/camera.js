/* The camera: getUserMedia, frame capture, and the adaptive frame rate.
 *
 * The pacing functions are pure (time is a parameter): at most MAX_IN_FLIGHT frames sent and
 * not yet answered, the next one once a slot is free and 1000 / fps ms have passed, slower
 * when the server is slow or busy, faster when it keeps up (PROTOCOL.md, Frames). Nothing in
 * this module touches the DOM until `createCamera` is called. */

import { FRAME_TIMEOUT_MS, MAX_IN_FLIGHT } from "./protocol.js";

export const FPS_START = 5;
export const FPS_MIN = 2;
export const FPS_MAX = 8;
export const RTT_SLOW_MS = 400;
export const RTT_FAST_MS = 250;
export const ADAPT_EVERY_MS = 1000;
export const RTT_SMOOTHING = 0.3;   // weight of the newest round trip in the running average
export const FRAME_WIDTH = 480;
export const JPEG_QUALITY = 0.7;
const CONSTRAINTS = {
  audio: false,
  video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }
};

/* ---------- adaptive frame rate (pure) ---------- */
export function initialPacing() {
  return {
    seq: 0,          // the last frame's seq: 1, 2, ... per page load, across reconnects
    inFlight: {},    // seq -> page clock when it was sent
    count: 0,
    fps: FPS_START,
    lastSend: 0,
    lastAdapt: 0,
    rttAvg: null,
    ceiling: FPS_MAX, // FPS_MAX, or the open challenge's `frame_rate` when that is higher
    wanted: null      // the open challenge's `frame_rate` (null: none asked for)
  };
}

// The open challenge asks for `wanted` frames/s (its `frame_rate`; eye challenges: a blink
// is brief) or for nothing (null). A new wish raises the ceiling and, unless the server has
// been slowing the page down, jumps straight to it (the challenge may be over before +1 fps a
// second got there); the usual adaptation then goes on below the new ceiling. A throttled
// page (below its starting rate, or slow answers) only gets the higher ceiling. When the wish
// ends the rate comes back under FPS_MAX.
export function challengePace(p, wanted) {
  const asked = typeof wanted === "number" && wanted > 0 ? wanted : null;
  if (asked === p.wanted) return p;
  const ceiling = Math.max(FPS_MAX, asked || 0);
  const throttled = p.fps < FPS_START || (p.rttAvg !== null && p.rttAvg > RTT_SLOW_MS);
  let fps = Math.min(p.fps, ceiling);
  if (asked !== null && !throttled) fps = Math.max(p.fps, asked);
  return Object.assign({}, p, { wanted: asked, ceiling: ceiling, fps: fps });
}

// May a frame go now? A free slot and the frame interval passed.
export function frameDue(p, t) {
  return p.count < MAX_IN_FLIGHT && t - p.lastSend >= 1000 / p.fps;
}

// Frame `seq` went out at `sentAt`; `t` is the tick that decided to send it.
export function frameSent(p, seq, t, sentAt) {
  const inFlight = Object.assign({}, p.inFlight);
  inFlight[seq] = sentAt;
  return Object.assign({}, p, { seq: seq, lastSend: t, inFlight: inFlight, count: p.count + 1 });
}

// The server answered frame `seq` (`frame_result`, or `frame_dropped` with its `dropped`
// reason): its slot is free. Only `busy` slows the page down. `rtt` is null for a frame
// whose slot was already freed.
export function frameAnswered(p, seq, t, dropped) {
  const sentAt = p.inFlight[seq];
  if (sentAt === undefined) return { pacing: p, rtt: null };
  const rtt = t - sentAt;
  const rttAvg = p.rttAvg === null ? rtt : p.rttAvg * (1 - RTT_SMOOTHING) + rtt * RTT_SMOOTHING;
  const freed = Object.assign(withoutSlot(p, seq), { rttAvg: rttAvg });
  return { pacing: adaptFps(freed, dropped === "busy", t), rtt: rtt };
}

// Frames unanswered for FRAME_TIMEOUT_MS free their slots, and the page slows down.
export function framesExpired(p, t) {
  let next = p;
  const expired = [];
  for (const key of Object.keys(p.inFlight)) {
    if (t - p.inFlight[key] > FRAME_TIMEOUT_MS) {
      expired.push(+key);
      next = adaptFps(withoutSlot(next, key), true, t);
    }
  }
  return { pacing: next, expired: expired };
}

// A new socket: answers to the old one's frames never come.
export function slotsCleared(p) {
  return Object.assign({}, p, { inFlight: {}, count: 0 });
}

// One step of 1 fps at most once per ADAPT_EVERY_MS: down when told to or when the smoothed
// round trip is slow, up when it is fast.
export function adaptFps(p, slowDown, t) {
  if (t - p.lastAdapt < ADAPT_EVERY_MS) return p;
  let fps;
  if (slowDown || (p.rttAvg !== null && p.rttAvg > RTT_SLOW_MS)) {
    fps = Math.max(FPS_MIN, p.fps - 1);
  } else if (p.rttAvg !== null && p.rttAvg < RTT_FAST_MS) {
    fps = Math.min(p.ceiling || FPS_MAX, p.fps + 1);
  } else {
    return p;
  }
  return Object.assign({}, p, { fps: fps, lastAdapt: t });
}

function withoutSlot(p, seq) {
  const inFlight = Object.assign({}, p.inFlight);
  delete inFlight[seq];
  return Object.assign({}, p, { inFlight: inFlight, count: p.count - 1 });
}

/* ---------- getUserMedia ---------- */
// The page's name for a getUserMedia failure (its error screen).
export function cameraErrorKind(name) {
  if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") {
    return "blocked";
  }
  if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
    return "missing";
  }
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
    return "busy";
  }
  return "other";
}

// The camera behind `video`. `onReady` runs when the first picture is there, `onEnded` when
// the camera stops by itself (unplugged, taken by another app).
export function createCamera(video, { onReady, onEnded }) {
  let stream = null;
  let canvas = null;

  function open() {
    const md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) {
      return Promise.resolve({ ok: false, kind: "unsupported", name: null });
    }
    return md.getUserMedia(CONSTRAINTS).then(function (s) {
      stream = s;
      video.srcObject = s;
      const track = s.getVideoTracks()[0];
      if (track) track.addEventListener("ended", function () { if (stream === s) onEnded(); });
      video.addEventListener("loadeddata", onReady, { once: true });
      const p = video.play();
      if (p && p.catch) p.catch(function () {});
      return { ok: true };
    }, function (err) {
      const name = err && err.name;
      return { ok: false, kind: cameraErrorKind(name), name: name || String(err) };
    });
  }

  function release() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
    video.srcObject = null;
  }

  function ready() {
    return !!stream && video.readyState >= 2 && video.videoWidth > 0;
  }

  // One frame as base64 JPEG, at most FRAME_WIDTH wide. The raw camera image: the mirroring
  // is only a CSS transform on the preview.
  function capture() {
    const vw = video.videoWidth, vh = video.videoHeight;
    const w = Math.min(FRAME_WIDTH, vw), h = Math.round(w * vh / vw);
    if (!canvas) canvas = document.createElement("canvas");
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    canvas.getContext("2d").drawImage(video, 0, 0, w, h);
    const url = canvas.toDataURL("image/jpeg", JPEG_QUALITY);
    return { image: url.slice(url.indexOf(",") + 1), w: w, h: h };
  }

  return {
    open: open,
    release: release,
    ready: ready,
    capture: capture,
    get stream() { return stream; }
  };
}
