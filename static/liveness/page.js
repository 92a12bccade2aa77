/* The prebuilt liveness page. It follows docs/PROTOCOL.md: it shows what the server says and
 * sends camera frames; it never decides a verdict or a phase by itself.
 *
 * Plain JavaScript, no dependencies. Strings come from i18n.js, icons from icons.js. */
(function () {
  "use strict";

  var MAX_IN_FLIGHT = 2;
  var FPS_START = 5, FPS_MIN = 2, FPS_MAX = 8;
  var RTT_SLOW_MS = 400, RTT_FAST_MS = 250, ADAPT_EVERY_MS = 1000;
  var FRAME_TIMEOUT_MS = 5000;     // a frame never answered frees its slot after this
  var FRAME_WIDTH = 480, JPEG_QUALITY = 0.7;
  var BACKOFF_MS = [500, 1000, 2000, 4000, 5000];
  var PING_EVERY_MS = 15000, SILENCE_LIMIT_MS = 45000;
  var RESULT_HOLD_MS = 1500, CANCEL_FALLBACK_MS = 4000;

  var body = document.body;
  var cfg = {
    wsUrl: body.getAttribute("data-ws-url") || "",
    lang: body.getAttribute("data-lang") === "id" ? "id" : "en",
    cancelUrl: body.getAttribute("data-cancel-url") || "",
    total: toInt(body.getAttribute("data-total"), 1),
    maxAttempts: toInt(body.getAttribute("data-max-attempts"), 3)
  };
  var STR = window.LIVENESS_I18N[cfg.lang];
  var ICONS = window.LIVENESS_ICONS;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function toInt(v, dflt) {
    var n = parseInt(v, 10);
    return isFinite(n) && n > 0 ? n : dflt;
  }
  function $(id) { return document.getElementById(id); }
  function now() { return performance.now(); }

  /* ---------- strings ---------- */
  function t(key, vars) {
    var parts = key.split("."), s = STR;
    for (var i = 0; i < parts.length && s != null; i++) s = s[parts[i]];
    if (s == null) return "";
    if (typeof s === "object" && !Array.isArray(s)) s = (vars && vars.n === 1) ? s.one : s.other;
    return fill(String(s), vars);
  }
  function fill(s, vars) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && vars[k] != null ? vars[k] : m; });
  }
  function gestureText(code) {
    if (STR.gestures[code]) return STR.gestures[code];
    var m = /^HAND_([01]{5})$/.exec(code || "");
    if (!m) return STR.gesture_unknown;
    if (m[1] === "00000") return STR.hand_fist;
    if (m[1] === "11111") return STR.hand_open;
    var names = [];
    for (var i = 0; i < 5; i++) if (m[1].charAt(i) === "1") names.push(STR.fingers[i]);
    var list = names.length > 1
      ? names.slice(0, -1).join(", ") + STR.list_and + names[names.length - 1]
      : names[0];
    return fill(STR.hand, { fingers: list });
  }

  /* ---------- state ---------- */
  var S = {
    screen: null,
    phase: null,            // the server's phase; null until the first `state`
    attempt: 1,
    maxAttempts: cfg.maxAttempts,
    total: cfg.total,
    completed: 0,
    challenge: null,        // the open challenge C, or null
    deadline: 0,            // performance.now() when the open challenge's time runs out
    justPassed: false,      // show "Done!" between challenges
    failInfo: null,
    started: false,         // the user pressed Start and the camera is running
    stream: null,
    cameraError: null,
    ws: null,
    connected: false,
    everConnected: false,
    lost: false,
    terminal: null,         // "result" | "ended" | "replaced" | "error": no reconnect
    result: null,
    backoff: 0,
    reconnectTimer: 0,
    reconnectAt: 0,
    lastHeard: 0,
    seq: 0,
    inFlight: {},           // seq -> send time
    inFlightCount: 0,
    fps: FPS_START,
    lastSend: 0,
    lastAdapt: 0,
    rttAvg: null,
    guidanceShown: null,
    guidancePending: null,
    paused: null,           // the server's `paused` reason while analysis or storage is down
    pausedLeft: null,       // the open challenge's time left when it paused (ms)
    busyUntil: 0,           // the server is at capacity: when the page says Start again (ms)
    busyTimer: 0,
    cancelling: false
  };

  // Debug and measurement hooks for tests (round trips, messages); never used for decisions.
  var dbg = window.__liveness = {
    cfg: cfg, phase: null, screen: null, fps: FPS_START, seq: 0, connects: 0,
    frames: {},          // seq -> {sent, answered, rtt, dropped, bytes}
    rtts: [],            // round trips in ms, in answer order
    messages: [],        // every server message with its arrival time `t` (ms since page start)
    sent: [],            // every non-frame message the page sent
    closes: [],          // {code, reason, t}
    cameraError: null,
    state: S
  };
  function record(list, item) {
    list.push(item);
    if (list.length > 5000) list.splice(0, 1000);
  }

  /* ---------- elements ---------- */
  var el = {
    video: $("video"),
    stage: $("stage"),
    stageStatus: $("stage-status"),
    guidance: $("guidance"),
    steps: $("steps"),
    panelPositioning: $("panel-positioning"),
    challenge: $("challenge"),
    challengeIcon: $("challenge-icon"),
    challengeStep: $("challenge-step"),
    challengeText: $("challenge-text"),
    challengeTime: $("challenge-time"),
    ringBar: $("ring-bar"),
    livePolite: $("live-polite"),
    liveAssertive: $("live-assertive")
  };
  var canvas = document.createElement("canvas");

  /* ---------- static text and icons ---------- */
  function applyStrings() {
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i], key = n.getAttribute("data-i18n");
      var vars = n.getAttribute("data-i18n-n") === "total" ? { n: cfg.total } : null;
      n.textContent = t(key, vars);
    }
    var icons = document.querySelectorAll("[data-icon]");
    for (var j = 0; j < icons.length; j++) icons[j].innerHTML = ICONS.ui(icons[j].getAttribute("data-icon"));
    document.title = t("camera_title");
    var cancels = document.querySelectorAll('[data-action="cancel"]');
    for (var k = 0; k < cancels.length; k++) {
      cancels[k].hidden = !cfg.cancelUrl;
      cancels[k].addEventListener("click", onCancel);
    }
  }

  /* ---------- screens ---------- */
  function show(name) {
    if (S.screen === name) return;
    var screens = document.querySelectorAll("[data-screen]");
    for (var i = 0; i < screens.length; i++) {
      screens[i].hidden = screens[i].getAttribute("data-screen") !== name;
    }
    var first = S.screen === null;
    S.screen = dbg.screen = name;
    body.setAttribute("data-current-screen", name);
    // Move focus to the new screen's heading so keyboard and screen-reader users land on it.
    if (!first) {
      var heading = document.querySelector('[data-screen="' + name + '"] [tabindex="-1"]');
      if (heading) heading.focus({ preventScroll: false });
    }
    if (name === "camera" && el.video.srcObject && el.video.paused) {
      el.video.play().catch(function () {});
    }
  }

  function announce(text, assertive) {
    var region = assertive ? el.liveAssertive : el.livePolite;
    // Clearing first makes a repeated sentence be announced again.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 60);
  }

  // Picks the screen for the current state. Only server messages (and the camera/socket) change S.
  function render() {
    dbg.phase = S.phase;
    var screen;
    if (S.terminal === "result") screen = "result";
    else if (S.terminal) screen = S.terminal;
    else if (S.cameraError) screen = "camera-error";
    else if (S.lost && (S.started || S.everConnected)) screen = "lost";
    else if (!S.started) screen = "hint";
    else if (S.busyUntil) screen = "busy";
    else if (S.phase === "attempt_failed") screen = "failed";
    else if (S.phase === "done") screen = "result";
    else screen = "camera";

    if (screen === "camera") renderCamera();
    else if (screen === "failed") renderFailed();
    else if (screen === "result") renderResult();
    else if (screen === "camera-error") renderCameraError();
    else if (screen === "lost") renderLost();
    else if (screen === "busy") renderBusy();
    show(screen);
  }

  function renderSteps() {
    var total = S.total || 1, html = "";
    var current = S.challenge ? S.challenge.index : -1;
    for (var i = 0; i < total; i++) {
      var cls = i < S.completed ? "is-done" : i === current ? "is-current" : "";
      html += '<span class="step ' + cls + '"></span>';
    }
    if (el.steps.getAttribute("data-html") !== html) {
      el.steps.innerHTML = html;
      el.steps.setAttribute("data-html", html);
    }
  }

  function renderCamera() {
    renderSteps();
    var waiting = !S.connected || S.phase === null || S.phase === "ready" || !S.stream ||
      el.video.readyState < 2;
    el.stageStatus.hidden = !waiting && !S.paused;
    el.stageStatus.lastElementChild.textContent = !S.stream || el.video.readyState < 2
      ? t("camera_starting") : waiting ? t("connecting") : pausedText();
    body.setAttribute("data-paused", S.paused ? "true" : "false");
    var c = S.phase === "challenge" ? S.challenge : null;
    el.challenge.hidden = !c;
    el.panelPositioning.hidden = !!c;
    if (c) {
      var text = gestureText(c.gesture);
      if (el.challengeText.getAttribute("data-gesture") !== c.gesture + ":" + c.index) {
        el.challengeText.setAttribute("data-gesture", c.gesture + ":" + c.index);
        el.challengeIcon.innerHTML = ICONS.gesture(c.gesture);
        el.challengeText.textContent = text;
        el.challengeStep.textContent = t("step_of", { i: c.index + 1, n: c.total || S.total });
      }
      startCountdown();
    } else {
      var title = el.panelPositioning.querySelector(".panel-title");
      var para = el.panelPositioning.querySelector(".panel-text");
      if (S.completed >= S.total && S.phase !== "positioning") {
        title.textContent = t("checking_title");
        para.textContent = t("checking_text");
      } else if (S.justPassed && S.phase !== "positioning") {
        title.textContent = t("between_title");
        para.textContent = t("between_text");
      } else {
        title.textContent = t("positioning_title");
        para.textContent = t("positioning_text");
      }
    }
  }

  function pausedText() {
    return STR.paused[S.paused] || STR.paused.analysis_unavailable;
  }

  function renderFailed() {
    var f = S.failInfo || {};
    // In phase attempt_failed, `attempt` already counts the coming attempt (PROTOCOL.md).
    var left = f.attempts_left != null ? f.attempts_left : Math.max(0, S.maxAttempts - S.attempt + 1);
    var reasonText = (f.reason && STR.failed_reasons[f.reason]) || STR.failed_reason_other;
    $("failed-reason").textContent = reasonText;
    $("failed-attempts").textContent = t("attempts_left", { n: left });
    $("btn-retry").disabled = !S.connected;
  }

  function renderResult() {
    var outcome = S.result ? S.result.outcome : "done";
    var pair = STR.result[outcome] || STR.result.done;
    var kind = outcome === "passed" ? "success" : outcome === "done" ? "muted"
      : outcome === "cancelled" ? "muted" : "error";
    var icon = outcome === "passed" ? "check" : outcome === "done" ? "clock"
      : outcome === "cancelled" ? "cross" : outcome === "expired" ? "clock" : "cross";
    var iconEl = $("result-icon");
    iconEl.className = "hero-icon hero-" + kind;
    iconEl.innerHTML = ICONS.ui(icon);
    $("result-title").textContent = pair[0];
    $("result-text").textContent = pair[1];
    body.setAttribute("data-outcome", outcome);
  }

  function renderCameraError() {
    var pair = STR.camera_errors[S.cameraError] || STR.camera_errors.other;
    $("camera-error-title").textContent = pair[0];
    $("camera-error-text").textContent = pair[1];
    $("btn-camera-retry").hidden = S.cameraError === "unsupported";
  }

  // The server is at capacity (PROTOCOL.md, `busy`): count down, then say Start again.
  var busyTicker = 0;
  function renderBusy() {
    function tick() {
      var ms = S.busyUntil - now();
      $("busy-countdown").textContent = ms > 900
        ? t("busy_retry_in", { n: Math.ceil(ms / 1000) })
        : t("busy_retry_now");
    }
    tick();
    if (!busyTicker) busyTicker = window.setInterval(function () {
      if (S.screen !== "busy") { window.clearInterval(busyTicker); busyTicker = 0; return; }
      tick();
    }, 250);
  }

  function onBusy(retryIn) {
    var seconds = Math.max(1, Math.min(300, +retryIn || 10));
    S.busyUntil = now() + seconds * 1000;
    window.clearTimeout(S.busyTimer);
    S.busyTimer = window.setTimeout(function () {
      S.busyUntil = 0;
      if (S.started && !S.terminal) wsSend({ type: "start" });
      render();
    }, seconds * 1000);
    announce(t("busy_title"));
    render();
  }

  var lostTicker = 0;
  function renderLost() {
    function tick() {
      var ms = S.reconnectAt - now();
      $("lost-countdown").textContent = S.reconnectTimer && ms > 900
        ? t("reconnecting_in", { n: Math.ceil(ms / 1000) })
        : t("reconnecting_now");
    }
    tick();
    if (!lostTicker) lostTicker = window.setInterval(function () {
      if (S.screen !== "lost") { window.clearInterval(lostTicker); lostTicker = 0; return; }
      tick();
    }, 250);
  }

  /* ---------- countdown ring ---------- */
  var countdownRaf = 0, lastSecond = -1;
  function startCountdown() {
    if (countdownRaf) return;
    var step = function () {
      countdownRaf = 0;
      var c = S.challenge;
      if (!c || S.phase !== "challenge" || S.screen !== "camera") return;
      var limit = c.time_limit_ms || 1;
      // While the server is paused its timer does not run: neither does the page's.
      var left = S.paused && S.pausedLeft !== null ? S.pausedLeft : Math.max(0, S.deadline - now());
      var secs = Math.ceil(left / 1000);
      // Reduced motion: the ring moves once per second instead of continuously.
      var frac = reducedMotion && reducedMotion.matches ? Math.min(1, secs * 1000 / limit) : left / limit;
      el.ringBar.style.strokeDashoffset = String(100 - Math.max(0, Math.min(1, frac)) * 100);
      el.challenge.classList.toggle("is-urgent", left <= 3000);
      if (secs !== lastSecond) {
        lastSecond = secs;
        el.challengeTime.textContent = t("seconds_left", { n: secs });
      }
      countdownRaf = window.requestAnimationFrame(step);
    };
    countdownRaf = window.requestAnimationFrame(step);
  }

  function setChallenge(c) {
    if (!c) { S.challenge = null; return; }
    var isNew = !S.challenge || S.challenge.index !== c.index || S.challenge.gesture !== c.gesture;
    S.challenge = c;
    if (typeof c.total === "number") S.total = c.total;
    var remaining = typeof c.remaining_ms === "number" ? c.remaining_ms : c.time_limit_ms;
    var deadline = now() + Math.max(0, remaining || 0);
    // Keep the local clock unless the server's differs noticeably (avoids a jittery ring).
    if (isNew || Math.abs(deadline - S.deadline) > 350) S.deadline = deadline;
    if (isNew) {
      S.justPassed = false;
      lastSecond = -1;
      announce(fill(STR.challenge_announce, {
        i: c.index + 1, n: c.total || S.total, text: gestureText(c.gesture)
      }));
    }
  }

  /* ---------- guidance ---------- */
  // A new guidance code is shown once it arrives twice in a row, so the text does not flicker.
  function onGuidance(code) {
    if (!code || !STR.guidance[code]) return;
    if (code === S.guidanceShown) { S.guidancePending = null; return; }
    if (S.guidanceShown !== null && S.guidancePending !== code) { S.guidancePending = code; return; }
    S.guidancePending = null;
    S.guidanceShown = code;
    paintGuidance();
    var inChallenge = S.phase === "challenge" && S.challenge;
    if (!(inChallenge && code === "ok")) announce(STR.guidance[code]);
  }
  function paintGuidance() {
    var code = S.guidanceShown;
    var inChallenge = S.phase === "challenge" && S.challenge;
    var text = !code || (inChallenge && code === "ok") ? "" : STR.guidance[code];
    el.guidance.textContent = text;
    el.guidance.hidden = !text;
    el.stage.setAttribute("data-guidance", !code ? "none" : code === "ok" ? "ok" : "warn");
    dbg.guidance = code;
  }

  /* ---------- camera ---------- */
  function openCamera() {
    S.cameraError = null;
    var md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) return Promise.resolve(cameraFailed("unsupported"));
    return md.getUserMedia({
      audio: false,
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }
    }).then(function (stream) {
      S.stream = stream;
      el.video.srcObject = stream;
      var track = stream.getVideoTracks()[0];
      if (track) track.addEventListener("ended", function () {
        if (!S.terminal && S.stream === stream) { releaseCamera(); cameraFailed("other"); render(); }
      });
      el.video.addEventListener("loadeddata", render, { once: true });
      var p = el.video.play();
      if (p && p.catch) p.catch(function () {});
      return true;
    }, function (err) {
      var name = err && err.name;
      dbg.cameraError = name || String(err);
      if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") {
        return cameraFailed("blocked");
      }
      if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
        return cameraFailed("missing");
      }
      if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
        return cameraFailed("busy");
      }
      return cameraFailed("other");
    });
  }
  function cameraFailed(kind) {
    S.cameraError = kind;
    dbg.cameraErrorKind = kind;
    announce(STR.camera_errors[kind][0], true);
    return false;
  }
  function releaseCamera() {
    if (S.stream) S.stream.getTracks().forEach(function (tr) { tr.stop(); });
    S.stream = null;
    el.video.srcObject = null;
  }

  /* ---------- frames ---------- */
  // Frames flow in every live phase: positioning, challenge and the short "between" pause
  // (the server's engine moves on only as frames arrive). Not before Start, not while the
  // server waits for "retry", not once it is done.
  var IDLE_PHASES = { ready: 1, attempt_failed: 1, done: 1 };
  function canSendFrames() {
    return S.started && S.connected && !S.terminal && S.stream &&
      S.phase !== null && !IDLE_PHASES[S.phase] &&
      el.video.readyState >= 2 && el.video.videoWidth > 0;
  }

  function frameTick() {
    var tnow = now();
    for (var k in S.inFlight) {
      if (tnow - S.inFlight[k] > FRAME_TIMEOUT_MS) freeSlot(+k, null, "timeout");
    }
    if (!canSendFrames()) return;
    if (S.inFlightCount >= MAX_IN_FLIGHT) return;
    if (tnow - S.lastSend < 1000 / S.fps) return;
    sendFrame(tnow);
  }

  function sendFrame(tnow) {
    var vw = el.video.videoWidth, vh = el.video.videoHeight;
    var w = Math.min(FRAME_WIDTH, vw), h = Math.round(w * vh / vw);
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    // The raw camera image: the mirroring is only a CSS transform on the preview.
    canvas.getContext("2d").drawImage(el.video, 0, 0, w, h);
    var url = canvas.toDataURL("image/jpeg", JPEG_QUALITY);
    var b64 = url.slice(url.indexOf(",") + 1);
    var seq = ++S.seq;
    var sentAt = now();
    if (!wsSend({ type: "frame", seq: seq, image: b64 })) { S.seq--; return; }
    S.lastSend = tnow;
    S.inFlight[seq] = sentAt;
    S.inFlightCount++;
    dbg.seq = seq;
    dbg.frames[seq] = { sent: sentAt, answered: null, rtt: null, dropped: null, bytes: b64.length, w: w, h: h };
  }

  function freeSlot(seq, tnow, dropped) {
    var sentAt = S.inFlight[seq];
    if (sentAt === undefined) return;
    delete S.inFlight[seq];
    S.inFlightCount--;
    var f = dbg.frames[seq];
    if (tnow === null) { if (f) f.dropped = dropped; adapt(true); return; }
    var rtt = tnow - sentAt;
    if (f) { f.answered = tnow; f.rtt = rtt; f.dropped = dropped || null; }
    record(dbg.rtts, rtt);
    S.rttAvg = S.rttAvg === null ? rtt : S.rttAvg * 0.7 + rtt * 0.3;
    adapt(dropped === "busy");
  }

  // Slower when the server is slow or busy, faster again when it keeps up (PROTOCOL.md, Frames).
  function adapt(slowDown) {
    var tnow = now();
    if (tnow - S.lastAdapt < ADAPT_EVERY_MS) return;
    if (slowDown || (S.rttAvg !== null && S.rttAvg > RTT_SLOW_MS)) {
      S.fps = Math.max(FPS_MIN, S.fps - 1);
    } else if (S.rttAvg !== null && S.rttAvg < RTT_FAST_MS) {
      S.fps = Math.min(FPS_MAX, S.fps + 1);
    } else {
      return;
    }
    S.lastAdapt = tnow;
    dbg.fps = S.fps;
  }

  function clearInFlight() {
    S.inFlight = {};
    S.inFlightCount = 0;
  }

  /* ---------- socket ---------- */
  function wsSend(msg) {
    if (!S.ws || S.ws.readyState !== 1) return false;
    try {
      S.ws.send(JSON.stringify(msg));
    } catch (e) {
      return false;
    }
    if (msg.type !== "frame") record(dbg.sent, { type: msg.type, t: now() });
    return true;
  }

  function connect() {
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = 0;
    if (S.terminal) return;
    var ws;
    try {
      ws = new WebSocket(cfg.wsUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    S.ws = ws;
    ws.onopen = function () {
      if (S.ws !== ws) return;
      S.connected = true;
      S.everConnected = true;
      S.lastHeard = now();
      dbg.connects++;
    };
    ws.onmessage = function (ev) {
      if (S.ws !== ws) return;
      S.lastHeard = now();
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || typeof msg.type !== "string") return;
      msg.t = now();
      record(dbg.messages, msg);
      handle(msg);
    };
    ws.onclose = function (ev) {
      if (S.ws !== ws) return;
      S.ws = null;
      S.connected = false;
      S.paused = null;  // the next connection's `state` says where the run is
      S.pausedLeft = null;
      S.busyUntil = 0;
      window.clearTimeout(S.busyTimer);
      clearInFlight();
      record(dbg.closes, { code: ev.code, reason: ev.reason, t: now() });
      if (S.terminal === "result") return;
      if (ev.code === 4404 || ev.code === 4410) endWith("ended");
      else if (ev.code === 4409) endWith("replaced");
      else if (ev.code === 4400) endWith("error");
      else if (!S.terminal) {
        S.lost = true;
        scheduleReconnect();
        if (S.lost && (S.started || S.everConnected)) announce(t("lost_title"), true);
      }
      render();
    };
  }

  function scheduleReconnect() {
    var delay = BACKOFF_MS[Math.min(S.backoff, BACKOFF_MS.length - 1)];
    S.backoff++;
    S.reconnectAt = now() + delay;
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = window.setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (S.connected || S.terminal) return;
    if (S.ws) { try { S.ws.close(); } catch (e) { /* already closing */ } S.ws = null; }
    connect();
    renderLost();
  }

  function endWith(kind) {
    S.terminal = kind;
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = 0;
    if (kind !== "result") releaseCamera();
    if (kind === "ended") announce(t("ended_title"), true);
    if (kind === "replaced") announce(t("replaced_title"), true);
    if (kind === "error") announce(t("error_title"), true);
  }

  window.setInterval(function () {
    if (!S.connected) return;
    if (now() - S.lastHeard > SILENCE_LIMIT_MS && S.ws) {
      // A half-open connection: close it and let onclose reconnect.
      try { S.ws.close(); } catch (e) { /* ignore */ }
      return;
    }
    wsSend({ type: "ping" });
  }, PING_EVERY_MS);

  /* ---------- server messages ---------- */
  function handle(m) {
    switch (m.type) {
      case "state": onState(m); break;
      case "frame_result":
        freeSlot(m.seq, now(), null);
        onFrameResult(m);
        break;
      case "frame_dropped":
        freeSlot(m.seq, now(), m.reason || "dropped");
        break;
      case "challenge":
        S.phase = "challenge";
        S.failInfo = null;
        setChallenge(m.challenge);
        paintGuidance();
        render();
        break;
      case "challenge_passed":
        S.completed = Math.max(S.completed, (m.index | 0) + 1);
        S.challenge = null;
        S.justPassed = true;
        paintGuidance();
        announce(STR.challenge_passed);
        flashPassed();
        render();
        break;
      case "attempt_failed":
        S.phase = "attempt_failed";
        S.failInfo = { attempt: m.attempt, attempts_left: m.attempts_left, reason: m.reason };
        S.challenge = null;
        render();
        announce(t("failed_title") + ". " + $("failed-reason").textContent + " " +
          $("failed-attempts").textContent, true);
        break;
      case "paused": onPaused(m.reason || "analysis_unavailable"); break;
      case "busy": onBusy(m.retry_in); break;
      case "resumed": onResumed(); break;
      case "result": onResult(m); break;
      case "replaced":
        endWith("replaced");
        render();
        break;
      case "error":
      case "pong":
      default:
        break;
    }
  }

  // A frame's answer carries the server's current phase and open challenge: follow them.
  function onFrameResult(m) {
    var changed = typeof m.phase === "string" && m.phase !== S.phase;
    if (changed) {
      S.phase = m.phase;
      if (m.phase !== "attempt_failed") S.failInfo = null;
    }
    if (m.phase === "challenge" && m.challenge) {
      var isNew = !S.challenge || S.challenge.index !== m.challenge.index;
      setChallenge(m.challenge);
      if (isNew) changed = true;
    } else if (S.challenge && typeof m.phase === "string") {
      S.challenge = null;
      changed = true;
    }
    onGuidance(m.guidance);
    if (changed) {
      paintGuidance();
      render();
    }
  }

  // Analysis or storage is briefly down: the server holds the open challenge's time (PROTOCOL.md).
  function onPaused(reason) {
    if (!S.paused) S.pausedLeft = S.challenge ? Math.max(0, S.deadline - now()) : null;
    S.paused = reason;
    announce(pausedText(), true);
    render();
  }

  function onResumed() {
    if (!S.paused) return;
    if (S.pausedLeft !== null) S.deadline = now() + S.pausedLeft;
    S.paused = null;
    S.pausedLeft = null;
    announce(t("resumed"));
    render();
  }

  function onState(m) {
    var prev = S.phase;
    S.phase = m.phase;
    S.lost = false;
    S.backoff = 0;
    if (typeof m.attempt === "number") S.attempt = m.attempt;
    if (typeof m.max_attempts === "number") S.maxAttempts = m.max_attempts;
    if (typeof m.total === "number") S.total = m.total;
    if (typeof m.completed === "number") S.completed = m.completed;
    if (m.phase === "challenge" && m.challenge) setChallenge(m.challenge);
    else S.challenge = null;
    if (!m.paused) {
      S.paused = null;
      S.pausedLeft = null;
    } else if (!S.paused) {
      S.paused = "analysis_unavailable";
      S.pausedLeft = S.challenge ? Math.max(0, S.deadline - now()) : null;
    }
    if (m.phase === "attempt_failed") {
      // Keep what `attempt_failed` said; a fresh page only has the state (PROTOCOL.md).
      if (!S.failInfo) S.failInfo = { attempts_left: m.attempts_left, reason: m.reason };
    } else {
      S.failInfo = null;
    }
    if (m.phase !== "challenge" && m.phase !== "between") S.justPassed = false;
    // Start is idempotent: after a reconnect the page simply says it again.
    if (m.phase === "ready" && S.started) wsSend({ type: "start" });
    if (prev !== m.phase && m.phase === "positioning" && S.started) announce(t("positioning_text"));
    paintGuidance();
    render();
  }

  function onResult(m) {
    S.terminal = "result";
    S.result = { outcome: m.outcome, redirect_url: m.redirect_url };
    S.challenge = null;
    releaseCamera();
    render();
    var pair = STR.result[m.outcome] || STR.result.done;
    announce(pair[0] + ". " + t("redirecting"), m.outcome !== "passed" && m.outcome !== "cancelled");
    var target = safeUrl(m.redirect_url);
    if (!target) return;
    var link = $("result-link");
    link.href = target;
    window.setTimeout(function () {
      dbg.redirectedTo = target;
      window.location.assign(target);
    }, RESULT_HOLD_MS);
    // Should the navigation be blocked, a plain link lets the user continue.
    window.setTimeout(function () { $("result-link-wrap").hidden = false; }, RESULT_HOLD_MS + 2500);
  }

  function safeUrl(u) {
    try {
      var url = new URL(u, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  var passTimer = 0;
  function flashPassed() {
    el.stage.classList.add("is-passed");
    window.clearTimeout(passTimer);
    passTimer = window.setTimeout(function () { el.stage.classList.remove("is-passed"); }, 900);
  }

  /* ---------- user actions ---------- */
  function onStart() {
    var btn = $("btn-start");
    if (btn.disabled) return;
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    openCamera().then(function (ok) {
      btn.disabled = false;
      btn.removeAttribute("aria-busy");
      if (ok) {
        S.started = true;
        if (S.phase !== null) wsSend({ type: "start" });
        if (!S.connected && !S.reconnectTimer && !S.ws) connect();
      }
      render();
    });
  }

  function onRetry() {
    var btn = $("btn-retry");
    if (btn.disabled) return;
    if (wsSend({ type: "retry" })) {
      // Re-enabled by the next render of the failed screen, or after a while if nothing came.
      btn.disabled = true;
      window.setTimeout(function () { btn.disabled = !S.connected; }, 3000);
    }
  }

  function onCameraRetry() {
    S.cameraError = null;
    S.started = false;
    render();
    onStart();
  }

  function onCancel() {
    if (!cfg.cancelUrl || S.cancelling) return;
    S.cancelling = true;
    var buttons = document.querySelectorAll('[data-action="cancel"]');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    var sent = wsSend({ type: "cancel" });
    // The server answers with `result` (cancelled) and the redirect. Without an answer, leave anyway.
    window.setTimeout(function () {
      if (S.terminal === "result") return;
      var target = safeUrl(cfg.cancelUrl);
      if (target) window.location.assign(target);
    }, sent ? CANCEL_FALLBACK_MS : 0);
  }

  function onUseHere() {
    S.terminal = null;
    S.started = false;
    S.backoff = 0;
    S.lost = true;
    connect();
    render();
  }

  /* ---------- boot ---------- */
  function boot() {
    applyStrings();
    $("btn-start").addEventListener("click", onStart);
    $("btn-retry").addEventListener("click", onRetry);
    $("btn-camera-retry").addEventListener("click", onCameraRetry);
    $("btn-reconnect").addEventListener("click", reconnectNow);
    $("btn-use-here").addEventListener("click", onUseHere);
    $("btn-reload").addEventListener("click", function () { window.location.reload(); });
    el.guidance.hidden = true;
    body.classList.remove("is-loading");
    render();
    connect();
    window.setInterval(frameTick, 40);
    window.addEventListener("pagehide", function () {
      releaseCamera();
      if (S.ws) { try { S.ws.close(1000); } catch (e) { /* ignore */ } }
    });
  }

  boot();
})();
