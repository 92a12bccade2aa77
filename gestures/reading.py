"""What one frame shows relative to the neutral pose of its challenge."""

from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass

from gestures import codes
from gestures.config import EngineConfig
from gestures.geometry import Rows
from gestures.observation import FrameObservation
from gestures.planar import Parallax, anchor_homography, flat_view
from gestures.texture import MOUTH_ROW, plane_correlation


@dataclass(frozen=True)
class Baseline:
    """The neutral frame a challenge's movement is measured from."""

    landmarks: Rows  # the neutral frame's landmarks as nested lists
    yaw: float
    pitch: float
    eye_right: float
    eye_left: float
    mouth: float
    # One real frame of the hold, for the pixel check (`gestures.texture`): its face patch and
    # the landmarks it was cut with. None for observations recorded without pixels.
    patch: bytes | None = None
    patch_rows: Rows | None = None
    # The eyes' neutral is the user's open level, not what the hold showed: the hold caught
    # closing lids (`gestures.eye_level.EyeLevel.lift`), so its patch shows them closing too.
    eyes_from_level: bool = False

    @classmethod
    def of(cls, obs: FrameObservation) -> Baseline:
        assert obs.landmarks is not None
        return cls(
            obs.landmarks, obs.yaw, obs.pitch, obs.eye_right, obs.eye_left, obs.mouth,
            obs.patch, obs.landmarks,
        )  # fmt: skip

    @classmethod
    def over(cls, frames: list[FrameObservation], open_ratio: float) -> Baseline:
        """The user's own neutral over a still hold: the mean landmarks (one frame's landmark
        jitter is as large as a small nod's parallax) and the median of each figure (a frame
        caught mid-blink or mid-word does not set the eyes' or the mouth's neutral). Its
        pixels are one frame's patch and landmarks: the last whose eyes are each at least
        `open_ratio` of their median (`EngineConfig.neutral_patch_open_ratio`), else the last."""
        rows = [f.landmarks for f in frames if f.landmarks is not None]
        assert rows
        n = len(rows)
        mean = [[sum(r[i][k] for r in rows) / n for k in range(3)] for i in range(len(rows[0]))]

        def median(name: str) -> float:
            return statistics.median(float(getattr(f, name)) for f in frames)

        eye_right, eye_left = median("eye_right"), median("eye_left")
        # The very last frame may have caught a blink starting, and closed lids would then
        # look like the neutral's own (`gestures.lids.confirm_closed`).
        shown = next(
            (
                f
                for f in reversed(frames)
                if f.eye_right >= open_ratio * eye_right and f.eye_left >= open_ratio * eye_left
            ),
            frames[-1],
        )
        return cls(
            mean,
            median("yaw"),
            median("pitch"),
            eye_right,
            eye_left,
            median("mouth"),
            shown.patch,
            shown.landmarks,
        )


@dataclass(frozen=True)
class Reading:
    """Changes from neutral and the gesture states they amount to.

    pose: a head gesture whose angle passed its threshold AND whose nose parallax confirms a
    3D head (None otherwise); pose_strength: the angle over its threshold; flat: an angle
    passed its threshold but the nose did not move against the face plane (a photo's mark).
    eyes: "00"/"01"/"10"/"11" (right digit first, 1 = open) when both eyes are clearly open or
    closed, None in between or while the head is turned. mouth: "open", "closed" or None.
    """

    d_yaw: float
    d_pitch: float
    parallax: Parallax
    eye_right: float  # openness over the neutral openness of the same eye
    eye_left: float
    mouth: float  # lip gap over mouth width, measured in the neutral view
    warp: float  # anisotropy of the face's 2D map from neutral (1.0 = only moved or scaled)
    # Pixel correlation of the face with its neutral view re-projected by the best homography
    # (`gestures.texture`), measured only by `confirm_pixels`: on a frame whose landmarks
    # confirm a head movement that would complete a hold.
    plane: float | None
    pose: str | None
    pose_strength: float
    flat: bool
    eyes: str | None
    mouth_state: str | None
    still: bool = True  # the head kept its neutral shape: eyes and mouth were read
    # The same correlation over the lower face only, measured by `confirm_mouth` on a frame
    # whose open mouth would complete a hold.
    mouth_plane: float | None = None
    flat_pose: str | None = None  # the strongest movement whose angle passed, nose did not
    # The same correlation over the eyes' band, measured by `gestures.lids`: `confirm_eyes` on
    # a sparse frame whose half-closed lids would count as a blink, `confirm_closed` on closed
    # ones, `confirm_wink` on a frame read as a wink in a wink challenge.
    eye_plane: float | None = None


