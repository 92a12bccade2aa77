"""Head pose and openness on synthetic landmarks whose angles and gaps are known exactly."""

from __future__ import annotations

import math

import pytest

from gestures import landmarks as lm
from gestures.geometry import eye_openness, head_pose, mouth_openness
from tests.support import faces


def blank() -> list[list[float]]:
    return [[0.0, 0.0, 0.0] for _ in lm.NAMES]


def put(frame: list[list[float]], **points: tuple[float, float]) -> list[list[float]]:
    for name, (x, y) in points.items():
        frame[lm.ROW[name]] = [x, y, 0.0]
    return frame


def test_a_frontal_face_has_no_angles():
    pose = head_pose(faces.rows(faces.face()))
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((0, 0, 0), abs=1e-9)


@pytest.mark.parametrize("yaw", [-35.0, -12.0, 8.0, 30.0])
def test_a_turn_reads_as_its_yaw_alone(yaw):
    frame = faces.rows(faces.posed(faces.face(), yaw=yaw))
    pose = head_pose(frame)
    assert pose.yaw == pytest.approx(yaw, abs=1e-6)
    assert pose.pitch == pytest.approx(0, abs=1e-6) and pose.roll == pytest.approx(0, abs=1e-6)


def test_yaw_below_zero_is_the_nose_toward_the_images_right():
    # The subject turning to their own left: in an unmirrored frame the nose goes right.
    frame = faces.rows(faces.posed(faces.face(), yaw=-20))
    assert faces.point(frame, "nose_tip")[0] > faces.CENTRE[0] + 10
    assert head_pose(frame).yaw < 0


@pytest.mark.parametrize("pitch", [-25.0, -8.0, 10.0, 20.0])
def test_a_nod_reads_as_its_pitch_alone(pitch):
    frame = faces.rows(faces.posed(faces.face(), pitch=pitch))
    pose = head_pose(frame)
    assert pose.pitch == pytest.approx(pitch, abs=1e-6)
    assert pose.yaw == pytest.approx(0, abs=1e-6) and pose.roll == pytest.approx(0, abs=1e-6)


def test_looking_up_is_positive_pitch_and_moves_the_nose_up():
    frame = faces.rows(faces.posed(faces.face(), pitch=15))
    nose_y = faces.point(frame, "nose_tip")[1]
    assert nose_y < faces.CENTRE[1] + 0.5 * faces.IOD_PX  # it sat 0.5 IOD below the eyes
    assert head_pose(frame).pitch > 0


@pytest.mark.parametrize("roll", [-20.0, 7.5, 30.0])
def test_roll_is_the_eye_line_in_the_image_and_leaves_a_frontal_face_frontal(roll):
    # roll > 0: the image's right side goes down (the head tilts to the subject's left).
    frame = faces.rows(faces.face(), roll=roll)
    pose = head_pose(frame)
    assert pose.roll == pytest.approx(roll, abs=1e-6)
    assert pose.yaw == pytest.approx(0, abs=1e-6) and pose.pitch == pytest.approx(0, abs=1e-6)


def test_angles_do_not_depend_on_the_faces_size_or_place():
    near = head_pose(faces.rows(faces.posed(faces.face(), yaw=-18), scale=220, shift=(90, 40)))
    far = head_pose(faces.rows(faces.posed(faces.face(), yaw=-18), scale=60, shift=(-150, -90)))
    assert (near.yaw, near.pitch, near.roll) == pytest.approx((far.yaw, far.pitch, far.roll))


def test_eye_openness_is_the_mean_lid_gap_over_the_eye_width():
    frame = put(
        blank(),
        # Right eye: 30 px wide, lid gaps 6, 9 and 12 px -> 9 / 30.
        eye_r_out=(100, 100), eye_r_in=(130, 100),
        eye_r_up1=(107, 97), eye_r_lo1=(107, 103),
        eye_r_up2=(115, 95.5), eye_r_lo2=(115, 104.5),
        eye_r_up3=(123, 94), eye_r_lo3=(123, 106),
        # Left eye: 40 px wide, every gap 4 px -> 0.1.
        eye_l_out=(220, 100), eye_l_in=(180, 100),
        eye_l_up1=(210, 98), eye_l_lo1=(210, 102),
        eye_l_up2=(200, 98), eye_l_lo2=(200, 102),
        eye_l_up3=(190, 98), eye_l_lo3=(190, 102),
    )  # fmt: skip
    right, left = eye_openness(frame)
    assert right == pytest.approx(0.3) and left == pytest.approx(0.1)


def test_openness_is_measured_in_the_image_plane_whatever_the_eye_lines_slant():
    level = faces.rows(faces.face(eye_right=0.25, eye_left=0.35, mouth=0.4))
    tilted = faces.rows(faces.face(eye_right=0.25, eye_left=0.35, mouth=0.4), roll=40)
    assert eye_openness(level) == pytest.approx((0.25, 0.35))
    assert eye_openness(tilted) == pytest.approx((0.25, 0.35))
    assert mouth_openness(tilted) == pytest.approx(0.4)


def test_mouth_openness_is_the_mean_inner_lip_gap_over_the_mouth_width():
    frame = put(
        blank(),
        mouth_r=(100, 200), mouth_l=(150, 200),  # 50 px wide
        lip_in_up=(125, 190), lip_in_lo=(125, 220),  # 30
        lip_in_up_r=(112, 195), lip_in_lo_r=(112, 215),  # 20
        lip_in_up_l=(138, 195), lip_in_lo_l=(141, 195 + math.sqrt(91)),  # 10 (3-4-... slanted)
    )  # fmt: skip
    assert mouth_openness(frame) == pytest.approx(20 / 50)


def test_a_mouth_of_no_width_reads_closed_not_infinite():
    frame = put(blank(), mouth_r=(100, 200), mouth_l=(100, 200), lip_in_up=(100, 180))
    assert mouth_openness(frame) == 0.0
