"""A comparison's segments: the reference cut into phrases, each scored, timed and, when it falls short, explained.

Segments are the reference's 8-beat phrases when its music has beats, else ``WINDOW_S`` windows. The
phrases are counted as a teacher counts: eight 1 is beats 1-8 from the music's first beat, eight 2 the
next eight beats (the page's 1-8 counts), so feedback can name "the 3rd eight". Each
segment's score and body parts are the movement match (``choreo.movement_match``) over its frames, or,
where neither dancer moves, the held poses' similarity (OKS) stands in. Its timing is the median shift
of the alignment from the line (positive: the attempt is late there).
Feedback goes only to segments scoring under ``FEEDBACK_BELOW`` and names what differs most, as a
dancer would say it: a joint held differently ("left knee bent 35° more"), or a joint moving
differently ("right arm moves differently, about 40° apart").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from choreo.angles import JOINTS, joint_angles
from choreo.movement_match import MovementMatch, percent
from choreo.signals import TrackSeries

PHRASE_BEATS = 8
WINDOW_S = 2.0
#: Shorter than this, a segment at either end is too little to score (a few frames of noise) and joins its neighbour.
MIN_SEGMENT_S = 1.0
WORST = 3
#: Keypoint indices of each COCO body part.
BODY_PARTS = {
    "head": (0, 1, 2, 3, 4),
    "torso": (5, 6, 11, 12),
    "arms": (7, 8, 9, 10),
    "legs": (13, 14, 15, 16),
}
#: Segments scoring under this get feedback: r under 0.7 means less than half (r² < 0.49) of the
#: attempt's movement there goes with the reference's; above it, the movement is mostly right and
#: the remaining differences are as likely the two videos' (camera, build) as the dancer's.
FEEDBACK_BELOW = 70.0
#: Joint angle differences under this are not worth a word: 2-D angles from phone video wander by
#: about this much with the keypoints' noise and the camera's angle.
MIN_ANGLE_DEG = 15.0
#: How a larger (+) or smaller (-) angle than the reference's reads, per joint kind.
ANGLE_WORDS = {
    "elbow": ("{side} elbow bent {d}° less", "{side} elbow bent {d}° more"),
    "knee": ("{side} knee bent {d}° less", "{side} knee bent {d}° more"),
    "shoulder": ("{side} arm raised {d}° higher", "{side} arm {d}° lower"),
    "hip": ("{side} hip {d}° straighter", "{side} leg lifted {d}° more at the hip"),
}
#: What moves at each joint kind, for "moves differently".
MOVING_PART = {"elbow": "elbow", "knee": "knee", "shoulder": "arm", "hip": "leg"}


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    #: Movement match, 0-100 (None: no movement to compare).
    score: float | None
    #: Median shift from the alignment's line, ms; positive: the attempt is late here.
    timing_ms: float | None
    body_parts: dict[str, float | None]
    worst_body_part: str | None
    #: What differs most, in words; None for segments scoring at least ``FEEDBACK_BELOW``.
    feedback: str | None
    #: The 8-count of the reference's music the segment is (most of it) in, 1 from the music's first beat;
    #: None without beats (time windows) or before the first beat.
    eight: int | None = None


@dataclass(frozen=True)
class Bounds:
    start_s: float
    end_s: float
    eight: int | None


def segment_bounds(ref_t: np.ndarray, beats: np.ndarray | None) -> list[Bounds]:
    """Each segment's place on the reference's clock: its 8-count phrases (edges on every 8th beat from the
    music's first, so they fall on the counts' 1s), or ``WINDOW_S`` windows when fewer than a phrase of
    beats falls in the dance."""
    start, end = float(ref_t[0]), float(ref_t[-1])
    beats = np.sort(np.asarray(beats if beats is not None else [], float))
    phrase_starts = beats[::PHRASE_BEATS]
    if np.count_nonzero((beats >= start) & (beats <= end)) > PHRASE_BEATS:
        edges = [start, *(float(b) for b in phrase_starts if start < b < end), end]
    else:
        phrase_starts = np.array([])
        edges = list(np.arange(start, end, WINDOW_S)) + [end]
    # A sliver at either end (the video stops mid-window, the dance starts just before a phrase) joins its neighbour.
    if len(edges) > 2 and edges[1] - edges[0] < MIN_SEGMENT_S:
        del edges[1]
    if len(edges) > 2 and edges[-1] - edges[-2] < MIN_SEGMENT_S:
        del edges[-2]
    return [Bounds(a, b, _eight_at(phrase_starts, (a + b) / 2)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _eight_at(phrase_starts: np.ndarray, t: float) -> int | None:
    """The 8-count (1-based) playing at ``t``; None before the first beat or without beats."""
    eight = int(np.searchsorted(phrase_starts, t, side="right"))
    return eight or None


def movement_score(
    match: MovementMatch, similarity: np.ndarray, frames: np.ndarray | slice = slice(None),
    keypoints: tuple[int, ...] | None = None,
) -> tuple[float | None, float | None]:
    """(score 0-100, r) over ``frames`` and ``keypoints``: the movement match; where neither dancer moves,
    100 x the mean OKS (``similarity``: per frame and keypoint) of the held poses, and r None."""
    r = match.correlation(frames, keypoints)
    if r is not None:
        return percent(r), r
    values = similarity[frames][:, list(keypoints) if keypoints is not None else slice(None)]
    return (float(np.nanmean(values) * 100) if np.isfinite(values).any() else None), None


def body_parts(
    match: MovementMatch, similarity: np.ndarray, frames: np.ndarray | slice = slice(None)
) -> dict[str, tuple[float | None, float | None]]:
    """Each body part's (score, r) over ``frames`` (``movement_score``)."""
    return {name: movement_score(match, similarity, frames, keypoints) for name, keypoints in BODY_PARTS.items()}


