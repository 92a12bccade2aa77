"""The planar check on synthetic landmarks: a flat picture moved by a known homography against a
3D head turned or nodded by a known angle (tests/support/faces.py)."""

from __future__ import annotations

import math

import pytest

from gestures.geometry import eye_openness
from gestures.planar import anchor_homography, face_warp, flat_view
from tests.support import faces

DEPTH = faces.NOSE_DEPTH


@pytest.fixture
def neutral() -> list[list[float]]:
    return faces.rows(faces.face())


def similarity(scale: float, angle: float, shift: tuple[float, float]) -> list[list[float]]:
    c, s = scale * math.cos(math.radians(angle)), scale * math.sin(math.radians(angle))
    return [[c, -s, shift[0]], [s, c, shift[1]], [0.0, 0.0, 1.0]]


@pytest.mark.parametrize("axis", ["vertical", "horizontal"])
@pytest.mark.parametrize("angle", [15.0, 30.0, 45.0])
def test_a_flat_picture_tilted_by_a_homography_shows_no_parallax(neutral, axis, angle):
    # Every point of a photo, the nose too, follows the one homography of its plane.
    card = faces.through(faces.card_tilt(angle, axis=axis), neutral)
    view = flat_view(neutral, card)
    assert abs(view.parallax.x) < 1e-6 and abs(view.parallax.y) < 1e-6


@pytest.mark.parametrize("axis", ["vertical", "horizontal"])
@pytest.mark.parametrize("angle", [10.0, 22.0, 35.0])
def test_a_tilted_picture_warps_by_about_one_over_the_cosine(neutral, axis, angle):
    view = flat_view(neutral, faces.through(faces.card_tilt(angle, axis=axis), neutral))
    # Exactly 1 / cos for a distant card; the camera's perspective adds well under 1 %.
    assert view.warp == pytest.approx(1 / math.cos(math.radians(angle)), rel=0.01)


def test_a_picture_only_moved_scaled_and_rolled_shows_no_parallax_and_no_warp(neutral):
    moved = faces.through(similarity(1.6, 25.0, (-140.0, 60.0)), neutral)
    view = flat_view(neutral, moved)
    assert view.parallax.x == pytest.approx(0, abs=1e-9)
    assert view.parallax.y == pytest.approx(0, abs=1e-9)
    assert view.warp == pytest.approx(1.0, abs=1e-9)
    assert face_warp(neutral, moved) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("angle", [10.0, 15.0, 20.0])
def test_a_real_turn_moves_the_nose_by_about_depth_times_sin_angle(neutral, angle):
    left = flat_view(neutral, faces.rows(faces.posed(faces.face(), yaw=-angle)))
    right = flat_view(neutral, faces.rows(faces.posed(faces.face(), yaw=angle)))
    # A turn to the subject's own left (yaw < 0) moves the nose toward the image's right.
    assert left.parallax.x > 0 > right.parallax.x
    # Exactly depth * sin(a) in units of the frontal IOD; the turned IOD is cos(a) of that.
    rad = math.radians(angle)
    assert left.parallax.x == pytest.approx(DEPTH * math.sin(rad) / math.cos(rad), rel=1e-6)
    assert right.parallax.x == pytest.approx(-left.parallax.x, rel=1e-6)
    assert left.parallax.x == pytest.approx(DEPTH * math.sin(rad), rel=0.07)
    assert abs(left.parallax.y) < 1e-9


@pytest.mark.parametrize("angle", [8.0, 15.0, 25.0])
def test_a_real_nod_moves_the_nose_across_the_eye_line_by_depth_times_sin_angle(neutral, angle):
    up = flat_view(neutral, faces.rows(faces.posed(faces.face(), pitch=angle)))
    down = flat_view(neutral, faces.rows(faces.posed(faces.face(), pitch=-angle)))
    # Looking up moves the nose up in the image: parallax.y < 0.
    assert up.parallax.y == pytest.approx(-DEPTH * math.sin(math.radians(angle)), rel=1e-6)
    assert down.parallax.y == pytest.approx(-up.parallax.y, rel=1e-6)
    assert abs(up.parallax.x) < 1e-9


def test_parallax_is_along_and_across_the_eye_line_whatever_the_roll_and_place(neutral):
    # A rolled phone or head must not turn a turn's parallax into a nod's.
    straight = flat_view(neutral, faces.rows(faces.posed(faces.face(), yaw=-20)))
    rolled = flat_view(
        neutral,
        faces.rows(faces.posed(faces.face(), yaw=-20), roll=30, scale=160, shift=(80, -50)),
    )
    assert rolled.parallax.x == pytest.approx(straight.parallax.x, rel=1e-6)
    assert rolled.parallax.y == pytest.approx(straight.parallax.y, abs=1e-9)


def test_a_picture_tilted_back_keeps_its_eyes_and_mouth_as_at_neutral(neutral):
    # Tilting a card back squashes its eyes: no blink, once mapped back to the neutral view.
    card = faces.through(faces.card_tilt(40, axis="horizontal"), neutral)
    squashed_right, _ = eye_openness(card)
    assert squashed_right < 0.8 * 0.3
    right, left, mouth = flat_view(neutral, card).openness
    assert (right, left, mouth) == pytest.approx((0.3, 0.3, 0.03), abs=1e-9)


def test_openness_seen_in_the_neutral_view_still_shows_a_real_blink(neutral):
    blink = faces.rows(faces.posed(faces.face(eye_right=0.05, eye_left=0.05), yaw=-5))
    right, left, _ = flat_view(neutral, blink).openness
    assert right == pytest.approx(0.05, abs=1e-6) and left == pytest.approx(0.05, abs=1e-6)


def test_face_warp_of_a_similarity_is_one(neutral):
    for scale, angle in ((0.5, -60.0), (1.0, 0.0), (2.3, 170.0)):
        moved = faces.through(similarity(scale, angle, (33.0, -12.0)), neutral)
        assert face_warp(neutral, moved) == pytest.approx(1.0, abs=1e-9)


def test_face_warp_of_a_foreshortening_is_one_over_its_cosine(neutral):
    squeeze = math.cos(math.radians(25))
    squeezed = faces.through([[1.0, 0.0, 0.0], [0.0, squeeze, 0.0], [0.0, 0.0, 1.0]], neutral)
    assert face_warp(neutral, squeezed) == pytest.approx(1 / squeeze, rel=1e-9)
    # A real head turned by the same angle: its eye corners and brows are one plane here.
    turned = faces.rows(faces.posed(faces.face(), yaw=25))
    assert face_warp(neutral, turned) == pytest.approx(1 / squeeze, rel=1e-9)


def test_an_opening_mouth_is_no_warp(neutral):
    assert face_warp(neutral, faces.rows(faces.face(mouth=0.6))) == pytest.approx(1.0)


def test_face_warp_of_collinear_points_is_infinite(neutral):
    line = [[x, 100.0, 0.0] for x, _, _ in neutral]
    assert face_warp(line, neutral) == math.inf


def test_the_anchor_homography_is_the_one_that_moved_the_picture(neutral):
    h = faces.card_tilt(30)
    found = anchor_homography(neutral, faces.through(h, neutral))
    expected = [[value / h[2][2] for value in row] for row in h]
    for got_row, want_row in zip(found, expected, strict=True):
        assert got_row == pytest.approx(want_row, rel=1e-6, abs=1e-9)
