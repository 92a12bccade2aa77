"""The subset of MediaPipe face-mesh landmarks the engine keeps, and named groups of it.

An observation carries only these ~60 of the 468 mesh points, so it stays small on the wire
(Celery/Redis) while the gesture logic can still recompute everything from recorded data.
Indices refer to the 468-point MediaPipe face mesh topology. "Right"/"left" are the subject's
own: the subject's right eye appears on the image's left in an unmirrored camera frame.
"""

from __future__ import annotations

# Mesh index -> short name. Order matters: it is the row order of the compact array.
SUBSET: dict[str, int] = {
    # Face outline, upper part (rigid: the jaw is excluded because it moves with the mouth).
    "forehead": 10,
    "forehead_mid": 151,
    "forehead_r": 109,
    "forehead_l": 338,
    "temple_hi_r": 67,
    "temple_hi_l": 297,
    "temple_r": 127,
    "temple_l": 356,
    "cheek_edge_r": 234,
    "cheek_edge_l": 454,
    "cheek_low_r": 93,
    "cheek_low_l": 323,
    "jaw_r": 132,
    "jaw_l": 361,
    "jaw_low_r": 172,
    "jaw_low_l": 397,
    "chin": 152,
    "chin_r": 148,
    "chin_l": 377,
    # Brows.
    "brow_out_r": 70,
    "brow_out_l": 300,
    "brow_mid_r": 105,
    "brow_mid_l": 334,
    "brow_in_r": 107,
    "brow_in_l": 336,
    # Nose: the part of the face that sticks out of its plane (the parallax probe).
    "nose_tip": 1,
    "nose_low": 4,
    "subnasale": 2,
    "nose_bridge": 6,
    "glabella": 168,
    "ala_r": 98,
    "ala_l": 327,
    # Right eye (subject's right, image left): outer, inner, three upper/lower pairs.
    "eye_r_out": 33,
    "eye_r_in": 133,
    "eye_r_up1": 160,
    "eye_r_lo1": 144,
    "eye_r_up2": 159,
    "eye_r_lo2": 145,
    "eye_r_up3": 158,
    "eye_r_lo3": 153,
    # Left eye (subject's left, image right).
    "eye_l_out": 263,
    "eye_l_in": 362,
    "eye_l_up1": 387,
    "eye_l_lo1": 373,
    "eye_l_up2": 386,
    "eye_l_lo2": 374,
    "eye_l_up3": 385,
    "eye_l_lo3": 380,
    # Mouth: corners, inner lip pairs, outer lip midpoints.
    "mouth_r": 61,
    "mouth_l": 291,
    "lip_in_up": 13,
    "lip_in_lo": 14,
    "lip_in_up_r": 81,
    "lip_in_lo_r": 178,
    "lip_in_up_l": 311,
    "lip_in_lo_l": 402,
    "lip_out_up": 0,
    "lip_out_lo": 17,
}

NAMES: tuple[str, ...] = tuple(SUBSET)
MESH_INDICES: tuple[int, ...] = tuple(SUBSET.values())
ROW: dict[str, int] = {name: row for row, name in enumerate(NAMES)}


def rows(*names: str) -> list[int]:
    """Row numbers of named points in the compact landmark array."""
    return [ROW[name] for name in names]


# Points that move together with the skull whatever the face does (no jaw, lips, lids, brows).
RIGID_RING = rows(
    "forehead", "forehead_mid", "forehead_r", "forehead_l", "temple_hi_r", "temple_hi_l",
    "temple_r", "temple_l", "cheek_edge_r", "cheek_edge_l", "cheek_low_r", "cheek_low_l",
    "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in",
)  # fmt: skip
# Points MediaPipe pins to sharp image features (eye corners, brows, mouth corners). On a flat
# photo they follow one homography exactly; the face-outline points do not (the model guesses
# them from its 3D prior), so they must not be used to judge flatness.
ANCHORS = rows(
    "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in", "brow_in_r", "brow_in_l", "brow_mid_r",
    "brow_mid_l", "brow_out_r", "brow_out_l", "mouth_r", "mouth_l",
)  # fmt: skip
# Upper-face points spread over the whole face: the face-size yardstick.
PLANE = rows(
    "forehead", "forehead_mid", "forehead_r", "forehead_l", "temple_hi_r", "temple_hi_l",
    "eye_r_out", "eye_r_in", "eye_l_out", "eye_l_in", "cheek_low_r", "cheek_low_l",
)  # fmt: skip
NOSE = rows("nose_tip", "nose_low")
EYE_R = rows("eye_r_out", "eye_r_in", "eye_r_up1", "eye_r_lo1", "eye_r_up2", "eye_r_lo2",
             "eye_r_up3", "eye_r_lo3")  # fmt: skip
EYE_L = rows("eye_l_out", "eye_l_in", "eye_l_up1", "eye_l_lo1", "eye_l_up2", "eye_l_lo2",
             "eye_l_up3", "eye_l_lo3")  # fmt: skip
MOUTH = rows("mouth_r", "mouth_l", "lip_in_up", "lip_in_lo", "lip_in_up_r", "lip_in_lo_r",
             "lip_in_up_l", "lip_in_lo_l")  # fmt: skip
