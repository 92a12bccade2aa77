// The page's strings (static/liveness/i18n.js): both languages complete, every code the
// server sends has a sentence.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { ICONS } from "../../static/liveness/icons.js";
import { STRINGS, translator } from "../../static/liveness/i18n.js";
import { GUIDANCE, OUTCOMES, PAUSE_REASONS } from "../../static/liveness/protocol.js";

function differences(a, b, path = "") {
  const out = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(k in a) || !(k in b)) out.push(path + k);
    else if (typeof a[k] !== typeof b[k]) out.push(path + k);
    else if (Array.isArray(a[k])) { if (a[k].length !== b[k].length) out.push(path + k); }
    else if (typeof a[k] === "object") out.push(...differences(a[k], b[k], path + k + "."));
  }
  return out;
}

describe("strings", () => {
  test("English and Indonesian have every string", () => {
    assert.deepEqual(differences(STRINGS.en, STRINGS.id), []);
  });

  for (const lang of ["en", "id"]) {
    test(`${lang}: every guidance code, pause reason, outcome and camera error has its text`, () => {
      const s = STRINGS[lang];
      for (const code of GUIDANCE) assert.ok(s.guidance[code], code);
      for (const reason of PAUSE_REASONS) assert.ok(s.paused[reason], reason);
      for (const outcome of [...OUTCOMES, "done"]) assert.equal(s.result[outcome].length, 2, outcome);
      for (const kind of ["blocked", "missing", "busy", "unsupported", "other"]) {
        assert.equal(s.camera_errors[kind].length, 2, kind);
      }
    });
  }
});

describe("translator", () => {
  const en = translator("en");
  const id = translator("id");

  test("plurals and placeholders", () => {
    assert.equal(en.t("seconds_left", { n: 1 }), "1 second left");
    assert.equal(en.t("seconds_left", { n: 4 }), "4 seconds left");
    assert.equal(en.t("step_of", { i: 1, n: 2 }), "Step 1 of 2");
    assert.equal(id.t("attempts_left", { n: 2 }), "Sisa 2 kesempatan lagi.");
    assert.equal(en.t("guidance.move_closer"), "Move a little closer");
    assert.equal(en.t("no.such.key"), "");
  });

  test("gestures, hands included, in both languages", () => {
    assert.equal(en.gestureText("HEAD_LEFT"), "Turn your head to your left");
    assert.equal(id.gestureText("HEAD_LEFT"), "Tolehkan kepala ke kiri Anda");
    assert.equal(en.gestureText("HAND_01100"), "Show your hand with index finger and middle finger raised");
    assert.equal(en.gestureText("HAND_11100"), "Show your hand with thumb, index finger and middle finger raised");
    assert.equal(en.gestureText("HAND_00000"), "Show your hand as a fist");
    assert.equal(en.gestureText("HAND_11111"), STRINGS.en.hand_open);
    assert.equal(en.gestureText("SOMETHING_NEW"), STRINGS.en.gesture_unknown);
  });

  const HANDS = ["HAND_00000", "HAND_01000", "HAND_01100", "HAND_01110", "HAND_01111",
    "HAND_10000", "HAND_11000", "HAND_11001", "HAND_11111"];

  test("each of GLAIR's nine hand shapes has its own sentence in both languages and its own icon", () => {
    for (const tr of [en, id]) {
      const texts = HANDS.map((code) => tr.gestureText(code));
      assert.equal(new Set(texts).size, 9);
      for (const text of texts) assert.notEqual(text, tr.str.gesture_unknown);
    }
    assert.equal(id.gestureText("HAND_11001"),
      "Tunjukkan tangan dengan ibu jari, jari telunjuk dan jari kelingking terangkat");
    const icons = HANDS.map((code) => ICONS.gesture(code));
    assert.equal(new Set(icons).size, 9);
    for (const icon of icons) assert.match(icon, /^<svg [^>]*aria-hidden="true"/);
  });

  test("hand icons are drawn as the mirrored preview shows a raised hand: thumb on the left", () => {
    // The user's right hand, palm to the camera, seen in the mirrored preview.
    assert.match(ICONS.gesture("HAND_10000"), /M17 45 9\.5 35/);
    assert.doesNotMatch(ICONS.gesture("HAND_00000"), /M17 45 9\.5 35/);
  });

  test("hand statuses say why an attempt failed, in both languages", () => {
    for (const tr of [en, id]) {
      assert.ok(tr.str.failed_reasons["hand not detected"]);
      assert.ok(tr.str.failed_reasons["too many hand detected"]);
    }
  });

  test("an unknown language falls back to English", () => {
    assert.equal(translator("fr").t("btn_start"), "Start");
  });
});
