"""The face-match score: distance to GLAIR's code and a calibrated match_percentage."""

from __future__ import annotations

from gestures.face_match import (
    MATCH_DISTANCE,
    MatchCode,
    face_count_code,
    match_code,
    match_percentage,
)


def test_the_threshold_is_the_middle_of_the_score() -> None:
    assert match_percentage(MATCH_DISTANCE) == 0.5
    assert match_code(MATCH_DISTANCE) == MatchCode.MATCH
    assert match_code(MATCH_DISTANCE + 0.001) == MatchCode.NOT_MATCH


def test_the_score_falls_with_the_distance_and_stays_in_range() -> None:
    scores = [match_percentage(d / 10) for d in range(0, 30)] + [match_percentage(1e6)]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert match_percentage(0.27) > 0.95  # the measured genuine median
    assert match_percentage(0.86) < 0.01  # the measured impostor median


def test_a_photo_without_exactly_one_face_names_the_photo() -> None:
    assert face_count_code(1, stored=True) is None
    assert face_count_code(0, stored=True) == MatchCode.NO_FACE_STORED_IMG
    assert face_count_code(0, stored=False) == MatchCode.NO_FACE_CAPTURED_IMG
    assert face_count_code(3, stored=True) == MatchCode.MANY_FACES_STORED_IMG
    assert face_count_code(2, stored=False) == MatchCode.MANY_FACES_CAPTURED_IMG
