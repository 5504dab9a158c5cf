"""Compare an attempt with a reference dance: a score, timing, and feedback per body part and phrase.

1. Both dancers' poses are torso-normalised and resampled to one even rate (``signals``).
2. Mirror: with ``auto``, the attempt is flipped (x mirrored, left and right swapped) when its
   best-diagonal similarity with the reference is clearly (``MIRROR_MARGIN``) higher that way: a
   selfie camera or a class facing the teacher mirrors the dance.
3. ``alignment.align`` pairs frames (subsequence DTW). The pairing is then made continuous: each
   reference frame's attempt time is the mean of its paired frames, smoothed over ``SMOOTH_S``,
   and the attempt's pose is interpolated at that time, so a slower or faster attempt is not
   penalised for falling between frames. Each reference frame's similarity is the OKS with it.
4. ``score`` = 100 x the mean over reference frames. Every reference frame is matched, so a part of
   the choreography the attempt skipped or got wrong costs its full share; attempt frames before
   or after the matched span (a late start, a run-up, walking off) are not scored, and the time
   they take is what ``offset_s`` reports. Reference frames with no known pose do not count.
5. ``tempo_ratio``: slope of attempt time against reference time (least squares over the middle
   90 % of the path); ``offset_s``: how much later the attempt starts, the median along the path of
   (attempt time - reference time) once the tempo's drift is taken out (at one tempo, simply the
   median shift); ``timing`` per segment: its median shift minus ``offset_s`` (positive: late; an
   attempt danced slower falls more and more behind).
6. Body parts and segments average the per-keypoint similarities; the worst segments say which
   joint angle differs most, in words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from choreo.alignment import Alignment, align, best_diagonal, oks_matrix
from choreo.angles import JOINTS, joint_angles
from choreo.pose_similarity import keypoint_similarity, normalise_poses
from choreo.signals import TrackSeries, frame_rate, nanmean, resample

MIRROR_MARGIN = 0.05
#: Keypoint indices of each COCO body part.
BODY_PARTS = {
    "head": (0, 1, 2, 3, 4),
    "torso": (5, 6, 11, 12),
    "arms": (7, 8, 9, 10),
    "legs": (13, 14, 15, 16),
}
#: Keypoint order after a left-right swap.
MIRRORED_ORDER = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)
MAX_RATE = 30.0
PHRASE_BEATS = 8
WINDOW_S = 2.0
WORST = 3
SMOOTH_S = 0.5


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    score: float | None
    #: Median shift minus the global offset, ms; positive: the attempt is late here.
    timing_ms: float | None
    body_parts: dict[str, float | None]
    worst_body_part: str | None
    #: The joint angle that differs most, in words (e.g. "left knee bent 35° less").
    feedback: str | None


@dataclass(frozen=True)
class Comparison:
    score: float
    offset_s: float
    tempo_ratio: float
    mirrored: bool
    body_parts: dict[str, float | None]
    segments: list[Segment]
    worst_segments: list[Segment]
    #: (reference time, attempt time) for each reference frame: the alignment.
    path_s: np.ndarray
    #: Similarity (0..1) per reference frame, on ``reference_t``.
    reference_t: np.ndarray
    frame_similarity: np.ndarray


def compare(
    reference: TrackSeries, attempt: TrackSeries, *, mirror: str = "auto", reference_beats: np.ndarray | None = None
) -> Comparison:
    """Compare two dancers; ``mirror`` is ``auto``, ``on`` or ``off``; ``reference_beats`` (music beat
    times of the reference video) make the segments 8-beat phrases instead of 2-second windows."""
    rate = min(frame_rate(reference.t), frame_rate(attempt.t), MAX_RATE)
    ref_t, ref_poses = _even(reference, rate)
    att_t, att_poses = _even(attempt, rate)
    mirrored = _should_mirror(ref_poses, att_poses, rate) if mirror == "auto" else mirror == "on"
    if mirrored:
        att_poses = mirror_poses(att_poses)
    alignment = align(ref_poses, att_poses, rate)
    position = _continuous_position(alignment, len(ref_t), rate)
    per_keypoint = keypoint_similarity(ref_poses, _pose_at(att_poses, position))
    frame_similarity = nanmean(per_keypoint, axis=-1)
    matched_t = np.interp(position, np.arange(len(att_t)), att_t)
    shift = matched_t - ref_t
    tempo_ratio = _slope(ref_t, matched_t)
    # The start's shift: the median shift once the tempo's drift is taken out (the plain median
    # shift when both dance at one tempo).
    offset_s = float(np.median(matched_t - ref_t[0] - tempo_ratio * (ref_t - ref_t[0])))
    angles = _angle_differences(reference, attempt, ref_t, matched_t, mirrored)
    segments = [
        _segment(start, end, ref_t, per_keypoint, shift - offset_s, angles)
        for start, end in _segment_bounds(ref_t, reference_beats)
    ]
    scored = [s for s in segments if s.score is not None]
    return Comparison(
        score=_percent(np.nanmean(frame_similarity)) if np.isfinite(frame_similarity).any() else 0.0,
        offset_s=offset_s,
        tempo_ratio=tempo_ratio,
        mirrored=mirrored,
        body_parts=_body_parts(per_keypoint),
        segments=segments,
        worst_segments=sorted(scored, key=lambda s: s.score)[:WORST],
        path_s=np.stack([ref_t, matched_t], axis=1),
        reference_t=ref_t,
        frame_similarity=frame_similarity,
    )


def mirror_poses(poses: np.ndarray) -> np.ndarray:
    """Normalised poses as a mirror shows them: x negated, left and right keypoints swapped."""
    flipped = poses[:, list(MIRRORED_ORDER)].copy()
    flipped[..., 0] *= -1
    return flipped


def _even(track: TrackSeries, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """The track's normalised poses resampled on an even grid at ``rate`` (NaN where unknown)."""
    poses = normalise_poses(track.keypoints, track.torso_length)
    grid = np.arange(track.first_t, track.last_t + 0.5 / rate, 1 / rate)
    flat = poses.reshape(len(track.t), -1)
    even = np.stack([resample(track.t, column, grid) for column in flat.T], axis=1)
    return grid, even.reshape(len(grid), 17, 2)


