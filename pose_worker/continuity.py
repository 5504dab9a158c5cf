"""Whether one piece of track can continue another: never seen at once, within reach, of a size that fits.

The physical limits the offline re-linking (``pose_worker/relinking.py``) judges a junction by, where a
piece ends (``before``) and the next begins (``after``): a person cannot be in two places at once, cannot
cross the picture faster than a brisk run, and does not change size suddenly, while a camera's zoom
changes everyone's size slowly. Distances are in body heights (the boxes' mean height), sizes are the
torso (shoulder midpoint to hip midpoint, where seen) and the box's area. Pure numpy, no I/O.
"""
from __future__ import annotations

import numpy as np

from pose_worker.tracklets import Tracklet

#: A new piece may start this long before the old one's last detection (the detector fired on the
#: dancer twice for a few frames as one track took over from the other; the better-scored keeps the id).
HANDOVER_OVERLAP_S = 0.12
#: Longest gap a link may bridge: a dancer hidden behind another for a few seconds comes back.
MAX_GAP_S = 6.0
#: How far a person may appear from where they were (body heights): a step at once, plus a brisk run
#: (about 4 m/s, 2.5 body heights a second) during the gap.
REACH_BASE = 0.6
REACH_PER_S = 2.5
#: How much a person's torso may grow or shrink from one piece to the next (bending, a jump, the camera
#: zooming: up to 1.7x across a 0.2 s gap on the real ballet clip), more across a longer gap (a zoom goes on).
#: Two people of different sizes across a cut between scenes differ more.
MAX_SIZE_CHANGE = 2.0
SIZE_CHANGE_PER_S = 0.25
#: How much a person's box may grow or shrink across a gap (its area; arms thrown out, a crouch): 3x at once,
#: more across a longer gap (a zoom: up to 4-7x over 1-6 s on the ballet clip). Across a cut between two
#: scenes, a near person's box and a far person's differ 10x and more.
MAX_AREA_CHANGE = 3.0
AREA_CHANGE_PER_S = 2.0
#: Seconds at a piece's end (or start) whose median torso stands for its size there.
SIZE_WINDOW_S = 0.5
#: How long the velocity at a piece's end is carried across a gap (a turn or a stop ends it).
EXTRAPOLATE_S = 0.5
#: The velocity at a piece's end is measured over its last this many seconds.
VELOCITY_WINDOW_S = 0.3


def apart(first_a: float, last_a: float, first_b: float, last_b: float) -> bool:
    """Whether two pieces are never seen at once, but for a sliver (``HANDOVER_OVERLAP_S``) where one
    starts before the other ends."""
    if last_a < first_b or last_b < first_a:
        return True
    sliver = min(last_a, last_b) - max(first_a, first_b)
    return sliver <= HANDOVER_OVERLAP_S and (first_a < first_b < last_a < last_b or first_b < first_a < last_b < last_a)


def reach_share(before: Tracklet, after: Tracklet) -> float | None:
    """Distance from where ``before`` was (or was heading) to where ``after`` appears, as a share of
    how far a person gets in the gap (0..1); None beyond that, or across too long a gap."""
    gap = max(after.first_t - before.last_t, 0.0)  # a sliver of overlap counts as no gap
    if gap > MAX_GAP_S:
        return None
    end, start = before.boxes[-1], after.boxes[0]
    if _size_change(before, after) > MAX_SIZE_CHANGE + SIZE_CHANGE_PER_S * gap:
        return None
    if _ratio(_area(end), _area(start)) > MAX_AREA_CHANGE * (1 + AREA_CHANGE_PER_S * gap):
        return None
    height = max((end[3] - end[1] + start[3] - start[1]) / 2, 1.0)
    centre_end, centre_start = _centre(end), _centre(start)
    heading = centre_end + _velocity(before) * min(gap, EXTRAPOLATE_S)
    distance = min(np.linalg.norm(centre_start - centre_end), np.linalg.norm(centre_start - heading)) / height
    reach = REACH_BASE + REACH_PER_S * gap
    return distance / reach if distance <= reach else None


def _size_change(before: Tracklet, after: Tracklet) -> float:
    """Ratio (>= 1) of the torso lengths at the end of ``before`` and the start of ``after``; 1 when unknown."""
    end = _median_or_nan(before.torso[before.t >= before.last_t - SIZE_WINDOW_S])
    start = _median_or_nan(after.torso[after.t <= after.first_t + SIZE_WINDOW_S])
    return _ratio(end, start)


def _ratio(a: float, b: float) -> float:
    """max / min of two sizes (>= 1); 1 when either is unknown or not positive."""
    return max(a, b) / min(a, b) if a > 0 and b > 0 else 1.0


def _area(box: np.ndarray) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def _median_or_nan(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(np.median(known)) if len(known) else float("nan")


def _velocity(tracklet: Tracklet) -> np.ndarray:
    """Box centre velocity (pixels per second) over the piece's last ``VELOCITY_WINDOW_S``."""
    recent = tracklet.t >= tracklet.last_t - VELOCITY_WINDOW_S
    if recent.sum() < 2:
        return np.zeros(2)
    t = tracklet.t[recent]
    centres = (tracklet.boxes[recent, :2] + tracklet.boxes[recent, 2:]) / 2
    return (centres[-1] - centres[0]) / max(t[-1] - t[0], 1e-6)


def _centre(box: np.ndarray) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
