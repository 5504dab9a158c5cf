"""Compare an attempt with a reference dance: a score, timing, and feedback per body part and phrase.

1. Both dancers' poses are torso-normalised and resampled to one even rate (``signals``).
2. A line puts them on one clock (``alignment_choice``): the soundtracks' when both videos carry one
   recording of a song; else the poses' own (``alignment.pose_line``). With the soundtracks, only the
   reference frames whose music the attempt's dancer is on screen for are compared.
3. Mirror: with ``auto``, the attempt is flipped (x mirrored, left and right swapped) when it matches
   clearly (``MIRROR_MARGIN`` OKS) better that way: a selfie camera or a class facing the teacher
   mirrors the dance.
4. ``alignment.align_near`` pairs frames by subsequence DTW within a band around the line
   (``SOUNDTRACK_BAND_S``, or ``alignment.BAND_S`` for a line found from poses). The pairing is made
   continuous: each reference frame's attempt time is the mean of its paired frames, smoothed over
   ``SMOOTH_S``, and the attempt's pose is interpolated at that time.
5. ``score``: 100 x the movement match (``movement_match``) of the reference with the attempt along
   the alignment: 100 for the same movement, 0 for unrelated (or opposite) movement; where neither
   moves (a pose held by both), 100 x the held poses' mean OKS.
   ``pose_similarity``: 100 x the mean OKS of the paired poses.
6. ``tempo_ratio`` and ``offset_s`` (attempt time minus reference time at the first compared
   reference frame): the soundtracks' line when it was used; else the slope of attempt time against
   reference time (least squares over the middle 90 % of the path) and the median shift once that
   slope's drift is taken out. ``timing`` per segment: its median shift from the soundtracks' line
   (positive: the attempt dances late to the music), or, by poses alone, from ``offset_s`` (an
   attempt danced slower falls more and more behind).
7. Segments, body parts and feedback: ``comparison_segments``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from choreo.alignment import BAND_S, Alignment, align_near, pose_line
from choreo.alignment_choice import AlignmentChoice, choose_alignment, not_on_screen_together
from choreo.comparison_segments import (
    Segment,
    angle_differences,
    body_parts,
    movement_score,
    segment,
    segment_bounds,
    worst_segments,
)
from choreo.movement_match import MovementMatch
from choreo.pose_similarity import keypoint_similarity, normalise_poses
from choreo.signals import TrackSeries, frame_rate, nanmean, resample
from choreo.soundtrack import Soundtrack

__all__ = ["DanceComparison", "Segment", "compare", "mirror_poses"]

#: OKS by which the mirrored attempt must match better to be taken for a mirror image.
MIRROR_MARGIN = 0.05
#: Keypoint order after a left-right swap.
MIRRORED_ORDER = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)
MAX_RATE = 30.0
SMOOTH_S = 0.5
#: How far the path may leave the soundtracks' line, seconds: dancing to the same recording, a
#: dancer is rarely more than a beat (0.33-1 s at 60-180 BPM) off; half a second keeps a step done
#: a beat late from being matched with the next one.
SOUNDTRACK_BAND_S = 0.5
#: Least time, seconds, both dancers must be on screen by the soundtracks' clock to compare by it.
MIN_TOGETHER_S = 2.0


@dataclass(frozen=True)
class DanceComparison:
    score: float
    offset_s: float
    tempo_ratio: float
    mirrored: bool
    body_parts: dict[str, float | None]
    segments: list[Segment]
    worst_segments: list[Segment]
    #: (reference time, attempt time) for each compared reference frame: the alignment.
    path_s: np.ndarray
    #: The compared reference frames' times, seconds.
    reference_t: np.ndarray
    #: Similarity (OKS, 0..1) per compared reference frame, on ``reference_t``.
    frame_similarity: np.ndarray
    #: 100 x the mean OKS along the alignment.
    pose_similarity: float
    #: How the two were put on one clock, and why.
    alignment: AlignmentChoice


def compare(
    reference: TrackSeries, attempt: TrackSeries, *, mirror: str = "auto", reference_beats: np.ndarray | None = None,
    reference_soundtrack: Soundtrack | None = None, attempt_soundtrack: Soundtrack | None = None,
) -> DanceComparison:
    """Compare two dancers; ``mirror`` is ``auto``, ``on`` or ``off``; ``reference_beats`` (music beat
    times of the reference video) make the segments 8-beat phrases instead of 2-second windows; the
    soundtracks (None: unknown) align the two by their music when they are one recording."""
    rate = min(frame_rate(reference.t), frame_rate(attempt.t), MAX_RATE)
    ref_t, ref_poses = _even(reference, rate)
    att_t, att_poses = _even(attempt, rate)
    choice = choose_alignment(reference_soundtrack, attempt_soundtrack)
    if choice.by_soundtrack:
        assert choice.match is not None
        centre = (choice.match.offset_s + choice.match.tempo_ratio * ref_t - att_t[0]) * rate
        together = (centre >= 0) & (centre <= len(att_t) - 1)
        if together.sum() < MIN_TOGETHER_S * rate:
            choice = not_on_screen_together(choice, together.sum() / rate)
        else:
            ref_t, ref_poses, centre = ref_t[together], ref_poses[together], centre[together]
    if choice.by_soundtrack:
        mirrored, alignment = _align_near_line(ref_poses, att_poses, centre, int(round(SOUNDTRACK_BAND_S * rate)), mirror)
    else:
        mirrored, alignment, centre = _align_by_poses(ref_poses, att_poses, rate, mirror)
    if mirrored:
        att_poses = mirror_poses(att_poses)
    position = _continuous_position(alignment, len(ref_t), rate)
    att_at = _pose_at(att_poses, position)
    per_keypoint = keypoint_similarity(ref_poses, att_at)
    frame_similarity = nanmean(per_keypoint, axis=-1)
    matched_t = np.interp(position, np.arange(len(att_t)), att_t)
    if choice.by_soundtrack:
        assert choice.match is not None
        tempo_ratio = choice.match.tempo_ratio
        line_t = choice.match.offset_s + tempo_ratio * ref_t
        offset_s, from_line = float(line_t[0] - ref_t[0]), matched_t - line_t
    else:
        # Measured where the line runs inside the attempt: beyond its ends the path can only wait there.
        inside = (centre >= 0) & (centre <= len(att_t) - 1)
        inside = inside if inside.sum() >= 3 else np.ones(len(ref_t), bool)
        tempo_ratio = _slope(ref_t[inside], matched_t[inside])
        # The start's shift: the median shift once the tempo's drift is taken out.
        offset_s = float(np.median(matched_t[inside] - ref_t[0] - tempo_ratio * (ref_t[inside] - ref_t[0])))
        from_line = matched_t - ref_t - offset_s
    match = MovementMatch(ref_poses, att_at)
    angles = angle_differences(reference, attempt, ref_t, matched_t, mirrored)
    segments = [
        segment(bounds, ref_t, match, per_keypoint, from_line, angles) for bounds in segment_bounds(ref_t, reference_beats)
    ]
    return DanceComparison(
        score=movement_score(match, per_keypoint)[0] or 0.0,
        offset_s=offset_s,
        tempo_ratio=tempo_ratio,
        mirrored=mirrored,
        body_parts={name: score for name, (score, _) in body_parts(match, per_keypoint).items()},
        segments=segments,
        worst_segments=worst_segments(segments),
        path_s=np.stack([ref_t, matched_t], axis=1),
        reference_t=ref_t,
        frame_similarity=frame_similarity,
        pose_similarity=float(np.nanmean(frame_similarity) * 100) if np.isfinite(frame_similarity).any() else 0.0,
        alignment=choice,
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


def _align_near_line(
    reference: np.ndarray, attempt: np.ndarray, centre: np.ndarray, radius: int, mirror: str
) -> tuple[bool, Alignment]:
    """(mirrored, alignment) within ``radius`` of a line given beforehand; ``auto`` aligns both ways."""
    if mirror != "auto":
        flip = mirror == "on"
        return flip, align_near(reference, mirror_poses(attempt) if flip else attempt, centre, radius)
    plain = align_near(reference, attempt, centre, radius)
    flipped = align_near(reference, mirror_poses(attempt), centre, radius)
    if _mean(flipped.similarity) > _mean(plain.similarity) + MIRROR_MARGIN:
        return True, flipped
    return False, plain


def _align_by_poses(
    reference: np.ndarray, attempt: np.ndarray, rate: float, mirror: str
) -> tuple[bool, Alignment, np.ndarray]:
    """(mirrored, alignment, the line's attempt frame per reference frame) around the poses' own best
    line; ``auto`` compares both ways' lines."""
    if mirror == "auto":
        plain, flipped = pose_line(reference, attempt, rate), pose_line(reference, mirror_poses(attempt), rate)
        mirrored = flipped.similarity > plain.similarity + MIRROR_MARGIN
        line = flipped if mirrored else plain
    else:
        mirrored = mirror == "on"
        line = pose_line(reference, mirror_poses(attempt) if mirrored else attempt, rate)
    attempt = mirror_poses(attempt) if mirrored else attempt
    centre = line.at(np.arange(len(reference)))
    return mirrored, align_near(reference, attempt, centre, int(round(BAND_S * rate))), centre


def _mean(values: np.ndarray) -> float:
    known = values[np.isfinite(values)]
    return float(known.mean()) if len(known) else 0.0


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