#: Poses per side the mirror decision looks at, at most (5 a second for videos up to 2 minutes).
MIRROR_FRAMES = 600


def _should_mirror(reference: np.ndarray, attempt: np.ndarray, rate: float) -> bool:
    step = max(1, int(round(rate / 5)), int(np.ceil(max(len(reference), len(attempt)) / MIRROR_FRAMES)))
    plain = best_diagonal(oks_matrix(reference[::step], attempt[::step]))[1]
    flipped = best_diagonal(oks_matrix(reference[::step], mirror_poses(attempt[::step])))[1]
    return flipped > plain + MIRROR_MARGIN


def _slope(ref_t: np.ndarray, matched_t: np.ndarray) -> float:
    """Attempt seconds per reference second: least squares over the middle 90 % of the path (its ends
    are where a late start or an early stop bends it)."""
    if len(ref_t) < 3:
        return 1.0
    trim = len(ref_t) // 20
    middle = slice(trim, len(ref_t) - trim)
    return float(np.polyfit(ref_t[middle], matched_t[middle], 1)[0])


def _continuous_position(alignment: Alignment, frames: int, rate: float) -> np.ndarray:
    """Fractional attempt frame for each reference frame: the mean of its paired frames, smoothed."""
    rows, columns = alignment.path[:, 0], alignment.path[:, 1]
    position = np.bincount(rows, columns, minlength=frames) / np.maximum(np.bincount(rows, minlength=frames), 1)
    window = max(int(round(SMOOTH_S * rate)), 1)
    # Smooth the departure from the straight line through the ends, so a steady path stays exact to its ends.
    line = np.linspace(position[0], position[-1], frames)
    return line + uniform_filter1d(position - line, size=window, mode="nearest")


def _pose_at(poses: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Poses linearly interpolated at fractional frame positions (NaN where either side is unknown)."""
    below = np.clip(np.floor(position).astype(int), 0, len(poses) - 1)
    above = np.minimum(below + 1, len(poses) - 1)
    weight = (position - below)[:, None, None]
    return poses[below] * (1 - weight) + poses[above] * weight


def _body_parts(per_keypoint: np.ndarray) -> dict[str, float | None]:
    parts: dict[str, float | None] = {}
    for name, keypoints in BODY_PARTS.items():
        values = per_keypoint[:, list(keypoints)]
        parts[name] = _percent(np.nanmean(values)) if np.isfinite(values).any() else None
    return parts


def _segment_bounds(ref_t: np.ndarray, beats: np.ndarray | None) -> list[tuple[float, float]]:
    start, end = float(ref_t[0]), float(ref_t[-1])
    beats = np.asarray(beats if beats is not None else [], float)
    beats = beats[(beats >= start) & (beats <= end)]
    if len(beats) > PHRASE_BEATS:
        edges = list(beats[::PHRASE_BEATS])
        if end - edges[-1] > 0:
            edges.append(end)
        if edges[0] > start:
            edges.insert(0, start)
    else:
        edges = list(np.arange(start, end, WINDOW_S)) + [end]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _segment(
    start: float, end: float, ref_t: np.ndarray, per_keypoint: np.ndarray, relative_shift: np.ndarray,
    angles: dict[str, np.ndarray],
) -> Segment:
    inside = (ref_t >= start) & (ref_t < end)
    similarity = nanmean(per_keypoint[inside], axis=-1)
    known = np.isfinite(similarity)
    parts = _body_parts(per_keypoint[inside])
    known_parts = {name: value for name, value in parts.items() if value is not None}
    return Segment(
        start_s=start,
        end_s=end,
        score=_percent(similarity[known].mean()) if known.any() else None,
        timing_ms=float(np.median(relative_shift[inside]) * 1000) if inside.any() else None,
        body_parts=parts,
        worst_body_part=min(known_parts, key=known_parts.get) if known_parts else None,
        feedback=_feedback({name: differences[inside] for name, differences in angles.items()}),
    )


def _angle_differences(
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


def _other_side(name: str) -> str:
    return name.replace("left_", "right_") if name.startswith("left_") else name.replace("right_", "left_")


#: How a larger (+) or smaller (-) angle than the reference's reads, per joint kind.
ANGLE_WORDS = {
    "elbow": ("{side} elbow bent {d}° less", "{side} elbow bent {d}° more"),
    "knee": ("{side} knee bent {d}° less", "{side} knee bent {d}° more"),
    "shoulder": ("{side} arm raised {d}° higher", "{side} arm {d}° lower"),
    "hip": ("{side} hip {d}° straighter", "{side} leg lifted {d}° more at the hip"),
}


def _feedback(differences: dict[str, np.ndarray]) -> str | None:
    """The joint whose angle differs most on average over the segment, in a dancer's words."""
    means = {name: float(np.nanmean(d)) for name, d in differences.items() if np.isfinite(d).any()}
    if not means:
        return None
    name = max(means, key=lambda joint: abs(means[joint]))
    side, kind = name.split("_", 1)
    more, less = ANGLE_WORDS[kind]
    return (more if means[name] > 0 else less).format(side=side, d=round(abs(means[name])))


def _percent(value: float) -> float:
    return float(np.clip(value, 0.0, 1.0) * 100)
