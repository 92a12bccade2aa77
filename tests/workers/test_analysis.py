"""The real MediaPipe model on the shared photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from workers.analysis import analyze_image, analyze_rgb
from workers.decode import Limits


def test_a_frontal_photo_gives_one_frontal_face(shared_data):
    data = (shared_data / "images/3ddfa_v2/JianzhuGuo.jpg").read_bytes()
    obs = analyze_image(data, Limits())
    assert obs.faces == 1 and obs.has_face
    assert abs(obs.yaw) < 15 and abs(obs.pitch) < 20
    assert 0.15 < obs.eye_right < 0.6 and 0.15 < obs.eye_left < 0.6
    assert obs.quality is not None and 0 < obs.quality.face_size < 1
    assert 0 < obs.quality.brightness < 255 and obs.quality.sharpness > 0


def test_a_group_photo_counts_several_faces(photo):
    assert analyze_rgb(photo("images/face_recognition/two_people.jpg")).faces >= 2


def test_an_empty_frame_has_no_face():
    blank = np.full((360, 480, 3), 90, np.uint8)
    obs = analyze_rgb(blank)
    assert obs.faces == 0 and not obs.has_face


def test_a_wide_open_mouth_reads_open(photo):
    # driving_d19 shows the mouth wide open; d8 a closed mouth.
    assert analyze_rgb(photo("images/liveportrait/driving_d19.jpg")).mouth > 0.3
    assert analyze_rgb(photo("images/liveportrait/driving_d8.jpg")).mouth < 0.15


def test_yaw_sign_follows_the_subjects_own_left(photo):
    # Mirroring the image turns a face to its own left into one turned to its own right.
    rgb = photo("images/3ddfa_v2/JianzhuGuo.jpg")
    straight = analyze_rgb(rgb).yaw
    assert abs(analyze_rgb(cv2.flip(rgb, 1)).yaw + straight) < 3


def test_threads_analysing_at_once_agree_with_one_thread(shared_data):
    from concurrent.futures import ThreadPoolExecutor

    names = ["images/3ddfa_v2/JianzhuGuo.jpg", "images/liveportrait/driving_d8.jpg"] * 3
    frames = [(shared_data / name).read_bytes() for name in names]
    alone = [analyze_image(data, Limits()).yaw for data in frames]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda data: analyze_image(data, Limits()).yaw, frames))
    assert together == pytest.approx(alone, abs=1e-6)


def test_the_same_face_found_twice_counts_once_a_second_person_does_not(photo):
    from workers.analysis import observe
    from workers.mesh import run_face_mesh

    rgb = photo("spoof/silent_face/image_T1.jpg")
    (face,) = run_face_mesh(rgb).faces
    echo = [[x + 0.01, y + 0.005, z] for x, y, z in face]  # the detector's double
    beside = [[x + 0.45, y, z] for x, y, z in face]  # someone next to the user
    assert observe(rgb, [face, echo]).faces == 1
    assert observe(rgb, [face, beside]).faces == 2


def test_a_small_face_far_behind_is_background_not_a_second_person(photo):
    from workers.analysis import observe
    from workers.mesh import run_face_mesh

    rgb = photo("spoof/silent_face/image_T1.jpg")
    (face,) = run_face_mesh(rgb).faces
    poster = [[0.05 + (x - 0.5) * 0.25, 0.1 + (y - 0.5) * 0.25, z] for x, y, z in face]
    behind = [[0.1 + (x - 0.5) * 0.6, 0.2 + (y - 0.5) * 0.6, z] for x, y, z in face]
    assert observe(rgb, [face, poster]).faces == 1
    assert observe(rgb, [face, behind]).faces == 2
