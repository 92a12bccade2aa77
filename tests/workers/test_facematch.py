"""The dlib face-recognition adapter on real photos, and how its absence is reported."""

from __future__ import annotations

from typing import Any

import numpy as np

from sessions.checks import check_face_match_model
from workers import facematch


def test_it_counts_the_faces_and_describes_the_largest(photo: Any) -> None:
    one = facematch.scan(photo("images/face_recognition/obama_small.jpg"))
    assert one.faces == 1
    assert one.descriptor is not None and one.descriptor.shape == (128,)
    two = facematch.scan(photo("images/face_recognition/two_people.jpg"))
    assert two.faces == 2
    widths = [right - left for left, _, right, _ in two.boxes]
    assert widths == sorted(widths, reverse=True)  # the described face is the largest
    none = facematch.scan(np.full((240, 320, 3), 128, np.uint8))
    assert none.faces == 0 and none.descriptor is None


def test_a_missing_model_package_stops_the_server_at_start(monkeypatch: Any) -> None:
    assert facematch.missing() == []
    assert check_face_match_model() == []
    monkeypatch.setattr(facematch, "MODEL_PACKAGE", "no_such_model_package")
    errors = check_face_match_model()
    assert [error.id for error in errors] == ["liveness.E031"]
    assert "face-recognition-models" in errors[0].msg
