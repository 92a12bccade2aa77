"""`POST /face/v1/active-liveness` (CONTRACT section 5): one still photo against one gesture
code, with the real models on real photos. All 19 codes through GLAIR's own SDK:
tests/sessions/test_glair_sdk.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import pytest
from django.test import Client

from gestures import codes
from tests.sessions.test_api_passive import upload
from tests.support.api import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ACTIVE = "/face/v1/active-liveness"
HANDS = "hands/subhi_handsdataset/images/"
INDEX_FINGER = HANDS + "5_pic00063.jpg"  # labelled one open finger: the index
TWO_FISTS = HANDS + "46_pic00025.jpg"
FRONTAL = "images/3ddfa_v2/JianzhuGuo.jpg"  # frontal, eyes open, mouth closed
MOUTH_OPEN = "images/liveportrait/driving_d19.jpg"


def ask(api: Any, data: bytes, gesture: str) -> dict[str, Any]:
    form = {"image": upload(data), "gesture-code": gesture}
    response = api.client.post(ACTIVE, form, headers=api.headers)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"status", "result"}
    assert set(body["result"]) == {"gesture_status", "detected_gesture"}
    return body


def answer(body: dict[str, Any]) -> tuple[str, str, str | None]:
    return body["status"], body["result"]["gesture_status"], body["result"]["detected_gesture"]


@pytest.fixture(scope="module")
def photos(shared_data: Path) -> dict[str, bytes]:
    names = [INDEX_FINGER, TWO_FISTS, FRONTAL, MOUTH_OPEN]
    out = {name: (shared_data / name).read_bytes() for name in names}
    # A face turned to its own left (yaw about -20): a frame of the idle clip, and mirrored.
    capture = cv2.VideoCapture(str(shared_data / "videos" / "lp_s18_idle.mp4"))
    ok, frame = capture.read()
    capture.release()
    assert ok
    out["turned_left"] = bytes(cv2.imencode(".jpg", frame)[1])
    out["turned_right"] = bytes(cv2.imencode(".jpg", cv2.flip(frame, 1))[1])
    return out


def test_a_hand_shape_in_the_photo_matches_its_code(api: Any, photos: dict[str, bytes]) -> None:
    data = photos[INDEX_FINGER]
    assert answer(ask(api, data, "HAND_01000")) == ("success", "MATCH", "HAND_01000")
    assert answer(ask(api, data, "HAND_01100")) == ("success", "NOT_MATCH", "HAND_01000")


def test_hand_codes_say_when_there_is_no_hand_or_more_than_one(
    api: Any, photos: dict[str, bytes]
) -> None:
    body = ask(api, photos[FRONTAL], "HAND_11111")
    assert answer(body) == ("failed", codes.HAND_NOT_DETECTED, None)
    body = ask(api, photos[TWO_FISTS], "HAND_00000")
    assert answer(body) == ("failed", codes.TOO_MANY_HANDS, None)


def test_head_codes_judge_the_pose_eyes_and_mouth_of_the_picture(
    api: Any, photos: dict[str, bytes]
) -> None:
    assert answer(ask(api, photos[FRONTAL], "HEAD_11")) == ("success", "MATCH", "HEAD_11")
    assert answer(ask(api, photos[FRONTAL], "HEAD_00")) == ("success", "NOT_MATCH", "HEAD_11")
    assert answer(ask(api, photos[FRONTAL], "HEAD_CLOSE_MOUTH"))[1] == "MATCH"
    assert answer(ask(api, photos[FRONTAL], "HEAD_LEFT")) == ("success", "NOT_MATCH", None)
    assert answer(ask(api, photos[MOUTH_OPEN], "HEAD_OPEN_MOUTH"))[1] == "MATCH"
    assert answer(ask(api, photos["turned_left"], "HEAD_LEFT"))[1] == "MATCH"
    assert answer(ask(api, photos["turned_left"], "HEAD_RIGHT"))[2] == "HEAD_LEFT"
    assert answer(ask(api, photos["turned_right"], "HEAD_RIGHT"))[1] == "MATCH"


def test_head_codes_need_one_face(api: Any, shared_data: Path) -> None:
    two = (shared_data / "images" / "face_recognition" / "two_people.jpg").read_bytes()
    assert answer(ask(api, two, "HEAD_LEFT")) == ("failed", codes.TOO_MANY_FACES, None)
    blank = bytes(cv2.imencode(".png", 90 + 0 * cv2.imread(str(shared_data / FRONTAL)))[1])
    assert answer(ask(api, blank, "HEAD_UP")) == ("failed", codes.FACE_NOT_DETECTED, None)


def test_a_missing_or_unknown_gesture_code_is_a_400_naming_the_field(
    api: Any, photos: dict[str, bytes]
) -> None:
    for form in ({"image": upload(photos[FRONTAL])},
                 {"image": upload(photos[FRONTAL]), "gesture-code": "HAND_10101"}):  # fmt: skip
        body = assert_error(api.client.post(ACTIVE, form, headers=api.headers), 400)
        assert body["field"] == "gesture-code"
    body = assert_error(
        api.client.post(ACTIVE, {"gesture-code": "HEAD_UP"}, headers=api.headers), 400
    )
    assert body["field"] == "image"


def test_it_needs_both_credentials(photos: dict[str, bytes]) -> None:
    form = {"image": upload(photos[FRONTAL]), "gesture-code": "HEAD_UP"}
    assert_error(Client().post(ACTIVE, form), 401, "UNAUTHORIZED")