def segment(
    bounds: Bounds, ref_t: np.ndarray, match: MovementMatch, similarity: np.ndarray, shift_s: np.ndarray,
    angles: dict[str, np.ndarray],
) -> Segment:
    """One segment: ``similarity`` is the OKS per reference frame and keypoint, ``shift_s`` each reference
    frame's shift from the line (s), ``angles`` the joint angle differences (attempt minus reference,
    degrees) per reference frame."""
    start, end = bounds.start_s, bounds.end_s
    inside = (ref_t >= start) & (ref_t < end)
    if not inside.any():
        return Segment(start, end, None, None, {name: None for name in BODY_PARTS}, None, None, bounds.eight)
    score = movement_score(match, similarity, inside)[0]
    parts = body_parts(match, similarity, inside)
    # The lowest part by r where it moved (an opposite movement below an unrelated one), else by its score.
    rank = {name: r if r is not None else part_score / 100 for name, (part_score, r) in parts.items() if part_score is not None}
    worst = min(rank, key=rank.get) if rank else None
    needs_feedback = score is not None and score < FEEDBACK_BELOW
    return Segment(
        start_s=start,
        end_s=end,
        score=score,
        timing_ms=float(np.median(shift_s[inside]) * 1000),
        body_parts={name: part_score for name, (part_score, _) in parts.items()},
        worst_body_part=worst,
        feedback=feedback({name: d[inside] for name, d in angles.items()}, worst) if needs_feedback else None,
        eight=bounds.eight,
    )


def worst_segments(segments: list[Segment]) -> list[Segment]:
    """The ``WORST`` lowest-scoring segments under ``FEEDBACK_BELOW``, lowest first (none when all do well)."""
    low = [s for s in segments if s.score is not None and s.score < FEEDBACK_BELOW]
    return sorted(low, key=lambda s: s.score)[:WORST]


def angle_differences(
    reference: TrackSeries, attempt: TrackSeries, ref_t: np.ndarray, matched_t: np.ndarray, mirrored: bool
) -> dict[str, np.ndarray]:
    """Attempt angle minus reference angle, degrees, per reference frame (the attempt's own left is
    the reference's right when mirrored)."""
    ref_angles = joint_angles(reference.keypoints)
    att_angles = joint_angles(attempt.keypoints)
    differences = {}
    for name in JOINTS:
        counterpart = _other_side(name) if mirrored else name
        differences[name] = np.interp(matched_t, attempt.t, att_angles[counterpart]) - np.interp(
            ref_t, reference.t, ref_angles[name]
        )
    return differences


def feedback(differences: dict[str, np.ndarray], worst_part: str | None) -> str | None:
    """The joint whose angle differs most over the segment (root mean square), in a dancer's words: held
    differently when the difference is mostly steady, moving differently when it comes and goes."""
    spread = {name: _rms(d) for name, d in differences.items() if np.isfinite(d).any()}
    spread = {name: value for name, value in spread.items() if value >= MIN_ANGLE_DEG}
    if not spread:
        return f"the {worst_part} move differently from the reference's" if worst_part else None
    name = max(spread, key=spread.get)
    side, kind = name.split("_", 1)
    mean = float(np.nanmean(differences[name]))
    if abs(mean) >= MIN_ANGLE_DEG and abs(mean) >= spread[name] / 2:
        larger, smaller = ANGLE_WORDS[kind]
        return (larger if mean > 0 else smaller).format(side=side, d=round(abs(mean)))
    return f"{side} {MOVING_PART[kind]} moves differently, about {round(spread[name])}° apart"


def _rms(values: np.ndarray) -> float:
    known = values[np.isfinite(values)]
    return float(np.sqrt(np.mean(known**2)))


def _other_side(name: str) -> str:
    return name.replace("left_", "right_") if name.startswith("left_") else name.replace("right_", "left_")
