"""Dev-split failures of bench/accuracy.py, replayed from the real clips through the real model.

Each case is a labelled attempt (bench/dataset.py's attempts: the gesture with its pre-roll)
under the capture variant that refused it: page-encoded (480 px, JPEG 70) and thinned by
timestamp as a page at 8 or 5 frames/s sends it, or scaled, compressed or darkened.

- Blinks at a slow frame rate: a frame that falls on half-closed lids counts when the pixels
  show the lids moved and the brows did not (`gestures.lids.confirm_eyes`).
- HEAD_11's reopening is measured from the lowest closed reading.
- An open mouth's hold survives one frame whose face shape could not be read.
- Closed lids count only when the pixels show the eyes' band changed while the brows did not
  (`gestures.lids.confirm_closed`): photo cards the mesh read shut, and real blinks.
- A wink counts only when the pixels show the closed eye's half of the band changed
  (`gestures.lids.confirm_wink`).
- The neutral's pixels are its hold's last frame with open eyes, not a blink starting.
- A neutral hold survives an expression (lids squeezed shut), not a tilt.
- A reopening counts while the head moves on; a shallow blink at the page's 15 fps counts;
  a half-closed blink with moving lips counts at 5 fps (the brows vouch, not the nose).
- A head that drifts while talking fails no challenge (`bench/involuntary.py`'s windows).
- Lips resting apart after a word close the mouth (`mouth_closed_share`).
- A brisk turn seen whole on one frame is held by the frames on its way (`pose_near_share`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bench.dataset import (
    VARIANTS,
    attempts,
    clip_framing,
    clip_path,
    clip_timestamps,
    read_clip,
    seed_for,
    thin,
    variant_frame,
)
from bench.phases import hastened
from gestures import codes, detector
from gestures.config import EngineConfig
from gestures.eye_level import EyeLevel
from gestures.lids import confirm_eyes, confirm_wink, eye_bands, partly_closed
from gestures.reading import Baseline, read
from tests.support.attacks import CardPose, render_attack
from tests.workers.test_photo_attacks import face_print
from workers.analysis import analyze_rgb
from workers.replay import replay

# Half-closed lids never count: the engine before this check.
WITHOUT = EngineConfig(eye_partly_closed_ratio=0.0)


def variant_frames(shared_data: Path, name: str, variant: str, *, passive: bool = False):
    """The attempt's frames as the bench's capture variant `variant` delivers them (with
    `passive`, scored by the anti-spoofing models as the server scores them)."""
    (cut,) = [a for a in attempts(shared_data) if a.name == name]
    chosen = {v.name: v for v in VARIANTS}[variant]
    times = dict(thin(cut.frames, chosen.fps_for(cut.label.gesture)))
    path = clip_path(shared_data, cut.label.clip)
    framing = clip_framing(path, chosen.face)
    frames = [
        (
            index,
            times[index],
            analyze_rgb(
                variant_frame(rgb, chosen, seed_for(cut.label.clip, variant, index), framing),
                passive=passive,
            ),
        )
        for index, _, rgb in read_clip(path, set(times))
    ]
    assert frames, f"{name}: no frames read"
    return frames


def status(frames, gesture, config=None):
    report = replay(frames, [gesture], config, max_attempts=1)
    return report["result"]["gestures"][0]["gesture_status"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "gesture", "fps"),
    [
        # lp_d0: one blink, about 0.1 s of closed lids; at 8 and 5 fps the frames land on
        # their way down or up (0.70-0.79 of neutral, never below 0.7).
        ("lp_d0_still#64-67", codes.HEAD_00, 8),
        ("lp_d0_still#64-70", codes.HEAD_11, 5),
        # lp_d9: a blink behind glasses at 5 fps.
        ("lp_d9_glasses_blink#420-436", codes.HEAD_11, 5),
    ],
)
def test_a_blink_caught_half_closed_at_a_slow_frame_rate_counts(shared_data, name, gesture, fps):
    frames = variant_frames(shared_data, name, f"fps{fps}")  # page frames, thinned
    assert status(frames, gesture) == codes.MATCH
    assert status(frames, gesture, WITHOUT) != codes.MATCH  # what it fixes


# A card brought nearer and pushed away (the bench's "near-far"): at 10 fps the mesh read
# one frame of its lids at 0.75-0.79 of neutral (dev split, train_rose_leslie_img2).
NEAR_FAR = [CardPose(), CardPose(), CardPose(distance=0.7), CardPose(distance=1.3), CardPose()]
NEAR_FAR_TILT = [CardPose(), CardPose(), CardPose(pitch=30, distance=0.8), CardPose(), CardPose(pitch=-30, distance=1.2), CardPose()]  # fmt: skip


def card_faces(image, poses):
    """The observations, with exactly one face, of `image` printed on a card moved through
    `poses` at 10 fps."""
    rendered = render_attack(face_print(image), poses, fps=10, hold_s=1.0)
    return [o for o in (analyze_rgb(rgb) for _, rgb in rendered) if o.has_face and o.faces == 1]


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    ["images/face_recognition/train_rose_leslie_img2.jpg", "images/face_recognition/obama.jpg"],
)
@pytest.mark.parametrize("poses", [NEAR_FAR, NEAR_FAR_TILT], ids=["near-far", "near-far-tilt"])
def test_the_pixels_of_a_moved_card_never_confirm_half_closed_lids(photo, path, poses):
    # The rendered cards rarely make the mesh read half-closed lids, so every frame is asked
    # as if it had: its eyes' band must not have changed apart from the rest of the face.
    config = EngineConfig()
    faces = card_faces(photo(path), poses)
    base = Baseline.of(faces[0])
    asked = 0
    for obs in faces[1:]:
        reading = dataclasses.replace(
            read(base, obs, config), eyes=None, still=True, eye_right=0.75, eye_left=0.75
        )
        assert partly_closed(reading, config)
        confirmed = confirm_eyes(base, obs, reading, config)
        assert confirmed.eye_plane is not None
        assert confirmed.eyes != "00", (path, confirmed.eye_plane)
        asked += 1
    assert asked >= 20


@pytest.mark.slow
def test_the_pixels_of_a_real_half_blink_confirm_it(shared_data):
    # lp_d0 at 8 fps: the frame on the lids' way down reads 0.70-0.79 of neutral.
    frames = variant_frames(shared_data, "lp_d0_still#64-67", "fps8")
    config = EngineConfig()
    base = Baseline.of(frames[0][2])
    readings = [read(base, obs, config) for _, _, obs in frames[1:]]
    half = [
        (r, obs) for r, (_, _, obs) in zip(readings, frames[1:], strict=True)
        if partly_closed(r, config)
    ]  # fmt: skip
    assert half, "no half-closed frame at 8 fps"
    assert any(confirm_eyes(base, obs, r, config).eyes == "00" for r, obs in half)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    ["images/face_recognition/train_rose_leslie_img2.jpg", "images/face_recognition/obama.jpg"],
)
def test_the_pixels_of_a_moved_card_never_confirm_a_wink(photo, path):
    # No rendered card makes the mesh read a wink, so every frame is asked as if it had, for
    # either eye: neither half of its eyes' band changed apart from the rest of the face.
    config = EngineConfig()
    faces = card_faces(photo(path), NEAR_FAR_TILT)
    base = Baseline.of(faces[0])
    asked = 0
    for obs in faces[1:]:
        for wink in ("01", "10"):
            reading = dataclasses.replace(read(base, obs, config), eyes=wink)
            confirmed = confirm_wink(base, obs, reading, config)
            assert confirmed.eye_plane is not None
            assert confirmed.eyes is None, (path, wink, confirmed.eye_plane)
            asked += 1
    assert asked >= 40


@pytest.mark.slow
def test_the_pixels_of_a_real_wink_confirm_it(shared_data):
    # liveportrait_d7 closes her right eye (frames 43-56); against her open eyes at frame 38
    # its half of the eyes' band correlates 0.55-0.58, the other half 0.68-0.80 (she squints
    # it a little), the brows 0.91-0.95. The right eye's half is the patch's left one.
    frames = variant_frames(shared_data, "liveportrait_d7#43-56", "page")
    config = EngineConfig()
    base = Baseline.of(next(obs for index, _, obs in frames if index == 38))
    winking = [obs for index, _, obs in frames if 44 <= index <= 49]
    for obs in winking:
        reading = read(base, obs, config)
        right = confirm_wink(base, obs, dataclasses.replace(reading, eyes="01"), config)
        left = confirm_wink(base, obs, dataclasses.replace(reading, eyes="10"), config)
        assert right.eyes == "01"
        assert right.eye_plane is not None and left.eye_plane is not None
        assert right.eye_plane < left.eye_plane - 0.05  # the closed eye's half moved most


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["w1080", "q50", "dark0.6"])
def test_a_reopening_is_measured_from_the_lowest_closed_reading(shared_data, variant):
    # st_katiehill (HEAD_11): her lids close over two frames (0.69 then 0.65 of neutral) and
    # reopen to 0.80 while she starts looking up. Measured from the first closed frame alone
    # the reopening needed 0.84 and never came before the look up failed the challenge.
    frames = variant_frames(shared_data, "st_katiehill_turns#112-117", variant)
    assert status(frames, codes.HEAD_11) == codes.MATCH


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "gesture"),
    [
        ("lp_d12_turns_up_mouth#114-131", codes.HEAD_OPEN_MOUTH),
        ("lp_d12_turns_up_mouth#114-135", codes.HEAD_CLOSE_MOUTH),
    ],
)
def test_an_open_mouth_survives_a_frame_whose_face_shape_jittered(shared_data, name, gesture):
    # At 320 px the mesh's face shape jitters past face_warp_max on every third or fourth
    # frame of lp_d12's open mouth; each such frame (no mouth reading) broke the 200 ms hold.
    frames = variant_frames(shared_data, name, "w320")
    assert status(frames, gesture) == codes.MATCH


def card_session(shared_data: Path, relative: str, crop: str, distance: str, motion: str):
    """The bench's photo-card presentation (bench/accuracy.py): the photo printed, on a card
    held still then moved, looped as an attack session is, observed by the real model."""
    from bench.accuracy import load_rgb, loop
    from bench.presentations import DISTANCES, MOTIONS, card_frames, print_crop

    rgb = load_rgb(shared_data / relative)
    box = analyze_rgb(rgb).box
    assert box is not None
    rendered = card_frames(print_crop(rgb, box, crop), MOTIONS[motion], DISTANCES[crop, distance])
    observed = [analyze_rgb(frame) for _, frame in rendered]
    base = [(key, t_ms) for key, (t_ms, _) in enumerate(rendered)]
    return [(key, t_ms, observed[key]) for key, t_ms in loop(base)]


@pytest.mark.slow
def test_a_card_tilted_as_the_challenge_opens_gets_no_eye_level(shared_data, monkeypatch):
    """The bench's `pitch38 at open` card (dev split): its neutral, held on the tilted card,
    read thin printed lids against the frontal open level seen before the challenge, so the
    level became its eyes' neutral (`Baseline.eyes_from_level`, meant for a user closing her
    eyes as the challenge appears), and the card's lids read closed without the pixel check,
    then open: HEAD_11 matched. The level now applies only to a neutral of the same shape
    as the frames it was read from."""
    frames = card_session(
        shared_data, "images/face_recognition/train_rose_leslie_img1.jpg", "loose", "far",
        "pitch38 at open",
    )  # fmt: skip
    report = replay(frames, [codes.HEAD_11], max_attempts=3)
    assert report["result"]["gestures"][0]["gesture_status"] != codes.MATCH
    # What it fixes: with the level applied whatever the neutral's shape, the card matches.
    monkeypatch.setattr(EyeLevel, "fits", lambda self, baseline: True)
    unchecked = replay(frames, [codes.HEAD_11], max_attempts=3)
    assert unchecked["result"]["gestures"][0]["gesture_status"] == codes.MATCH


@pytest.mark.slow
@pytest.mark.parametrize(
    ("relative", "crop", "distance", "motion"),
    [
        # Webcam photos of a man with glasses (the hands dataset, dev split). Turned 45 degrees,
        # the mesh fitted one frame wrongly: lids at 0.36 of neutral, roll and pitch jumping
        # 14 and 12 degrees; its patch correlates 0.38 in the eyes and 0.44 in the brows.
        ("hands/subhi_handsdataset/images/15_pic00000.jpg", "tight", "near", "yaw45"),
        # Tilted 40 degrees, the lids looked thin: 0.69 of neutral, eyes' band still 0.98.
        ("hands/subhi_handsdataset/images/16_pic00001.jpg", "loose", "near", "pitch40 fast"),
    ],
)
def test_a_card_whose_lids_the_mesh_reads_shut_does_not_blink(
    shared_data, monkeypatch, relative, crop, distance, motion
):
    frames = card_session(shared_data, relative, crop, distance, motion)
    report = replay(frames, [codes.HEAD_00], max_attempts=3)
    assert report["result"]["gestures"][0]["gesture_status"] != codes.MATCH
    # What it fixes: without the closed-lid check the card blinks.
    monkeypatch.setattr(detector, "confirm_closed", lambda base, obs, reading, config: reading)
    unchecked = replay(frames, [codes.HEAD_00], max_attempts=3)
    assert unchecked["result"]["gestures"][0]["gesture_status"] == codes.MATCH


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "gesture", "variant"),
    [
        # Real closed lids: the eyes' band 0.80 (lp_d0) and 0.94 (lp_d9 behind glasses at
        # 320 px, the closest to the threshold on dev) while the brows stay above 0.97.
        ("lp_d0_still#64-67", codes.HEAD_00, "page"),
        ("lp_d9_glasses_blink#420-431", codes.HEAD_00, "w320"),
        # Blinks spoken through: the nose band follows the lips (0.88-0.92), the brows do not.
        ("liveportrait_d5#54-56", codes.HEAD_00, "noise6"),
        ("st_katiehill_turns#112-115", codes.HEAD_00, "fps8"),
        # HEAD_11 whose neutral was held on closed lids (`Baseline.eyes_from_level`): its
        # patch shows them closed, so closed lids are not asked of it.
        ("liveportrait_d7#68-86", codes.HEAD_11, "w320"),
    ],
)
def test_the_pixels_of_real_closed_lids_confirm_them(shared_data, name, gesture, variant):
    frames = variant_frames(shared_data, name, variant)
    assert status(frames, gesture) == codes.MATCH


@pytest.mark.slow
def test_a_neutral_hold_that_ends_on_closing_lids_keeps_open_eyes_in_its_pixels(shared_data):
    """`liveportrait_d7#68-86` with the face at the far distance (0.21 of the frame): the
    neutral hold completes on the frame where her lids start closing. Its patch was that last frame, so the closed lids matched the
    neutral's own pixels and `confirm_closed` refused every closed frame (eyes' band
    0.95-0.99). The patch is now the hold's last frame with open eyes (`Baseline.over`)."""
    # From frame 47 on (the session opens a little later): with the hold now surviving her
    # squeeze (`planar.shape_warp`), the whole cut gets its neutral before the lids close.
    frames = [f for f in variant_frames(shared_data, "liveportrait_d7#68-86", "far") if f[0] >= 47]
    assert status(frames, codes.HEAD_11) == codes.MATCH
    last_frame = EngineConfig(neutral_patch_open_ratio=0.0)
    assert status(frames, codes.HEAD_11, last_frame) == codes.NOT_MATCH


