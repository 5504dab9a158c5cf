"""How far one setting's people agree with the exact mode's, frame by frame (pure: lists in, figures out).

People are paired greedily by box IoU (highest first, at least ``MIN_IOU``); a keypoint counts
when both sides are confident in it (visibility above ``CONFIDENT``), as a person would see it drawn.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pose_worker.decode import Person

#: Boxes overlapping this much are the same person (the COCO matching threshold).
MIN_IOU = 0.5
#: Keypoints at least this visible are the ones drawn in the overlay and used by the dance measures.
CONFIDENT = 0.5


@dataclass(frozen=True)
class Agreement:
    frames: int
    #: Share of frames where both found the same number of people.
    count_agreement: float
    #: Mean distance (frame pixels) between paired people's confident keypoints; NaN when none paired.
    keypoint_error_px: float
    #: The largest such distance.
    keypoint_error_max_px: float
    people_reference: int
    people_candidate: int
    #: Reference people without a partner in the candidate's frame.
    people_missed: int


def compare_people(reference: Sequence[Sequence[Person]], candidate: Sequence[Sequence[Person]]) -> Agreement:
    """Agreement of ``candidate`` with ``reference`` over the same frames."""
    if len(reference) != len(candidate):
        raise ValueError(f"{len(reference)} reference frames but {len(candidate)} candidate frames")
    same_count = missed = 0
    distances: list[np.ndarray] = []
    for ours, theirs in zip(reference, candidate):
        same_count += len(ours) == len(theirs)
        pairs = pair_people(ours, theirs)
        missed += len(ours) - len(pairs)
        for i, j in pairs:
            a, b = ours[i].keypoints, theirs[j].keypoints
            both = (a[:, 2] > CONFIDENT) & (b[:, 2] > CONFIDENT)
            distances.append(np.hypot(*(a[both, :2] - b[both, :2]).T))
    flat = np.concatenate(distances) if distances else np.empty(0)
    return Agreement(
        frames=len(reference),
        count_agreement=same_count / max(len(reference), 1),
        keypoint_error_px=float(flat.mean()) if flat.size else float("nan"),
        keypoint_error_max_px=float(flat.max()) if flat.size else float("nan"),
        people_reference=sum(map(len, reference)),
        people_candidate=sum(map(len, candidate)),
        people_missed=missed,
    )


def pair_people(reference: Sequence[Person], candidate: Sequence[Person]) -> list[tuple[int, int]]:
    """Index pairs (reference, candidate) of the same person, greedily by box IoU."""
    scored = sorted(
        ((box_iou(a.box, b.box), i, j) for i, a in enumerate(reference) for j, b in enumerate(candidate)), reverse=True
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for iou, i, j in scored:
        if iou < MIN_IOU:
            break
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return pairs


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``x1, y1, x2, y2`` boxes."""
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
