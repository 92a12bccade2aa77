from __future__ import annotations

import cv2
import numpy as np
import pytest

from workers.decode import FrameError, Limits, decode_rgb


def encoded(ext: str, width: int = 64, height: int = 48) -> bytes:
    image = np.full((height, width, 3), 120, np.uint8)
    ok, data = cv2.imencode(ext, image)
    assert ok
    return data.tobytes()


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp"])
def test_it_decodes_jpeg_png_and_webp(ext):
    rgb = decode_rgb(encoded(ext))
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "unsupported_format"),
        (b"hello, not an image", "unsupported_format"),
        (b"\xff\xd8\xff" + b"\0" * 50, "corrupt"),
    ],
)
def test_it_refuses_what_is_not_a_supported_image(data, code):
    with pytest.raises(FrameError) as error:
        decode_rgb(data)
    assert error.value.code == code


def test_it_refuses_too_many_bytes():
    with pytest.raises(FrameError) as error:
        decode_rgb(encoded(".png"), Limits(max_bytes=100))
    assert error.value.code == "too_large"


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp"])
def test_it_reads_dimensions_from_the_header_before_decoding(ext):
    with pytest.raises(FrameError) as error:
        decode_rgb(encoded(ext, 200, 100), Limits(max_pixels=200 * 99))
    assert error.value.code == "too_many_pixels"
