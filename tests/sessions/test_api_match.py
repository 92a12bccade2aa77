"""`POST /face/v1/match` (CONTRACT section 5) with dlib's real face-recognition model on real photos."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.support.api import assert_error

pytestmark = [pytest.mark.django_db]

MATCH = "/face/v1/match"
PHOTOS = "images/face_recognition/"


def upload(data: bytes) -> SimpleUploadedFile:
    # As GLAIR's npm SDK sends each image: a bare Blob, named "blob", application/octet-stream.
    return SimpleUploadedFile("blob", data, content_type="application/octet-stream")


def post(api: Any, stored: bytes, captured: bytes) -> Any:
    form = {"stored_image": upload(stored), "captured_image": upload(captured)}
    return api.client.post(MATCH, form, headers=api.headers)


def match(api: Any, stored: bytes, captured: bytes) -> dict[str, Any]:
    response = post(api, stored, captured)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"status", "result"}
    assert set(body["result"]) == {"match_percentage", "match_status", "match_status_code"}
    assert 0.0 <= body["result"]["match_percentage"] <= 1.0
    return body


def photo(shared_data: Path, name: str) -> bytes:
    return (shared_data / PHOTOS / name).read_bytes()


def blank_jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((480, 640, 3), 128, np.uint8))
    assert ok
    return bytes(data)


@pytest.mark.parametrize(
    ("stored", "captured"),
    [("obama.jpg", "obama2.jpg"), ("biden.jpg", "train_biden_biden2.jpg")],
)
def test_two_photos_of_one_person_match(
    api: Any, shared_data: Path, stored: str, captured: str
) -> None:
    body = match(api, photo(shared_data, stored), photo(shared_data, captured))
    assert body["status"] == "success"
    assert body["result"]["match_status_code"] == "MATCH"
    assert body["result"]["match_status"] == "Face matched"
    assert body["result"]["match_percentage"] > 0.75


@pytest.mark.parametrize(
    ("stored", "captured"),
    [("obama.jpg", "biden.jpg"), ("train_rose_leslie_img1.jpg", "lin-manuel-miranda.png")],
)
def test_photos_of_two_people_do_not_match(
    api: Any, shared_data: Path, stored: str, captured: str
) -> None:
    body = match(api, photo(shared_data, stored), photo(shared_data, captured))
    # Compared, so `success`, as GLAIR answers; the verdict is the code.
    assert body["status"] == "success"
    assert body["result"]["match_status_code"] == "NOT_MATCH"
    assert body["result"]["match_percentage"] < 0.1


def test_a_photo_without_a_face_fails_naming_which(api: Any, shared_data: Path) -> None:
    face = photo(shared_data, "obama_small.jpg")
    body = match(api, blank_jpeg(), face)
    assert body == {
        "status": "failed",
        "result": {
            "match_percentage": 0.0,
            "match_status": "No face detected in the stored image",
            "match_status_code": "NO_FACE_STORED_IMG",
        },
    }
    assert match(api, face, blank_jpeg())["result"]["match_status_code"] == "NO_FACE_CAPTURED_IMG"


def test_a_photo_with_several_faces_fails_naming_which(api: Any, shared_data: Path) -> None:
    face = photo(shared_data, "obama_small.jpg")
    several = photo(shared_data, "two_people.jpg")
    stored = match(api, several, face)
    assert stored["status"] == "failed"
    assert stored["result"]["match_status_code"] == "MANY_FACES_STORED_IMG"
    assert stored["result"]["match_percentage"] == 0.0
    captured = match(api, face, several)
    assert captured["result"]["match_status_code"] == "MANY_FACES_CAPTURED_IMG"


def test_it_needs_both_credentials(api: Any, shared_data: Path) -> None:
    face = photo(shared_data, "obama_small.jpg")
    form = {"stored_image": upload(face), "captured_image": upload(face)}
    assert_error(Client().post(MATCH, form), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("missing", ["stored_image", "captured_image"])
def test_a_missing_image_is_a_400_naming_the_field(
    api: Any, shared_data: Path, missing: str
) -> None:
    face = photo(shared_data, "obama_small.jpg")
    form = {name: upload(face) for name in ("stored_image", "captured_image") if name != missing}
    body = assert_error(api.client.post(MATCH, form, headers=api.headers), 400, "INVALID_REQUEST")
    assert body["field"] == missing


def test_a_file_that_is_not_an_image_is_a_400_naming_the_field(api: Any, shared_data: Path) -> None:
    face = photo(shared_data, "obama_small.jpg")
    body = assert_error(post(api, b"hello, not an image", face), 400, "INVALID_REQUEST")
    assert body["field"] == "stored_image"
    body = assert_error(post(api, face, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 400)
    assert body["field"] == "captured_image"


def test_an_image_too_large_in_bytes_or_pixels_is_a_413(
    api: Any, shared_data: Path, settings: Any
) -> None:
    small = photo(shared_data, "obama_small.jpg")
    png = bytearray(photo(shared_data, "lin-manuel-miranda.png"))
    png[16:24] = struct.pack(">II", 30_000, 30_000)  # the IHDR's width and height
    body = assert_error(post(api, small, bytes(png)), 413, "PAYLOAD_TOO_LARGE")
    assert body["field"] == "captured_image"
    assert "30000x30000" in body["message"]
    settings.LIVENESS_IMAGE_MAX_BYTES = len(small) - 1
    body = assert_error(post(api, small, small[:100]), 413, "PAYLOAD_TOO_LARGE")
    assert body["field"] == "stored_image"