@pytest.mark.slow
def test_a_neutral_hold_survives_lids_squeezed_shut(shared_data):
    """`liveportrait_d7#96-122` at the far distance and the page's pace (15 frames/s): she
    squeezes her lids shut as the challenge opens, which warps her upper face by 1.10-1.14
    from the hold's first frame while the skull keeps its shape (1.01-1.04). The hold broke
    on those frames and completed only after the blink, which then went unseen. The hold now
    asks for the shape a tilt changes and an expression does not (`planar.shape_warp`)."""
    frames = variant_frames(shared_data, "liveportrait_d7#96-122", "far_pace")
    assert status(frames, codes.HEAD_00) == codes.MATCH


@pytest.mark.slow
def test_a_reopening_counts_while_the_head_moves_on(shared_data):
    """`lp_d9_glasses_blink#521-537` at 8 fps: his lids reopen (0.83-0.91 of neutral, from
    0.60 closed) as he turns back toward the camera and lowers his head, which warps the face
    past `face_warp_max` (1.08-1.09), then the nod goes on past the threshold. The reopening
    was read only on frames of neutral shape, so it never counted."""
    frames = variant_frames(shared_data, "lp_d9_glasses_blink#521-537", "fps8")
    assert status(frames, codes.HEAD_11) == codes.MATCH