def read(
    base: Baseline, obs: FrameObservation, config: EngineConfig, wanted: str | None = None
) -> Reading:
    """The frame against the neutral, from the landmarks alone: `pose` is landmark-confirmed
    only. The pixel check (`confirm_pixels`) costs a few ms, so the tracker asks for it only on
    the frame that would decide something (a hold about to complete). `wanted`: the head
    gesture the challenge asks for, which is the `pose` whenever its own axis is confirmed,
    even if another axis moved more (a turn made with the chin up)."""
    assert obs.landmarks is not None
    d_yaw, d_pitch = obs.yaw - base.yaw, obs.pitch - base.pitch
    view = flat_view(base.landmarks, obs.landmarks)
    parallax = view.parallax
    pose, strength, flat_pose = _pose(obs.yaw, d_yaw, d_pitch, parallax, config, wanted)
    right, left, mouth = view.openness
    eye_r, eye_l = right / max(base.eye_right, 1e-6), left / max(base.eye_left, 1e-6)
    # Eyes and mouth are read only while the face keeps its neutral shape: a turned head hides
    # the far eye, and a tilted photo makes the model redraw lids and lips (a "blink" or an
    # "open mouth" that only the warp created). A tilt warps every part of the face alike; an
    # expression only some: raised brows or a squeezed blink warp the brows and eye corners,
    # an open jaw drags the mesh's outline. So the smaller of the two warps is the tilt's.
    head_still = (
        abs(d_yaw) < config.turn_yaw_deg
        and abs(d_pitch) < config.nod_pitch_deg
        and min(view.warp, view.rigid_warp) <= config.face_warp_max
    )
    return Reading(
        d_yaw=d_yaw,
        d_pitch=d_pitch,
        parallax=parallax,
        eye_right=eye_r,
        eye_left=eye_l,
        mouth=mouth,
        warp=view.warp,
        plane=None,
        pose=pose,
        pose_strength=strength,
        flat=flat_pose is not None,
        eyes=_eyes(eye_r, eye_l, config) if head_still else None,
        mouth_state=_mouth(mouth, base.mouth, config) if head_still else None,
        still=head_still,
        flat_pose=flat_pose,
    )


def confirm_pixels(
    base: Baseline, obs: FrameObservation, reading: Reading, config: EngineConfig
) -> Reading:
    """`reading` with its landmark-confirmed pose asked of the pixels (`gestures.texture`): a
    face that one homography of its neutral view reproduces is a flat picture, so the pose is
    dropped and the reading is `flat`. Unchanged without a pose or without pixels (recorded
    observations may have none)."""
    if reading.pose is None or base.patch is None or obs.patch is None:
        return reading
    assert base.patch_rows is not None and obs.landmarks is not None
    plane = plane_correlation(
        base.patch, base.patch_rows, obs.patch, obs.landmarks,
        anchor_homography(base.patch_rows, obs.landmarks),
    )  # fmt: skip
    if plane >= config.plane_correlation_max:
        return dataclasses.replace(reading, plane=plane, pose=None, flat=True)
    return dataclasses.replace(reading, plane=plane)


