/* The view: draws the screen for a state (reducer.js) and speaks to screen readers.
 *
 * `render(state)` may run any number of times for the same state; everything it draws
 * follows from the state, the camera preview's readiness and the page clock. The timers here
 * only redraw (countdowns, the "passed" flash). */

import { ICONS } from "./icons.js";
import {
  attemptsLeft, guidanceToShow, holdProgress, inChallenge, panelMessage, screenOf, timeLeft
} from "./reducer.js";

const ANNOUNCE_DELAY_MS = 60;
const TICK_MS = 250;
const URGENT_MS = 3000;
const FLASH_MS = 900;
const RETRY_HOLD_MS = 3000;
const RESULT_ICONS = { passed: "check", done: "clock", cancelled: "cross", expired: "clock" };
const RESULT_KINDS = { passed: "success", done: "muted", cancelled: "muted" };

export function createView({ doc, win, tr, now, video }) {
  const body = doc.body;
  const $ = function (id) { return doc.getElementById(id); };
  const t = tr.t, str = tr.str;
  const el = {
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
    hold: $("hold"),
    holdBar: $("hold-bar"),
    holdTitle: $("hold-title"),
    holdText: $("hold-text"),
    livePolite: $("live-polite"),
    liveAssertive: $("live-assertive")
  };
  const reducedMotion = win.matchMedia && win.matchMedia("(prefers-reduced-motion: reduce)");
  let current = null;      // the state last drawn
  let screen = null;
  let countdownRaf = 0, lastSecond = -1, challengeSerial = 0;
  let busyTicker = 0, lostTicker = 0, passTimer = 0;

  /* ---------- static text and icons ---------- */
  function applyStrings(total, hasCancel, passive) {
    doc.querySelectorAll("[data-i18n]").forEach(function (n) {
      const vars = n.getAttribute("data-i18n-n") === "total" ? { n: total } : null;
      const key = (passive && n.getAttribute("data-i18n-passive")) || n.getAttribute("data-i18n");
      n.textContent = t(key, vars);
    });
    doc.querySelectorAll("[data-icon]").forEach(function (n) {
      n.innerHTML = ICONS.ui(n.getAttribute("data-icon"));
    });
    doc.title = t("camera_title");
    doc.querySelectorAll('[data-action="cancel"]').forEach(function (n) { n.hidden = !hasCancel; });
    el.guidance.hidden = true;
    body.classList.remove("is-loading");
  }

  /* ---------- screens ---------- */
  function render(s) {
    current = s;
    const name = screenOf(s);
    paintGuidance(s);
    doc.querySelectorAll('[data-action="cancel"]').forEach(function (n) {
      if (s.cancelling) n.disabled = true;
    });
    if (name === "camera") renderCamera(s);
    else if (name === "failed") renderFailed(s);
    else if (name === "result") renderResult(s);
    else if (name === "camera-error") renderCameraError(s);
    else if (name === "lost") renderLost();
    else if (name === "busy") renderBusy();
    show(name);
  }

  function show(name) {
    if (screen === name) return;
    doc.querySelectorAll("[data-screen]").forEach(function (n) {
      n.hidden = n.getAttribute("data-screen") !== name;
    });
    const first = screen === null;
    screen = name;
    body.setAttribute("data-current-screen", name);
    // Move focus to the new screen's heading so keyboard and screen-reader users land on it.
    if (!first) {
      const heading = doc.querySelector('[data-screen="' + name + '"] [tabindex="-1"]');
      if (heading) heading.focus({ preventScroll: false });
    }
    if (name === "camera" && video.srcObject && video.paused) video.play().catch(function () {});
    if (name === "busy" || name === "lost") startTicker(name);
  }

  function renderSteps(s) {
    const total = s.total || 1;
    const open = s.challenge ? s.challenge.index : -1;
    let html = "";
    for (let i = 0; i < total; i++) {
      const cls = i < s.completed ? "is-done" : i === open ? "is-current" : "";
      html += '<span class="step ' + cls + '"></span>';
    }
    if (el.steps.getAttribute("data-html") !== html) {
      el.steps.innerHTML = html;
      el.steps.setAttribute("data-html", html);
    }
  }

  // A passive session: no steps and no challenge, the hold's ring and its sentence.
  function renderHold(s) {
    el.steps.hidden = true;
    el.challenge.hidden = true;
    el.panelPositioning.hidden = true;
    el.hold.hidden = false;
    const which = panelMessage(s);
    el.holdTitle.textContent = t(which + "_title");
    el.holdText.textContent = t(which + "_text");
    const progress = s.phase === "done" ? 1 : holdProgress(s);
    el.hold.setAttribute("data-progress", String(Math.round(progress * 100)));
    el.holdBar.style.strokeDashoffset = String(100 - progress * 100);
  }

  function renderCamera(s) {
    const noPicture = !video.srcObject || video.readyState < 2;
    const waiting = !s.connected || s.phase === null || s.phase === "ready" || noPicture;
    el.stageStatus.hidden = !waiting && !s.paused;
    el.stageStatus.lastElementChild.textContent = noPicture
      ? t("camera_starting") : waiting ? t("connecting") : pausedText(s);
    body.setAttribute("data-paused", s.paused ? "true" : "false");
    if (s.mode === "passive") {
      renderHold(s);
      return;
    }
    renderSteps(s);
    const c = s.phase === "challenge" ? s.challenge : null;
    el.challenge.hidden = !c;
    el.panelPositioning.hidden = !!c;
    if (c) {
      const key = c.gesture + ":" + c.index;
      if (el.challengeText.getAttribute("data-gesture") !== key) {
        el.challengeText.setAttribute("data-gesture", key);
        el.challengeIcon.innerHTML = ICONS.gesture(c.gesture);
        el.challengeText.textContent = tr.gestureText(c.gesture);
        el.challengeStep.textContent = t("step_of", { i: c.index + 1, n: c.total || s.total });
      }
      startCountdown();
    } else {
      const which = panelMessage(s);
      el.panelPositioning.querySelector(".panel-title").textContent = t(which + "_title");
      el.panelPositioning.querySelector(".panel-text").textContent = t(which + "_text");
    }
  }

  function pausedText(s) {
    return str.paused[s.paused] || str.paused.analysis_unavailable;
  }

  function failedReasonText(s) {
    const f = s.failInfo || {};
    return (f.reason && str.failed_reasons[f.reason]) || str.failed_reason_other;
  }

  function renderFailed(s) {
    $("failed-reason").textContent = failedReasonText(s);
    $("failed-attempts").textContent = t("attempts_left", { n: attemptsLeft(s) });
    $("btn-retry").disabled = !s.connected;
  }

  function renderResult(s) {
    const outcome = s.result ? s.result.outcome : "done";
    const pair = str.result[outcome] || str.result.done;
    const iconEl = $("result-icon");
    iconEl.className = "hero-icon hero-" + (RESULT_KINDS[outcome] || "error");
    iconEl.innerHTML = ICONS.ui(RESULT_ICONS[outcome] || "cross");
    $("result-title").textContent = pair[0];
    $("result-text").textContent = pair[1];
    body.setAttribute("data-outcome", outcome);
  }

  function renderCameraError(s) {
    const pair = str.camera_errors[s.cameraError] || str.camera_errors.other;
    $("camera-error-title").textContent = pair[0];
    $("camera-error-text").textContent = pair[1];
    $("btn-camera-retry").hidden = s.cameraError === "unsupported";
  }

  // The server is at capacity (PROTOCOL.md, `busy`): count down to the next Start.
  function renderBusy() {
    const ms = current.busyUntil - now();
    $("busy-countdown").textContent = ms > 900
      ? t("busy_retry_in", { n: Math.ceil(ms / 1000) })
      : t("busy_retry_now");
  }

  function renderLost() {
    const ms = current.reconnectAt - now();
    $("lost-countdown").textContent = current.reconnectAt && ms > 900
      ? t("reconnecting_in", { n: Math.ceil(ms / 1000) })
      : t("reconnecting_now");
  }

  function startTicker(name) {
    const draw = name === "busy" ? renderBusy : renderLost;
    if (name === "busy" ? busyTicker : lostTicker) return;
    const id = win.setInterval(function () {
      if (screen !== name) {
        win.clearInterval(id);
        if (name === "busy") busyTicker = 0; else lostTicker = 0;
        return;
      }
      draw();
    }, TICK_MS);
    if (name === "busy") busyTicker = id; else lostTicker = id;
  }

  /* ---------- countdown ring ---------- */
  function startCountdown() {
    if (countdownRaf) return;
    const step = function () {
      countdownRaf = 0;
      const s = current;
      const c = s.challenge;
      if (!c || s.phase !== "challenge" || screen !== "camera") return;
      if (s.challengeSerial !== challengeSerial) {
        challengeSerial = s.challengeSerial;
        lastSecond = -1;
      }
      const limit = c.time_limit_ms || 1;
      const left = timeLeft(s, now());
      const secs = Math.ceil(left / 1000);
      // Reduced motion: the ring moves once per second instead of continuously.
      const frac = reducedMotion && reducedMotion.matches ? Math.min(1, secs * 1000 / limit) : left / limit;
      el.ringBar.style.strokeDashoffset = String(100 - Math.max(0, Math.min(1, frac)) * 100);
      el.challenge.classList.toggle("is-urgent", left <= URGENT_MS);
      if (secs !== lastSecond) {
        lastSecond = secs;
        el.challengeTime.textContent = t("seconds_left", { n: secs });
      }
      countdownRaf = win.requestAnimationFrame(step);
    };
    countdownRaf = win.requestAnimationFrame(step);
  }

  /* ---------- guidance ---------- */
  function paintGuidance(s) {
    const code = guidanceToShow(s);
    const text = code ? str.guidance[code] : "";
    el.guidance.textContent = text;
    el.guidance.hidden = !text;
    const shown = s.guidanceShown;
    el.stage.setAttribute("data-guidance", !shown ? "none" : shown === "ok" ? "ok" : "warn");
  }

  /* ---------- screen readers ---------- */
  function announce(text, assertive) {
    const region = assertive ? el.liveAssertive : el.livePolite;
    // Clearing first makes a repeated sentence be announced again.
    region.textContent = "";
    win.setTimeout(function () { region.textContent = text; }, ANNOUNCE_DELAY_MS);
  }

  // The sentence for an `announce` effect of reducer.js, said for state `s`.
  function sentence(e, s) {
    switch (e.say) {
      case "challenge":
        return tr.fill(str.challenge_announce, {
          i: e.challenge.index + 1, n: e.total, text: tr.gestureText(e.challenge.gesture)
        });
      case "passed": return str.challenge_passed;
      case "positioning": return t("positioning_text");
      case "hold": return t("hold_title");
      case "guidance": return str.guidance[e.code];
      case "failed":
        return t("failed_title") + ". " + failedReasonText(s) + " " +
          t("attempts_left", { n: attemptsLeft(s) });
      case "paused": return pausedText(s);
      case "resumed": return t("resumed");
      case "busy": return t("busy_title");
      case "lost": return t("lost_title");
      case "ended": return t("ended_title");
      case "replaced": return t("replaced_title");
      case "error": return t("error_title");
      case "camera_error": return str.camera_errors[e.kind][0];
      case "result": {
        const pair = str.result[s.result.outcome] || str.result.done;
        return pair[0] + ". " + t("redirecting");
      }
      default: return "";
    }
  }

  function say(e, s) {
    announce(sentence(e, s), !!e.assertive);
  }

  /* ---------- small things ---------- */
  function flashPassed() {
    el.stage.classList.add("is-passed");
    win.clearTimeout(passTimer);
    passTimer = win.setTimeout(function () { el.stage.classList.remove("is-passed"); }, FLASH_MS);
  }

  // "Try again" sent: the button waits for the server's answer, or a while if none comes.
  function holdRetry() {
    const btn = $("btn-retry");
    btn.disabled = true;
    win.setTimeout(function () { btn.disabled = !current.connected; }, RETRY_HOLD_MS);
  }

  function startPending(on) {
    const btn = $("btn-start");
    btn.disabled = on;
    if (on) btn.setAttribute("aria-busy", "true"); else btn.removeAttribute("aria-busy");
  }

  function resultLink(url) {
    $("result-link").href = url;
  }

  function showResultLink() {
    $("result-link-wrap").hidden = false;
  }

  return {
    applyStrings: applyStrings,
    render: render,
    say: say,
    flashPassed: flashPassed,
    holdRetry: holdRetry,
    startPending: startPending,
    resultLink: resultLink,
    showResultLink: showResultLink,
    isDisabled: function (id) { return $(id).disabled; },
    get screen() { return screen; }
  };
}
