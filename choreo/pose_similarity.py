"""How alike two poses are: COCO's Object Keypoint Similarity on torso-normalised poses.

OKS (Lin et al., "Microsoft COCO", 2014; cocodataset.org/#keypoints-eval): for each keypoint
visible in both poses, exp(-d^2 / (2 s^2 k^2)) with k = 2 sigma_i (COCO's per-keypoint sigmas:
a wrist may stray further than an eye) and s^2 the object's area; OKS is the mean over those
keypoints, 1 for identical poses. Here each pose is first centred on its torso centre (mean of
shoulders and hips) and scaled to one torso length, so position and size in the frame do not
count, and s^2 is ``AREA`` torso lengths squared (about a standing person's segment area).
"""
from __future__ import annotations

import numpy as np

from choreo.signals import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER, nanmean

#: COCO keypoint sigmas, in COCO keypoint order (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles).
COCO_SIGMAS = np.array([0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89]) / 10
AREA = 2.0
TORSO = (LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)


def normalise_poses(keypoints: np.ndarray, torso_length: np.ndarray) -> np.ndarray:
    """Poses of shape (frames, 17, 2), in time order, centred on their torso centre, in torso lengths.

    The centre is the mean of both shoulders and both hips, in frames where all four are seen; in
    other frames it is interpolated from the nearest such frames, because the mean of three of them
    would jump by a quarter of a hip width (a hip near the confidence threshold would shake the
    whole pose). Without any such frame, the mean of whatever torso keypoints each frame has."""
    torso = keypoints[:, TORSO]
    complete = ~np.isnan(torso).any(axis=(1, 2))
    centre = nanmean(torso, axis=1)
    if complete.any() and not complete.all():
        index = np.arange(len(keypoints))
        centre = np.stack([np.interp(index, index[complete], centre[complete, axis]) for axis in range(2)], axis=1)
    return (keypoints - centre[:, None]) / np.asarray(torso_length, float)[:, None, None]


def keypoint_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-keypoint similarity exp(-d^2 / (2 s^2 k^2)) of normalised poses (..., 17, 2); NaN where
    either keypoint is missing."""
    d2 = ((np.asarray(a, float) - b) ** 2).sum(axis=-1)
    return np.exp(-d2 / (2 * AREA * (2 * COCO_SIGMAS) ** 2))


def oks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """OKS per frame of normalised poses of shape (frames, 17, 2); NaN for frames with no keypoint
    visible in both."""
    return nanmean(keypoint_similarity(a, b), axis=-1)