def confirm_mouth(
    base: Baseline, obs: FrameObservation, reading: Reading, config: EngineConfig
) -> Reading:
    """`reading` with its open mouth asked of the pixels: when one homography of the neutral
    view still reproduces the lower face, nothing opened there (a photo whose lips the mesh
    redrew apart), so the mouth is not open and the reading is `flat`. Unchanged without an
    open mouth or without pixels."""
    if reading.mouth_state != "open" or base.patch is None or obs.patch is None:
        return reading
    assert base.patch_rows is not None and obs.landmarks is not None
    lower = plane_correlation(
        base.patch, base.patch_rows, obs.patch, obs.landmarks,
        anchor_homography(base.patch_rows, obs.landmarks), from_row=MOUTH_ROW,
    )  # fmt: skip
    if lower >= config.mouth_plane_correlation_max:
        return dataclasses.replace(reading, mouth_plane=lower, mouth_state=None, flat=True)
    return dataclasses.replace(reading, mouth_plane=lower)


@dataclass(frozen=True)
class Recent:
    """A calm frame of the open challenge, kept as another place to measure a movement from."""

    t_ms: int
    d_yaw: float
    d_pitch: float
    landmarks: Rows


def confirm_from_recent(
    gesture: str,
    reading: Reading,
    obs: FrameObservation,
    recent: list[Recent],
    config: EngineConfig,
) -> Reading:
    """The head gesture `gesture`, not confirmed from neutral, measured once more from the
    recent calm frame that lies farthest the other way. The neutral was taken seconds ago and
    drifts: a head that settles, talks or looks up a little before it nods moves the neutral's
    parallax (the angle passed its threshold, the nose did not: `flat_pose`), or leaves the
    neutral's angle so close that the nod falls short of it (`lp_d14_blinks` looks up 6
    degrees after her neutral, then down 10). The movement itself still moves the nose
    against the plane by `nose_depth_iod * sin(angle)`. The angle moved since that frame must
    itself be a whole movement (`turn_move_deg`, `nod_pitch_deg`), and a turn must still end
    `turn_yaw_deg` from frontal: a card held turned for a second offers only frames as turned
    as the current one, whose jitter would ask almost no parallax. A pose confirmed this way
    still faces the pixel check."""
    if reading.pose is not None or reading.flat_pose not in (None, gesture) or not recent:
        return reading
    start = min(recent, key=lambda r: along(gesture, r.d_yaw, r.d_pitch))
    past_neutral = along(gesture, reading.d_yaw, reading.d_pitch)
    moved = past_neutral - along(gesture, start.d_yaw, start.d_pitch)
    nod = gesture in (codes.HEAD_UP, codes.HEAD_DOWN)
    whole = whole_movement(gesture, config)
    # ...and the head must be clearly on the gesture's side of the neutral, not back from
    # the other side (a look down and back is no look up).
    if moved < whole or past_neutral < whole / 2:
        return reading
    if not nod and along(gesture, obs.yaw, 0.0) < config.turn_yaw_deg:
        return reading
    assert obs.landmarks is not None
    parallax = flat_view(start.landmarks, obs.landmarks).parallax
    if not nose_agrees(gesture, parallax, moved, config):
        return reading
    return dataclasses.replace(reading, pose=gesture, flat=False, flat_pose=None)


def whole_movement(gesture: str, config: EngineConfig) -> float:
    """How far from where it started a head gesture must move to be one: `nod_pitch_deg` for
    a nod, `turn_move_deg` for a turn."""
    return (
        config.nod_pitch_deg
        if gesture in (codes.HEAD_UP, codes.HEAD_DOWN)
        else config.turn_move_deg
    )


def along(gesture: str, d_yaw: float, d_pitch: float) -> float:
    """The angle moved in the head gesture's direction (negative: the other way).

    yaw < 0 is a turn to the subject's own left; pitch > 0 a look up."""
    return {
        codes.HEAD_LEFT: -d_yaw,
        codes.HEAD_RIGHT: d_yaw,
        codes.HEAD_UP: d_pitch,
        codes.HEAD_DOWN: -d_pitch,
    }[gesture]


