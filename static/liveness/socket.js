/* The page's WebSocket: connect, reconnect with backoff, keep-alive ping, silence detection.
 *
 * It decides nothing about the run: it reports what happens (`onEvent` with the EVENT types
 * of reducer.js, and `message` for each server message) and does what main.js asks. */

import {
  PING_EVERY_MS, SILENCE_LIMIT_MS, backoffDelay, parseServerMessage, pingMessage
} from "./protocol.js";
import { EVENT } from "./reducer.js";

const OPEN = 1;

// `onEvent(event)` gets {type: EVENT.*} and {type: "message", message}; `onSent(message)`
// every non-frame message sent (debug hooks); `now()` is the page clock.
export function createSocket({ url, onEvent, onSent, now, WebSocketImpl, timers }) {
  const WS = WebSocketImpl || WebSocket;
  const clock = timers || window;
  let ws = null;
  let connected = false;
  let backoff = 0;
  let reconnectTimer = 0;
  let lastHeard = 0;

  function connect() {
    clock.clearTimeout(reconnectTimer);
    reconnectTimer = 0;
    let sock;
    try {
      sock = new WS(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    onEvent({ type: EVENT.CONNECTING });
    sock.onopen = function () {
      if (ws !== sock) return;
      connected = true;
      lastHeard = now();
      onEvent({ type: EVENT.OPENED });
    };
    sock.onmessage = function (ev) {
      if (ws !== sock) return;
      lastHeard = now();
      const msg = parseServerMessage(ev.data);
      if (msg) onEvent({ type: "message", message: msg });
    };
    sock.onclose = function (ev) {
      if (ws !== sock) return;
      ws = null;
      connected = false;
      onEvent({ type: EVENT.CLOSED, code: ev.code, reason: ev.reason });
    };
  }

  function scheduleReconnect() {
    const delay = backoffDelay(backoff);
    backoff++;
    clock.clearTimeout(reconnectTimer);
    reconnectTimer = clock.setTimeout(connect, delay);
    onEvent({ type: EVENT.RECONNECT_SCHEDULED, at: now() + delay });
  }

  function stopReconnect() {
    clock.clearTimeout(reconnectTimer);
    reconnectTimer = 0;
  }

  // The user did not want to wait: drop a socket still trying and open a new one.
  function reconnectNow() {
    if (ws) {
      try { ws.close(); } catch (e) { /* already closing */ }
      ws = null;
    }
    connect();
  }

  function send(msg) {
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(JSON.stringify(msg));
    } catch (e) {
      return false;
    }
    if (msg.type !== "frame" && onSent) onSent(msg);
    return true;
  }

  function close(code) {
    if (ws) { try { ws.close(code); } catch (e) { /* ignore */ } }
  }

  // Keep-alive; a connection silent for too long is half-open: close it and let onclose
  // reconnect.
  function keepAlive() {
    if (!connected) return;
    if (now() - lastHeard > SILENCE_LIMIT_MS && ws) {
      try { ws.close(); } catch (e) { /* ignore */ }
      return;
    }
    send(pingMessage());
  }
  clock.setInterval(keepAlive, PING_EVERY_MS);

  return {
    connect: connect,
    scheduleReconnect: scheduleReconnect,
    stopReconnect: stopReconnect,
    reconnectNow: reconnectNow,
    resetBackoff: function () { backoff = 0; },
    send: send,
    close: close,
    keepAlive: keepAlive
  };
}
