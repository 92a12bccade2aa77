/* Test and measurement hooks: `window.__liveness` (round trips, messages, screens), only when
 * the page is rendered in debug mode (`<body data-debug="true">`, LIVENESS_PAGE_DEBUG). In
 * production `createDebug` returns hooks that record nothing and expose nothing. Never used
 * for a decision. */

const CAP = 5000;      // entries kept per list; the oldest 1000 go past it
const NOOP = function () {};
const OFF = Object.freeze({
  message: NOOP, sent: NOOP, closed: NOOP, connected: NOOP, frameSent: NOOP,
  frameAnswered: NOOP, frameExpired: NOOP, cameraFailed: NOOP, redirected: NOOP
});

function record(list, item) {
  list.push(item);
  if (list.length > CAP) list.splice(0, 1000);
}

// `read()` gives {state, pacing, screen, stream} as they are now; `expose` is what else the
// tests may read from `window` (the strings and icons).
export function createDebug({ enabled, win, cfg, read, now, expose }) {
  if (!enabled) return OFF;
  const d = {
    cfg: cfg,
    connects: 0,
    frames: {},        // seq -> {sent, answered, rtt, dropped, bytes, w, h}
    rtts: [],          // round trips in ms, in answer order
    messages: [],      // every server message with its arrival time `t` (ms since page start)
    sent: [],          // every non-frame message the page sent
    closes: [],        // {code, reason, t}
    cameraError: null,
    cameraErrorKind: undefined,
    redirectedTo: undefined,
    get phase() { return read().state.phase; },
    get screen() { return read().screen; },
    get fps() { return read().pacing.fps; },
    get seq() { return read().pacing.seq; },
    get guidance() { return read().state.guidanceShown; },
    get state() {
      const now = read();
      return Object.assign({}, now.state, { stream: now.stream, pacing: now.pacing });
    }
  };
  win.__liveness = d;
  Object.keys(expose || {}).forEach(function (name) { win[name] = expose[name]; });

  return {
    message: function (m) { record(d.messages, m); },
    sent: function (m) { record(d.sent, { type: m.type, t: now() }); },
    closed: function (e) { record(d.closes, { code: e.code, reason: e.reason, t: now() }); },
    connected: function () { d.connects++; },
    frameSent: function (seq, sentAt, shot) {
      d.frames[seq] = {
        sent: sentAt, answered: null, rtt: null, dropped: null,
        bytes: shot.image.length, w: shot.w, h: shot.h
      };
    },
    frameAnswered: function (seq, t, rtt, dropped) {
      const f = d.frames[seq];
      if (f) { f.answered = t; f.rtt = rtt; f.dropped = dropped || null; }
      record(d.rtts, rtt);
    },
    frameExpired: function (seq) {
      const f = d.frames[seq];
      if (f) f.dropped = "timeout";
    },
    cameraFailed: function (kind, name) {
      if (name) d.cameraError = name;
      d.cameraErrorKind = kind;
    },
    redirected: function (url) { d.redirectedTo = url; }
  };
}
