"""Every threshold of the engine, with defaults measured on the shared clips (docs/ACCURACY.md).

Angles are degrees of change from the neutral pose of the same challenge; parallax and nose
depth are in units of the distance between the outer eye corners (IOD); openness values are
ratios (lid gap / eye width, lip gap / mouth width); times are milliseconds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EngineConfig:
    # Neutral pose: where every gesture starts from (absolute angles).
    neutral_yaw_max: float = 12.0
    neutral_pitch_max: float = 20.0
    neutral_hold_ms: int = 300
    neutral_warp_max: float = 1.07  # the face keeps its 2D shape (`shape_warp`) while held
    # Head gestures: change from neutral. A real 15-degree turn moves the nose about
    # 0.43 * sin(15) = 0.11 IOD against the face plane; a flat photo moves it by ~0.
    turn_yaw_deg: float = 15.0  # a turn ends at least this far from frontal...
    turn_move_deg: float = 10.0  # ...having moved at least this far from the neutral pose
    nod_pitch_deg: float = 8.0
    nose_depth_iod: float = 0.43
    parallax_ratio_min: float = 0.5  # measured parallax / parallax a real head would show
    # Nods show less parallax against the anchors (brows and mouth corners stand forward of
    # the eye corners and follow the nose part of the way), so their ratio is lower.
    nod_parallax_ratio_min: float = 0.3
    # A movement whose nose parallax from the (drifted) neutral falls short is measured again
    # from the calm frame of the last this-many ms that lies farthest the other way.
    pose_reference_ms: int = 1000
    # ...and the pixels must disagree with a flat picture: after the best homography from the
    # neutral view, a photo card correlates 0.98 or more with it; real nods and turns at their
    # thresholds 0.95 or less (gestures.texture, docs/ACCURACY.md).
    plane_correlation_max: float = 0.965
    # A picture cannot open its mouth: over the lower face alone, a tilted photo card still
    # correlates 0.976-1.0 with its neutral view re-projected, whatever the mesh draws of its
    # lips; real open mouths at their matching frames 0.69-0.85 (dev split, docs/ENGINE.md).
    mouth_plane_correlation_max: float = 0.93
    # A different gesture fails the challenge only when it is this many times its threshold.
    clear_other_factor: float = 1.5
    # ...and held this long, with the eyes open and the mouth still (gestures.detector)...
    clear_other_hold_ms: int = 400
    # ...and made lately: that far past its threshold from the calm frame of the last this-many
    # ms (the neutral among them while it is that recent) lying farthest the other way. The
    # neutral was taken seconds ago, maybe mid-smile: a head that drifts while it talks or
    # wobbles piles degrees up against it without making any movement (`bench/involuntary.py`).
    # 0: off; otherwise longer than `clear_other_hold_ms`, or no movement could ever fail one.
    clear_other_recent_ms: int = 2000
    # Eyes and mouth are judged only while the face's 2D shape stays close to neutral: the
    # anisotropy of its map from neutral at most this (1.08 = a plane tilted by about 22 degrees).
    face_warp_max: float = 1.08  # real mouth/eye gestures in the clips stay below 1.05
    # Mouth: lip gap over mouth width.
    mouth_open_min: float = 0.35
    mouth_open_rise: float = (
        0.2  # above the neutral value, so a half-open resting mouth is not enough
    )
    mouth_closed_max: float = 0.12
    # HEAD_CLOSE_MOUTH: after the open mouth, lips back this share of the way from the widest
    # opening since neutral to the neutral also count as closed (0: back to neutral at least).
    # Lips rest a little apart after a word, and a page at 5 fps may miss the moment they met
    # (`liveportrait_d5#64-102`: 0.12-0.15 after a widest 0.47, neutral 0.02).
    mouth_closed_share: float = 0.25
    # Eyes: openness relative to the same eye in the neutral pose.
    # 0.7: MediaPipe never closes the lids fully (a closed eye reads 0.4-0.5 of open), and a
    # blink that lasts one frame, or a smaller face in a wide webcam frame, reads 0.6-0.7.
    eye_closed_ratio: float = 0.7
    eye_open_ratio: float = 0.8
    # The neutral's pixels (the patch every pixel check re-projects) are the hold's last frame
    # whose eyes are each at least this much of the hold's median: the very last may have
    # caught a blink starting (`gestures.reading.Baseline.over`). 0: the last frame.
    neutral_patch_open_ratio: float = 0.8
    # Reopening after a blink (HEAD_11) is also measured from the closed lids: both eyes this
    # far above their lowest closed reading. The mesh often leaves reopened lids a little
    # below the neutral ones (a look up, a squint after the blink).
    eye_reopen_rise: float = 0.15
    wink_gap: float = 0.3  # a winking eye this much below the other (gestures.reading._eyes)
    eye_open_min: float = 0.15  # absolute: a neutral pose needs open eyes
    # ...and each eye at least `eye_open_ratio` of the user's own open level: a high rank of
    # its openness over this much of the recent frontal frames (gestures.eye_level.EyeLevel).
    eye_level_ms: int = 2000
    # Holding a gesture: head and mouth must persist; a blink is brief by nature.
    pose_hold_ms: int = 200
    # ...counting the frames on the way (at least this share of the movement's threshold,
    # `turn_move_deg` or `nod_pitch_deg`, past neutral, the nose moved with it); only a whole
    # frame completes it (gestures.detector.GestureTracker._on_the_way). 0: whole frames only.
    pose_near_share: float = 0.5
    mouth_hold_ms: int = 200
    eye_hold_ms: int = 0
    # ...so the page samples eye challenges faster than its usual ceiling (8 fps, camera.js):
    # a blink closes the lids below `eye_closed_ratio` for 100-150 ms, which 8 fps often misses.
    eye_frame_rate: int = 15
    # ...and when frames still come sparse (this far apart or more: the page's 15 fps, a slow
    # page, a 5-10 fps camera), a frame may fall on half-closed lids only: both eyes at most
    # `eye_partly_closed_ratio` of neutral count as closed when the pixels confirm it
    # (`gestures.lids.confirm_eyes`): the eyes' band changed from the neutral view while
    # the brows above still follow it (not the nose below: words move it). Real half-closed
    # lids in the dev clips: eyes 0.77-0.94, brows 0.97-0.99; the one card frame read
    # half-closed: eyes 0.80, brows 0.52.
    eye_sparse_gap_ms: int = 60
    eye_partly_closed_ratio: float = 0.8
    eye_plane_correlation_max: float = 0.95
    eye_rest_correlation_min: float = 0.95  # the brows (the nose too before 2026-12-07)
    # Closed lids ("00", for HEAD_00 and HEAD_11) are asked of the pixels too
    # (`gestures.lids.confirm_closed`): the eyes' band below `eye_plane_correlation_max`
    # while the brows above still correlate this much with the neutral view.
    eye_brows_correlation_min: float = 0.8
    # Timing of a run.
    gesture_time_limit_ms: int = 8000
    positioning_hold_ms: int = 500
    positioning_timeout_ms: int = 20000
    between_ms: int = 500
    retry_delay_ms: int = 1500
    face_lost_fail_ms: int = 2000
    many_faces_fail_ms: int = 1000
    # A face lost, or doubled by a spurious detection, for at most this long is a glitch of
    # the model: holds and positioning carry on as if the frame had not come.
    face_glitch_ms: int = 300
    # Positioning guidance.
    face_size_min: float = 0.18  # face box width / frame width
    face_size_max: float = 0.8
    center_max_x: float = 0.2  # offset of the face centre, in frame widths
    center_max_y: float = 0.25
    brightness_min: float = 50.0
    brightness_max: float = 215.0
    still_speed_max: float = 3.0  # face widths per second the face centre may travel
    # A face whose centre jumps this many face widths between frames is a different face.
    face_jump_max: float = 0.8
    # Passive anti-spoofing (gestures.passive): spoof_percentage = 1 - the median live
    # probability of the run's sampled frames. At the page's 480 px / JPEG 70, live clips give
    # 0.0-0.25 for most people but up to 0.65 for two (studio-lit, smiling); the screen
    # replays and prints of spoof/ 0.78-1.0. HIGH, which fails the session, sits above the live
    # clips; docs/ACCURACY.md's sweep (dev split) shows what 0.5-0.85 would trade. MODERATE is
    # for reviewers.
    passive_spoof_high: float = 0.7
    passive_spoof_moderate: float = 0.4
    # Fewer sampled frames than this is no evidence of life; 0 turns the check off (only for
    # replays of recorded landmarks, which carry no pixels to score).
    passive_min_samples: int = 3
    passive_sample_every: int = 10  # then one frame in this many (the model's cost budget)
    # A passive session (gestures.passive_session): the user holds one still, frontal face in
    # view this long; every such frame is scored, and the run needs at least this many scores.
    passive_hold_ms: int = 3000
    passive_hold_min_samples: int = 5
    # Hand gestures (gestures.hand_challenge). The shape must be formed after the challenge
    # opens and held this long (real time, whatever the frame rate)...
    hand_hold_ms: int = 400
    # ...by a hand beside the user's face: its centre at most this many face widths from the
    # face's centre, its palm (wrist to middle-finger base) at least this many face widths
    # long (a hand far behind the user is someone else's).
    hand_face_distance_max: float = 3.0
    hand_size_min: float = 0.2
    # Another of GLAIR's shapes held this long fails the attempt (NOT_MATCH); a fist does not,
    # since it is where most people start from. Two hands beside the face held this long
    # fail it with "too many hand detected".
    hand_other_hold_ms: int = 1200
    hand_many_fail_ms: int = 1000

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None = None) -> EngineConfig:
        """Defaults, with the given keys replaced. Unknown keys are an error, not a typo to ignore."""
        overrides = dict(overrides or {})
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - set(names))
        if unknown:
            raise ValueError(f"unknown engine settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in overrides.items():
            kind = int if names[key].type in ("int", int) else float
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"engine setting {key} must be a number, got {value!r}")
            values[key] = kind(value)
        config = cls(**values)
        if not 0 <= config.mouth_closed_share < 1:
            raise ValueError(
                f"engine setting mouth_closed_share ({config.mouth_closed_share}) must be at "
                "least 0 and below 1: a share of the way from the widest opening to neutral"
            )
        if not 0 <= config.pose_near_share < 1:
            raise ValueError(
                f"engine setting pose_near_share ({config.pose_near_share}) must be 0 (off) "
                "or a share of a head movement's threshold below 1"
            )
        recent = config.clear_other_recent_ms
        if 0 < recent <= config.clear_other_hold_ms:
            raise ValueError(
                f"engine setting clear_other_recent_ms ({recent}) must be 0 (off) or longer "
                f"than clear_other_hold_ms ({config.clear_other_hold_ms}): no head movement "
                "could ever fail a challenge"
            )
        return config

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
