"""Joint angles in degrees from 2-D keypoints (image plane: a 2-D projection of the 3-D angle).

The angle at B between A and C is atan2(|u x v|, u . v) with u = A - B, v = C - B: 90 degrees for
(1, 0), (0, 0), (0, 1), 180 for a straight limb; undefined (NaN) where B coincides with A or C.
"""
from __future__ import annotations

import numpy as np

#: COCO keypoint indices: (A, B, C) with the angle measured at B.
JOINTS: dict[str, tuple[int, int, int]] = {
    "left_elbow": (5, 7, 9),
    "right_elbow": (6, 8, 10),
    "left_shoulder": (11, 5, 7),
    "right_shoulder": (12, 6, 8),
    "left_hip": (5, 11, 13),
    "right_hip": (6, 12, 14),
    "left_knee": (11, 13, 15),
    "right_knee": (12, 14, 16),
}
#: Left/right pairs compared for symmetry.
JOINT_PAIRS = (("left_elbow", "right_elbow"), ("left_shoulder", "right_shoulder"),
               ("left_hip", "right_hip"), ("left_knee", "right_knee"))


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at ``b`` in degrees, for points of shape (..., 2); NaN where ``b`` meets ``a`` or ``c``."""
    u, v = np.asarray(a, float) - b, np.asarray(c, float) - b
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    angle = np.degrees(np.arctan2(np.abs(cross), dot))
    degenerate = np.all(u == 0, axis=-1) | np.all(v == 0, axis=-1)
    return np.where(degenerate, np.nan, angle)


def joint_angles(keypoints: np.ndarray) -> dict[str, np.ndarray]:
    """Every joint's angle per frame, degrees, from keypoints of shape (frames, 17, 2); missing
    keypoints are NaN and give NaN angles."""
    keypoints = np.asarray(keypoints, float)
    return {name: joint_angle(keypoints[:, a], keypoints[:, b], keypoints[:, c]) for name, (a, b, c) in JOINTS.items()}
