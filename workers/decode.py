"""Frame bytes -> pixels, refusing anything that is not a bounded JPEG, PNG or WebP.

The dimensions are read from the file header before decoding, so a small file that claims to
be a huge image (a decompression bomb) is refused without allocating its pixels.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt
import simplejpeg
from cv2.typing import MatLike

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_PIXELS = 1920 * 1920

Image = npt.NDArray[np.uint8]


def as_image(pixels: MatLike) -> Image:
    """An OpenCV result as the 8-bit image it is: OpenCV's stubs type every result as some
    numeric array, but its colour conversions, resizes and warps of 8-bit input, and its
    8-bit decodes, are 8-bit. Anything else is a bug here, so it raises."""
    if pixels.dtype != np.uint8:
        raise TypeError(f"expected an 8-bit image, got {pixels.dtype}")
    return cast(Image, pixels)


class FrameError(ValueError):
    """A frame the engine refuses. `code` is machine-readable, `message` is for humans.

    Codes: empty, too_large, unsupported_format, too_many_pixels, corrupt.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Limits:
    """The bounds of one frame; the caller (the server, from its settings) chooses them."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"frame limit {name} must be a positive integer, got {value!r}")


def sniff_format(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def decode_rgb(data: bytes, limits: Limits | None = None) -> Image:
    """Decode JPEG/PNG/WebP bytes into an RGB uint8 array (height, width, 3)."""
    limits = limits or Limits()
    if not data:
        raise FrameError("empty", "the frame is empty")
    if len(data) > limits.max_bytes:
        raise FrameError(
            "too_large", f"the frame has {len(data)} bytes; at most {limits.max_bytes}"
        )
    kind = sniff_format(data)
    if kind is None:
        raise FrameError("unsupported_format", "the frame is not a JPEG, PNG or WebP image")
    size = header_size(kind, data)
    if size is None:
        raise FrameError("corrupt", f"the {kind.upper()} header is unreadable")
    width, height = size
    if width <= 0 or height <= 0 or width * height > limits.max_pixels:
        raise FrameError(
            "too_many_pixels", f"the frame is {width}x{height}; at most {limits.max_pixels} pixels"
        )
    rgb = _decode_jpeg(data) if kind == "jpeg" else None
    if rgb is None:
        # Straight to RGB saves a colour conversion per frame; browsers' canvas exports carry
        # no EXIF orientation, so reading it is wasted work.
        decoded: MatLike | None = cv2.imdecode(
            np.frombuffer(data, dtype=np.uint8),
            cv2.IMREAD_COLOR_RGB | cv2.IMREAD_IGNORE_ORIENTATION,
        )
        rgb = None if decoded is None else as_image(decoded)
    if rgb is None:
        raise FrameError("corrupt", f"the {kind.upper()} data cannot be decoded")
    return rgb


def _decode_jpeg(data: bytes) -> Image | None:
    """libjpeg-turbo's TurboJPEG API, straight to RGB, with its fast integer DCT and plain
    chroma upsampling: about 0.6 ms per 480-px frame in bench/engine.py where OpenCV's decoder
    (accurate DCT, smooth upsampling) took 0.75 ms, and about a third of OpenCV's time when
    decoding in a loop. Pixels differ by under one level on average, which moves landmarks by
    about 0.15 px and angles by about 0.1 degree (median over the benchmark's frames). None for
    what it refuses (a truncated file, CMYK), which OpenCV then decodes as it always did."""
    try:
        rgb: Image = simplejpeg.decode_jpeg(data, colorspace="RGB", fastdct=True, fastupsample=True)
    except ValueError:
        return None
    return rgb


def header_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of a sniffed file, or None if the header is broken."""
    try:
        if kind == "png":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if kind == "webp":
            return _webp_size(data)
        return _jpeg_size(data)
    except (struct.error, IndexError):
        return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments up to the first start-of-frame (SOF0..SOF15 minus DHT/JPG/DAC).
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width & 0x3FFF), int(height & 0x3FFF)
    if chunk == b"VP8L":
        b = data[21:25]
        width = 1 + (((b[1] & 0x3F) << 8) | b[0])
        height = 1 + (((b[3] & 0x0F) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return width, height
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    return None
