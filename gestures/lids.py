"""Eyes asked of the pixels: did the lids really move?

The mesh draws lids into any face, a photo's too: tilt a card until its eyes look thin, or fit
a frame badly, and it reads them closed. The pixels tell: after the one homography that best
re-projects the neutral view onto this frame (`gestures.texture`), a picture's eyes' band still
follows the neutral view, or nothing does (the brows neither); real lids that closed no longer
follow it while the brows above still do.
"""

from __future__ import annotations

import dataclasses

from gestures.config import EngineConfig
from gestures.observation import FrameObservation
from gestures.planar import anchor_homography
from gestures.reading import Baseline, Reading
from gestures.texture import EYE_ROWS, MOUTH_ROW, PATCH_W, Band, band_correlations


def partly_closed(reading: Reading, config: EngineConfig) -> bool:
    """Both eyes half closed, neither clearly open nor clearly closed: what a frame that
    falls early or late in a blink shows."""
    limit = config.eye_partly_closed_ratio
    return (
        reading.still
        and reading.eyes is None
        and reading.eye_right <= limit
        and reading.eye_left <= limit
    )


def confirm_eyes(
    base: Baseline, obs: FrameObservation, reading: Reading, config: EngineConfig
) -> Reading:
    """`reading` with half-closed lids asked of the pixels, after the one homography that best
    re-projects the neutral view onto this one: the lids dropped when the eyes' band no longer
    follows it (below `eye_plane_correlation_max`) while the brows above still do
    (`eye_rest_correlation_min`); then the eyes read closed ("00"). Not the nose below, as in
    `confirm_closed`: words and a closing mouth move it (`lp_d0_still` closes her mouth as she
    blinks: nose band 0.87). A moved picture does not do that: all of it follows one
    homography, and what blurs or leaves the frame as it moves spoils the brows as much as the
    eyes (one whose printed eyes alone are covered or lit differently is not ruled out by
    this check alone). Unchanged without pixels."""
    bands = eye_bands(base, obs)
    if bands is None:
        return reading
    eyes, above, _ = bands
    if eyes < config.eye_plane_correlation_max and above >= config.eye_rest_correlation_min:
        return dataclasses.replace(reading, eye_plane=eyes, eyes="00")
    return dataclasses.replace(reading, eye_plane=eyes)


def confirm_closed(
    base: Baseline, obs: FrameObservation, reading: Reading, config: EngineConfig
) -> Reading:
    """`reading` with its closed eyes ("00") asked of the pixels: the lids closed when the
    eyes' band no longer follows the neutral view (below `eye_plane_correlation_max`) while
    the brows above still do (`eye_brows_correlation_min`; not the nose: words move it). A
    photo has nothing to close: when the mesh reads its lids shut (a card tilted until they
    look thin, a frame the mesh fits wrongly), its eyes' band still follows the neutral view,
    or nothing does, the brows neither. Unconfirmed, the eyes are unread on this frame (None).
    Unchanged without closed eyes or without pixels, and when the neutral's own patch shows
    the lids closing (`Baseline.eyes_from_level`: it cannot tell closed lids apart)."""
    if reading.eyes != "00" or base.eyes_from_level:
        return reading
    bands = eye_bands(base, obs)
    if bands is None:
        return reading
    eyes, above, _ = bands
    if eyes < config.eye_plane_correlation_max and above >= config.eye_brows_correlation_min:
        return dataclasses.replace(reading, eye_plane=eyes)
    return dataclasses.replace(reading, eye_plane=eyes, eyes=None)


def eye_bands(base: Baseline, obs: FrameObservation) -> list[float] | None:
    """The eyes' band, the brows above and the nose below, each correlated with the neutral
    view after one homography fitted to the whole face; None without pixels."""
    return _bands(base, obs, [EYE_ROWS, (0, EYE_ROWS[0]), (EYE_ROWS[1], MOUTH_ROW)])


def _bands(base: Baseline, obs: FrameObservation, bands: list[Band]) -> list[float] | None:
    """`gestures.texture.band_correlations` of the frame with the neutral view; None without
    pixels."""
    if base.patch is None or obs.patch is None:
        return None
    assert base.patch_rows is not None and obs.landmarks is not None
    return band_correlations(
        base.patch, base.patch_rows, obs.patch, obs.landmarks,
        anchor_homography(base.patch_rows, obs.landmarks), bands,
    )  # fmt: skip


def confirm_wink(
    base: Baseline, obs: FrameObservation, reading: Reading, config: EngineConfig
) -> Reading:
    """`reading` with its wink ("01": the right eye closed, "10": the left) asked of the pixels,
    as `confirm_closed` asks closed lids, on the closed eye's half of the eyes' band: below
    `eye_plane_correlation_max` while the brows still correlate `eye_brows_correlation_min`.
    In the patch the user's right eye is on the left (the eyes' outer corners set it:
    `gestures.texture.canonical`). Unconfirmed, the eyes are unread on this frame (None), so
    a wink the mesh drew into a picture neither matches a wink challenge nor fails one.
    Unchanged without a wink or without pixels."""
    if reading.eyes not in ("01", "10"):
        return reading
    half = (0, PATCH_W // 2) if reading.eyes == "01" else (PATCH_W // 2, PATCH_W)
    bands = _bands(base, obs, [(*EYE_ROWS, *half), (0, EYE_ROWS[0])])
    if bands is None:
        return reading
    closed, above = bands
    if closed < config.eye_plane_correlation_max and above >= config.eye_brows_correlation_min:
        return dataclasses.replace(reading, eye_plane=closed)
    return dataclasses.replace(reading, eye_plane=closed, eyes=None)
