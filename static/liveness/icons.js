/* Inline SVG icons of the liveness page: no external assets. Every icon is decorative
 * (aria-hidden on its container); the text next to it carries the meaning. */

function ui(paths) {
  return '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" ' +
    'stroke-linecap="round" stroke-linejoin="round" focusable="false" aria-hidden="true">' +
    paths + "</svg>";
}

const UI = {
  "face-scan": ui('<path d="M4 8V6a2 2 0 0 1 2-2h2M16 4h2a2 2 0 0 1 2 2v2M20 16v2a2 2 0 0 1-2 2h-2M8 20H6a2 2 0 0 1-2-2v-2"/>' +
    '<circle cx="9.5" cy="10.5" r=".6" fill="currentColor"/><circle cx="14.5" cy="10.5" r=".6" fill="currentColor"/>' +
    '<path d="M12 10.5v3h-1M9.5 16c1.4 1 3.6 1 5 0"/>'),
  camera: ui('<path d="M4 8.5A1.5 1.5 0 0 1 5.5 7h1.8l1.4-2h6.6l1.4 2h1.8A1.5 1.5 0 0 1 20 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 4 17.5z"/><circle cx="12" cy="12.8" r="3.3"/>'),
  light: ui('<circle cx="12" cy="12" r="3.8"/><path d="M12 3v1.8M12 19.2V21M3 12h1.8M19.2 12H21M5.6 5.6l1.3 1.3M17.1 17.1l1.3 1.3M5.6 18.4l1.3-1.3M17.1 6.9l1.3-1.3"/>'),
  person: ui('<circle cx="12" cy="8" r="3.6"/><path d="M5 20c.8-3.6 3.6-5.6 7-5.6s6.2 2 7 5.6"/>'),
  uncovered: ui('<path d="M12 3.5c-3.9 0-6.5 3-6.5 7.3 0 4.6 3 8.7 6.5 8.7s6.5-4.1 6.5-8.7c0-4.3-2.6-7.3-6.5-7.3Z"/>' +
    '<circle cx="9.6" cy="10.5" r=".6" fill="currentColor"/><circle cx="14.4" cy="10.5" r=".6" fill="currentColor"/><path d="M9.8 15c1.3.9 3.1.9 4.4 0"/>'),
  retry: ui('<path d="M4.5 12a7.5 7.5 0 1 0 2.2-5.3"/><path d="M4.5 4.5v3.8h3.8"/>'),
  "camera-off": ui('<path d="M3 3l18 18"/><path d="M9 5h5.7l1.4 2h1.9A1.5 1.5 0 0 1 19.5 8.5v8.3M17 19H5.5A1.5 1.5 0 0 1 4 17.5v-9A1.5 1.5 0 0 1 5.5 7h1"/><path d="M10 10.3a3.3 3.3 0 0 0 4.5 4.6"/>'),
  offline: ui('<path d="M3 3l18 18"/><path d="M8.6 8.7A11 11 0 0 0 3.5 11.3M20.5 11.3a11 11 0 0 0-7.7-3M6.6 14.6a7 7 0 0 1 4.2-2M17.4 14.6a7 7 0 0 0-1.8-1.2"/><circle cx="12" cy="18.5" r=".9" fill="currentColor"/>'),
  clock: ui('<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>'),
  tabs: ui('<rect x="3.5" y="6.5" width="13" height="12" rx="2"/><path d="M7.5 6.5V5.5a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2"/>'),
  alert: ui('<path d="M12 4 2.8 19.5h18.4Z"/><path d="M12 10v4.2"/><circle cx="12" cy="17" r=".6" fill="currentColor"/>'),
  check: ui('<path d="m5 12.5 4.5 4.5L19 7.5"/>'),
  cross: ui('<path d="M6.5 6.5l11 11M17.5 6.5l-11 11"/>')
};

/* Gesture pictograms, 64x64. The preview is mirrored, so "your left" is drawn on the left
 * and "your right eye" on the right: the icon matches what the user sees of themselves. */
function g(inner) {
  return '<svg viewBox="0 0 64 64" fill="none" stroke="currentColor" stroke-width="2.6" ' +
    'stroke-linecap="round" stroke-linejoin="round" focusable="false" aria-hidden="true">' +
    inner + "</svg>";
}

