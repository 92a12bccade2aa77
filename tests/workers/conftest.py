from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from workers.decode import Image


def load_rgb(path: Path) -> Image:
    bgr = cv2.imread(str(path))
    assert bgr is not None, path
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def photo(shared_data):
    def get(relative: str) -> Image:
        return load_rgb(shared_data / relative)

    return get
