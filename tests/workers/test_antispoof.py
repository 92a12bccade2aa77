"""The MiniFASNet pair on real live faces, printed photos and screen replays."""

from __future__ import annotations

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from workers import antispoof
from workers.analysis import analyze_rgb


def live_of(rgb):
    obs = analyze_rgb(rgb, passive=True)
    assert obs.faces >= 1
    return obs.live


def gif_frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            return frames
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def test_the_models_ship_with_the_product_and_their_licence():
    assert antispoof.missing_models() == []
    assert (antispoof.MODEL_DIR / "LICENSE").read_text().startswith(" " * 30)


def test_the_prelu_rewrite_computes_what_the_original_graph_computes():
    tensor = np.random.default_rng(3).uniform(0, 255, (1, 3, 80, 80)).astype(np.float32)
    for path in antispoof.model_paths():
        original = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        rewritten = ort.InferenceSession(
            antispoof.without_prelu(path.read_bytes()), providers=["CPUExecutionProvider"]
        )
        want = original.run(None, {"input": tensor})[0]
        got = rewritten.run(None, {"input": tensor})[0]
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_a_live_face_scores_live(photo):
    assert live_of(photo("spoof/silent_face/image_T1.jpg")) > 0.9


@pytest.mark.parametrize(
    "sample",
    [
        "spoof/silent_face/image_F1.jpg",  # printed photo
        "spoof/silent_face/image_F2.jpg",  # phone-screen replay
        "spoof/lp_s11_handheld_printed_photo.jpg",
        "spoof/hyperfas/fake_screen.png",  # portrait on a tablet
    ],
)
def test_prints_and_screens_score_as_spoofs(photo, sample):
    assert live_of(photo(sample)) < 0.3


def test_a_phone_recording_tells_the_live_face_from_its_replay_and_print(shared_data):
    frames = gif_frames(shared_data / "spoof" / "silent_face" / "demo.gif")
    scores = {i: analyze_rgb(f, passive=True).live for i, f in enumerate(frames)}
    live = [s for i, s in scores.items() if i <= 30 and s is not None]
    replay = [s for i, s in scores.items() if 39 <= i <= 55 and s is not None]
    printed = [s for i, s in scores.items() if 63 <= i <= 87 and s is not None]
    assert len(live) > 20 and len(replay) > 10 and len(printed) > 10
    assert np.median(live) > 0.9
    assert np.median(replay) < 0.2
    assert np.median(printed) < 0.2


def test_the_crop_stays_inside_the_frame_and_is_the_models_size():
    image = np.zeros((120, 200, 3), np.uint8)
    for box in [(0, 0, 50, 60), (180, 100, 20, 20), (-5, -5, 300, 300), (90, 50, 1, 1)]:
        assert antispoof.face_crop(image, box, 4.0).shape == (80, 80, 3)


def test_no_face_means_no_score():
    obs = analyze_rgb(np.full((240, 320, 3), 128, np.uint8), passive=True)
    assert obs.faces == 0 and obs.live is None


def test_the_system_check_fails_loudly_without_the_models(monkeypatch, tmp_path):
    from sessions.checks import check_antispoof_models

    assert check_antispoof_models() == []
    monkeypatch.setattr(antispoof, "MODEL_DIR", tmp_path)
    errors = check_antispoof_models()
    assert [e.id for e in errors] == ["liveness.E030", "liveness.E030"]
    assert str(tmp_path) in errors[0].msg