def phased(frames, fps, phase):
    """The frames a page at `fps` sends when its timer starts `phase` of a tick late
    (`bench/phases.py`)."""
    from bench.phases import phased as phased_keys

    kept = {key for key, _ in phased_keys([(i, t) for i, t, _ in frames], fps, phase)}
    return [frame for frame in frames if frame[0] in kept]


@pytest.mark.slow
@pytest.mark.parametrize("gesture", [codes.HEAD_00, codes.HEAD_11])
def test_a_shallow_blink_at_the_pages_15_fps_counts(shared_data, gesture):
    """`st_katiehill_turns#112-115`: a shallow blink (0.66-0.72 of neutral at its deepest)
    right before she looks up. At the page's 15 frames/s, one sampling phase keeps only a
    frame at 0.70 and one at 0.75 of it; frames 67 ms apart now count as sparse
    (`eye_sparse_gap_ms` 60), so the pixels are asked whether the lids half closed."""
    frames = phased(variant_frames(shared_data, "st_katiehill_turns#112-115", "page"), 15, 0.75)
    assert status(frames, gesture) == codes.MATCH
    assert status(frames, gesture, EngineConfig(eye_sparse_gap_ms=90)) == codes.NOT_MATCH


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "gesture", "phase"),
    [
        # lp_d0 closes her mouth as she blinks: one frame at 0.72-0.74 of neutral.
        ("lp_d0_still#64-67", codes.HEAD_00, 0.75),
        ("lp_d0_still#64-70", codes.HEAD_11, 0.75),
        # st_katiehill talks through a shallow blink: one frame at 0.71-0.74.
        ("st_katiehill_turns#112-115", codes.HEAD_00, 0.0),
    ],
)
def test_a_half_closed_blink_with_moving_lips_counts_at_5_fps(
    shared_data, monkeypatch, name, gesture, phase
):
    """A page held at 5 frames/s catches one frame of these blinks, half closed, while the
    lips move: the nose band below the eyes follows the lips (0.81-0.92 after the face's
    homography), the brows stay (0.97-0.99). The brows alone now vouch for the rest of the
    face, as they do for closed lids (`gestures.lids.confirm_eyes`)."""
    frames = phased(variant_frames(shared_data, name, "page"), 5, phase)
    assert status(frames, gesture, WITHOUT) != codes.MATCH  # the half-closed frame decides
    asked = []

    def recording(base, obs, reading, config):
        confirmed = confirm_eyes(base, obs, reading, config)
        asked.append((eye_bands(base, obs), confirmed.eyes))
        return confirmed

    monkeypatch.setattr(detector, "confirm_eyes", recording)
    assert status(frames, gesture) == codes.MATCH
    # The frame that counted: its nose band moved, which the rule used to refuse.
    config = EngineConfig()
    counted = [bands for bands, eyes in asked if eyes == "00"]
    assert counted and min(b[2] for b in counted) < config.eye_rest_correlation_min


