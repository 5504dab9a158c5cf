"""How alike two dancers' movements are: the correlation of their poses' changes, pooled over keypoints.

The input is two aligned series of torso-normalised poses (frames, 17, 2): the reference's, and the
attempt's at the aligned times. Each dancer's own average pose over the compared span is taken away
(per keypoint and axis), leaving how each keypoint moves away from where it usually is; the match of
a set of frames and keypoints is then

    r = sum(x * y) / sqrt(sum(x^2) * sum(y^2))

over those frames, keypoints and both axes where both poses are known (x, y: the centred
coordinates). Over all frames this is Pearson's correlation with the means taken per keypoint and
axis, pooled so that the keypoints that move most count most (a barely moving hip adds little noise);
over a segment it is the same sum restricted to the segment's frames, so the segment sums make up the
whole.

Why not the similarity of the poses themselves (OKS): once two poses are centred on the torso and
scaled to it, the torso and head keypoints of any two upright people nearly coincide, so unrelated
dances score about 0.5-0.6 OKS, and two people dancing the same choreography (different bodies, a
phone held at another height) score no higher. What they share is the movement: the same limbs going
the same way at the same time. r is 1 for the same movement (whatever each dancer's build, stance or
size of movement), 0 for unrelated movement and negative for opposite movement (a mirror image).
Where neither dancer moves (a pose held by both) there is nothing to correlate: the caller compares the
poses' shapes instead (``comparison_segments.movement_score``).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Below this much movement (mean squared centred coordinate, torso lengths squared: a keypoint wandering
#: about 0.03 torso lengths, the jitter of a pose model on someone standing still) a side holds still.
MIN_MOVEMENT = 1e-3


class MovementMatch:
    """Centred coordinates of two aligned pose series, ready to be correlated over any frames and keypoints."""

    def __init__(self, reference: np.ndarray, attempt: np.ndarray) -> None:
        """``reference``, ``attempt``: (frames, 17, 2) normalised poses, NaN where unknown, paired frame by frame."""
        self._known = np.isfinite(reference) & np.isfinite(attempt)
        self._x = _centred(reference, self._known)
        self._y = _centred(attempt, self._known)

    def correlation(self, frames: np.ndarray | slice = slice(None), keypoints: Sequence[int] | None = None) -> float | None:
        """r over ``frames`` (a mask or slice) and ``keypoints`` (all when None): 0 when only one side moves
        (``MIN_MOVEMENT``), None when neither does (then there is only the poses' shape to compare)."""
        columns = list(keypoints) if keypoints is not None else slice(None)
        x, y = self._x[frames][:, columns], self._y[frames][:, columns]
        sxx, syy = float((x * x).sum()), float((y * y).sum())
        cells = max(int(self._known[frames][:, columns].sum()), 1)
        still = (sxx / cells < MIN_MOVEMENT, syy / cells < MIN_MOVEMENT)
        if all(still):
            return None
        if any(still):
            return 0.0
        return float((x * y).sum() / np.sqrt(sxx * syy))


def percent(r: float | None) -> float | None:
    """A correlation as a 0-100 score: 100 r, negative correlations (opposite movement) as 0."""
    return None if r is None else float(np.clip(r, 0.0, 1.0) * 100)


def _centred(poses: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Each keypoint coordinate minus its mean over the frames where both poses know it; 0 where unknown."""
    values = np.where(known, poses, 0.0)
    count = known.sum(axis=0)
    mean = values.sum(axis=0) / np.maximum(count, 1)
    return np.where(known, poses - mean, 0.0)