def nose_agrees(gesture: str, parallax: Parallax, moved: float, config: EngineConfig) -> bool:
    """Did the nose move against the face plane, in the gesture's direction, as much as a real
    head does for `moved` degrees? A turn to the subject's own left moves the nose toward the
    image's right (parallax.x > 0); a look up moves it up in the image (parallax.y < 0)."""
    shift = {
        codes.HEAD_LEFT: parallax.x,
        codes.HEAD_RIGHT: -parallax.x,
        codes.HEAD_UP: -parallax.y,
        codes.HEAD_DOWN: parallax.y,
    }[gesture]
    nod = gesture in (codes.HEAD_UP, codes.HEAD_DOWN)
    ratio = config.nod_parallax_ratio_min if nod else config.parallax_ratio_min
    return shift >= ratio * config.nose_depth_iod * math.sin(math.radians(min(moved, 90.0)))


def _pose(
    yaw: float,
    d_yaw: float,
    d_pitch: float,
    parallax: Parallax,
    config: EngineConfig,
    wanted: str | None = None,
) -> tuple[str | None, float, str | None]:
    """The strongest head movement whose angle passed its threshold AND whose nose parallax
    agrees (`nose_agrees`), or `wanted` when it is one of them; else the strongest (or
    `wanted`) whose angle passed but whose nose did not move against the face plane (the third
    value, None when no angle passed).

    Each gesture is judged on its own axis: turning heads often pitch a little too, and vice
    versa. A turn must end at least `turn_yaw_deg` from frontal and move at least
    `turn_move_deg` from the neutral pose (which may itself be a few degrees off frontal); a
    nod must move `nod_pitch_deg` (absolute pitch depends on where the camera sits, so only
    the change counts).
    """
    c = config
    strengths = {
        codes.HEAD_LEFT: min(-yaw / c.turn_yaw_deg, -d_yaw / c.turn_move_deg),
        codes.HEAD_RIGHT: min(yaw / c.turn_yaw_deg, d_yaw / c.turn_move_deg),
        codes.HEAD_UP: d_pitch / c.nod_pitch_deg,
        codes.HEAD_DOWN: -d_pitch / c.nod_pitch_deg,
    }
    confirmed: dict[str, float] = {}
    flat: dict[str, float] = {}
    for gesture, strength in strengths.items():
        if strength < 1.0:
            continue
        # Parallax is measured from the neutral frame, so it answers to the angle moved.
        agrees = nose_agrees(gesture, parallax, along(gesture, d_yaw, d_pitch), c)
        (confirmed if agrees else flat)[gesture] = strength
    if confirmed:
        # The wanted one whenever it is confirmed: a movement that makes the gesture asked for
        # is not a clearly different one, however far the other axis went with it (a turn
        # with the chin well up). Each challenge takes its own neutral, so one movement still
        # answers one challenge.
        best = wanted if wanted in confirmed else max(confirmed, key=confirmed.__getitem__)
        return best, confirmed[best], None
    strongest = max(flat, key=flat.__getitem__) if flat else None
    return None, max(max(strengths.values()), 0.0), wanted if wanted in flat else strongest


def _eyes(right: float, left: float, config: EngineConfig) -> str | None:
    """Each eye "0" (closed) or "1" (open) against its own neutral, or None in between. A
    wink drags the other eye's lids in the mesh: an eye still clearly more open than the
    closed one (by `wink_gap`) counts as open beside it."""

    def state(ratio: float) -> str | None:
        if ratio <= config.eye_closed_ratio:
            return "0"
        return "1" if ratio >= config.eye_open_ratio else None

    r_state, l_state = state(right), state(left)
    if r_state == "0" and l_state is None and left - right >= config.wink_gap:
        l_state = "1"
    elif l_state == "0" and r_state is None and right - left >= config.wink_gap:
        r_state = "1"
    return None if r_state is None or l_state is None else r_state + l_state


def _mouth(mouth: float, neutral: float, config: EngineConfig) -> str | None:
    if mouth >= config.mouth_open_min and mouth - neutral >= config.mouth_open_rise:
        return "open"
    return "closed" if mouth <= config.mouth_closed_max else None