@pytest.mark.slow
def test_lips_resting_apart_after_a_word_close_the_mouth_at_5_fps(shared_data):
    """`liveportrait_d5#64-102` at 5 frames/s, the timer half a tick late: after his open
    mouth (widest 0.47, neutral 0.02) the frames read 0.15, then 0.12 (just above
    `mouth_closed_max`), then he talks on; the moment his lips met fell between frames.
    Back three quarters of the way to neutral is closed (`mouth_closed_share`). The margin
    that shows what it fixes is thin: the deciding frame reads 0.1218 against the old 0.12
    (0.135 now), so a change of model or decoder may move it either way."""
    frames = phased(variant_frames(shared_data, "liveportrait_d5#64-102", "page"), 5, 0.5)
    assert status(frames, codes.HEAD_CLOSE_MOUTH) == codes.MATCH
    assert (
        status(frames, codes.HEAD_CLOSE_MOUTH, EngineConfig(mouth_closed_share=0.0)) != codes.MATCH
    )


@pytest.mark.slow
@pytest.mark.parametrize("gesture", [codes.HEAD_LEFT, codes.HEAD_OPEN_MOUTH, codes.HEAD_DOWN])
def test_a_head_that_drifts_while_talking_fails_no_challenge(shared_data, gesture):
    """`bench/involuntary.py` (dev): a challenge opened at frame 345 of `lp_d9_glasses_blink`
    takes its neutral mid-smile, 5 degrees down; he talks on with his chin a little up, and
    the mesh reads 12-13 degrees above that neutral for a second, no movement made. These
    three challenges failed with HEAD_UP; now none decides before the frames end."""
    page = {v.name: v for v in VARIANTS}["page"]
    path = clip_path(shared_data, "lp_d9_glasses_blink")
    clock = clip_timestamps(path)
    window = [(i, clock[i] - clock[345]) for i in range(345, 496)]  # 5 s
    stamps = dict(thin(window, 15 if gesture in codes.EYE_GESTURES else 8))  # the page's pace
    frames = [
        (index, stamps[index], analyze_rgb(variant_frame(rgb, page, 0)))
        for index, _, rgb in read_clip(path, set(stamps))
    ]
    assert len(frames) >= 40, "frames not read"

    def decided(config: EngineConfig | None) -> list[dict]:
        report = replay(frames, [gesture], config, max_attempts=1)
        return [e for e in report["timeline"] if e["phase"] == codes.DONE]

    assert not decided(None)
    before = decided(EngineConfig(clear_other_recent_ms=0))  # what it fixes
    assert before and any(ev.get("detected_gesture") == codes.HEAD_UP for ev in before[0]["events"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "speed", "fps", "phase"),
    [
        ("lp_d12_turns_up_mouth#160-172", 1.5, 10, 0.25),
        ("lp_d12_turns_up_mouth#32-48", 2.0, 8, 0.0),
    ],
)
def test_a_brisk_turn_seen_whole_on_one_frame_counts(shared_data, name, speed, fps, phase):
    """`bench/phases.py --speed` (dev): `lp_d12`'s looks left played 1.5-2 times faster, as
    a brisker user makes them, reach their whole extent (17-20 degrees, confirmed by the nose
    and the pixels) on one frame at 8-10 fps, between frames on the way there and back
    (7-13 degrees). Those count toward the hold (`pose_near_share`)."""
    (cut,) = [a for a in attempts(shared_data) if a.name == name]
    faster = dict(hastened(cut, speed))
    page = variant_frames(shared_data, name, "page")
    frames = phased([(i, faster[i], obs) for i, _, obs in page], fps, phase)
    assert status(frames, codes.HEAD_LEFT) == codes.MATCH
    assert status(frames, codes.HEAD_LEFT, EngineConfig(pose_near_share=0)) != codes.MATCH