// An arrow along a quadratic curve from (x1,y1) via (cx,cy) to (x2,y2), head at the end.
function arrow(x1, y1, cx, cy, x2, y2) {
  const dx = x2 - cx, dy = y2 - cy, len = Math.sqrt(dx * dx + dy * dy) || 1;
  const bx = -dx / len * 6, by = -dy / len * 6, a = 0.6, c = Math.cos(a), s = Math.sin(a);
  const p1 = [x2 + bx * c - by * s, y2 + bx * s + by * c];
  const p2 = [x2 + bx * c + by * s, y2 - bx * s + by * c];
  function f(n) { return n.toFixed(1); }
  return '<g class="gi-arrow"><path d="M' + x1 + " " + y1 + " Q" + cx + " " + cy + " " + x2 + " " + y2 + '"/>' +
    '<path d="M' + f(p1[0]) + " " + f(p1[1]) + " L" + x2 + " " + y2 + " L" + f(p2[0]) + " " + f(p2[1]) + '"/></g>';
}

const HEAD = '<ellipse cx="32" cy="35" rx="16.5" ry="20.5"/>';
function eye(x, y, closed) {
  return closed
    ? '<path d="M' + (x - 3.6) + " " + y + " q3.6 3 7.2 0" + '"/>'
    : '<circle cx="' + x + '" cy="' + y + '" r="2.2" fill="currentColor" stroke="none"/>';
}
function face(opts) {
  const dx = opts.dx || 0, dy = opts.dy || 0;
  const ex = 25.5 + dx, ey = 32 + dy;
  const mouth = opts.mouth === "open"
    ? '<ellipse cx="' + (32 + dx) + '" cy="' + (45 + dy) + '" rx="4.2" ry="5"/>'
    : opts.mouth === "closed"
      ? '<path d="M' + (26.5 + dx) + " " + (45 + dy) + " h11" + '"/>'
      : '<path d="M' + (26.5 + dx) + " " + (44 + dy) + " q5.5 3.6 11 0" + '"/>';
  return HEAD + eye(ex, ey, opts.left) + eye(ex + 13, ey, opts.right) + mouth;
}

function hand(bits) {
  // bits: thumb..little, "1" raised. A right hand seen palm-first (thumb on the left).
  let out = '<path d="M17 36v8.5C17 52 23 58 31.5 58S47 52 47 44.5V36"/>';
  const xs = [21, 28, 35, 42], tops = [14, 9, 13, 19], w = 6;
  for (let i = 0; i < 4; i++) {
    const up = bits.charAt(i + 1) === "1";
    const top = up ? tops[i] : 31;
    out += '<path d="M' + (xs[i] - w / 2) + " 38V" + (top + w / 2) + "a" + w / 2 + " " + w / 2 +
      " 0 0 1 " + w + ' 0V38"/>';
  }
  out += bits.charAt(0) === "1"
    ? '<path d="M17 45 9.5 35a3 3 0 0 1 4.8-3.6L19 38"/>'
    : '<path d="M17 42c3.5-2 8-2.2 12-.6"/>';
  return g(out);
}

const GESTURES = {
  HEAD_LEFT: g(face({ dx: -5 }) + arrow(45, 8, 32, 1, 18, 8)),
  HEAD_RIGHT: g(face({ dx: 5 }) + arrow(19, 8, 32, 1, 46, 8)),
  HEAD_UP: g(face({ dy: -4.5 }) + arrow(58, 42, 59.5, 26, 57, 11)),
  HEAD_DOWN: g(face({ dy: 4.5 }) + arrow(57, 14, 59.5, 30, 58, 47)),
  HEAD_OPEN_MOUTH: g(face({ mouth: "open" })),
  HEAD_CLOSE_MOUTH: g(face({ mouth: "closed" })),
  HEAD_00: g(face({ left: true, right: true, mouth: "closed" })),
  HEAD_01: g(face({ right: true, mouth: "closed" })),
  HEAD_10: g(face({ left: true, mouth: "closed" })),
  HEAD_11: g(HEAD + '<circle cx="25.5" cy="32" r="3.6"/><circle cx="38.5" cy="32" r="3.6"/>' +
    '<circle cx="25.5" cy="32" r="1.2" fill="currentColor"/><circle cx="38.5" cy="32" r="1.2" fill="currentColor"/>' +
    '<path d="M26.5 45 h11"/>')
};

export const ICONS = {
  ui: function (name) { return UI[name] || ""; },
  gesture: function (code) {
    if (GESTURES[code]) return GESTURES[code];
    const m = /^HAND_([01]{5})$/.exec(code || "");
    if (m) return hand(m[1]);
    return g(face({}));
  }
};
