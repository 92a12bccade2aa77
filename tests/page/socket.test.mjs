// The page's socket (static/liveness/socket.js) against a fake WebSocket and fake timers:
// what it reports, reconnect backoff, keep-alive and silence.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";

import { EVENT } from "../../static/liveness/reducer.js";
import { createSocket } from "../../static/liveness/socket.js";

class FakeWebSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeWebSocket.made.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code) { this.closedWith = code === undefined ? "none" : code; this.readyState = 3; }
  // What the browser does:
  open() { this.readyState = 1; this.onopen(); }
  receive(text) { this.onmessage({ data: text }); }
  drop(code) { this.readyState = 3; this.onclose({ code, reason: "" }); }
}

function fakeTimers() {
  const timers = {
    now: 0, next: 1, pending: new Map(), intervals: [],
    setTimeout(fn, ms) { const id = timers.next++; timers.pending.set(id, { fn, at: timers.now + ms }); return id; },
    clearTimeout(id) { timers.pending.delete(id); },
    setInterval(fn, ms) { timers.intervals.push({ fn, ms }); return timers.next++; },
    // Moves the clock on, running the timeouts that fall due.
    advance(ms) {
      timers.now += ms;
      for (const [id, t] of [...timers.pending]) {
        if (t.at <= timers.now) { timers.pending.delete(id); t.fn(); }
      }
    }
  };
  return timers;
}

let timers, events, sent, socket;

function last() { return FakeWebSocket.made[FakeWebSocket.made.length - 1]; }

beforeEach(() => {
  FakeWebSocket.made = [];
  timers = fakeTimers();
  events = [];
  sent = [];
  socket = createSocket({
    url: "ws://localhost/ws/active-liveness/tok",
    onEvent: (e) => events.push(e),
    onSent: (m) => sent.push(m.type),
    now: () => timers.now,
    WebSocketImpl: FakeWebSocket,
    timers
  });
});

describe("connecting", () => {
  test("it reports connecting, open, each server message and the close", () => {
    socket.connect();
    last().open();
    last().receive('{"type":"state","phase":"ready"}');
    last().receive("not json");
    last().drop(1006);
    assert.deepEqual(events.map((e) => e.type),
      [EVENT.CONNECTING, EVENT.OPENED, "message", EVENT.CLOSED]);
    assert.deepEqual(events[2].message, { type: "state", phase: "ready" });
    assert.equal(events[3].code, 1006);
  });

  test("a socket it gave up on is not heard any more", () => {
    socket.connect();
    const old = last();
    socket.reconnectNow();
    assert.equal(old.closedWith, "none");
    old.drop(1006);
    old.receive('{"type":"pong"}');
    assert.deepEqual(events.map((e) => e.type), [EVENT.CONNECTING, EVENT.CONNECTING]);
    assert.equal(FakeWebSocket.made.length, 2);
  });

  test("send works only on an open socket and reports what is not a frame", () => {
    socket.connect();
    assert.equal(socket.send({ type: "start" }), false);
    last().open();
    assert.equal(socket.send({ type: "start" }), true);
    assert.equal(socket.send({ type: "frame", seq: 1, image: "AA" }), true);
    assert.deepEqual(last().sent.map((m) => m.type), ["start", "frame"]);
    assert.deepEqual(sent, ["start"]);
  });
});

describe("reconnecting", () => {
  test("reconnects back off 0.5, 1, 2, 4, 5, 5 s and say when", () => {
    const delays = [];
    socket.connect();
    for (let i = 0; i < 6; i++) {
      last().drop(1006);
      socket.scheduleReconnect();
      const at = events.filter((e) => e.type === EVENT.RECONNECT_SCHEDULED).pop().at;
      delays.push(at - timers.now);
      const made = FakeWebSocket.made.length;
      timers.advance(delays[i] - 1);
      assert.equal(FakeWebSocket.made.length, made, "not before its time");
      timers.advance(1);
      assert.equal(FakeWebSocket.made.length, made + 1);
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 5000, 5000]);
  });

  test("the backoff starts again once the server answers (reset_backoff)", () => {
    socket.scheduleReconnect();
    socket.scheduleReconnect();
    socket.resetBackoff();
    socket.scheduleReconnect();
    assert.equal(events.pop().at, 500);
  });

  test("a stopped reconnect never fires", () => {
    socket.scheduleReconnect();
    socket.stopReconnect();
    timers.advance(10000);
    assert.equal(FakeWebSocket.made.length, 0);
  });

  test("a socket that cannot even be made is retried later", () => {
    const failing = createSocket({
      url: "bad", onEvent: (e) => events.push(e), now: () => timers.now, timers,
      WebSocketImpl: function () { throw new Error("SyntaxError"); }
    });
    failing.connect();
    assert.deepEqual(events.map((e) => e.type), [EVENT.RECONNECT_SCHEDULED]);
  });
});

describe("keep-alive", () => {
  test("a ping every 15 s while connected", () => {
    assert.equal(timers.intervals[0].ms, 15000);
    socket.keepAlive();  // not connected: nothing
    socket.connect();
    last().open();
    timers.now = 15000;
    last().receive('{"type":"pong"}');
    socket.keepAlive();
    assert.deepEqual(last().sent, [{ type: "ping" }]);
  });

  test("45 s without a word: the socket is closed, so that it reconnects", () => {
    socket.connect();
    last().open();
    timers.now = 45001;
    socket.keepAlive();
    assert.equal(last().closedWith, "none");
    assert.deepEqual(last().sent, []);
  });
});
