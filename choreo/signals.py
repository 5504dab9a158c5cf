"""Clean keypoint series per dancer: the input every other measure starts from.

From the frames of ``poses.json`` (already parsed: no I/O here) to one ``TrackSeries`` per track:

- keypoints under ``MIN_CONFIDENCE`` (0.3) are dropped (NaN);
- gaps of up to ``MAX_GAP_FRAMES`` (5) frames inside a track are filled by linear interpolation in
  time, longer gaps stay NaN;
- lengths are in torso lengths (shoulder midpoint to hip midpoint, a running median over
  ``TORSO_WINDOW_S`` so that bending does not change the scale but walking towards the camera does;
  shoulder width stands in when the hips are never seen);
- timing comes from each frame's ``t`` (variable frame rate videos keep their timing); measures that
  need an even grid resample onto one at the video's median frame rate.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MIN_CONFIDENCE = 0.3
MAX_GAP_FRAMES = 5
TORSO_WINDOW_S = 2.0
KEYPOINTS = 17
LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP = 5, 6, 11, 12


@dataclass(frozen=True)
class TrackSeries:
    """One dancer's keypoints on the video's frames from its first to its last appearance."""

    track_id: int
    #: Seconds, one per frame, from the frames' own timestamps.
    t: np.ndarray
    #: Pixels, shape (frames, 17, 2); NaN where a keypoint is missing after gap filling.
    keypoints: np.ndarray
    #: Pixels per torso length, per frame (NaN before the first torso is seen is not possible: filled).
    torso_length: np.ndarray

    @property
    def first_t(self) -> float:
        return float(self.t[0])

    @property
    def last_t(self) -> float:
        return float(self.t[-1])

    @property
    def duration_s(self) -> float:
        return self.last_t - self.first_t

    @cached_property
    def velocity(self) -> np.ndarray:
        """Velocity of each keypoint, torso lengths per second, shape (frames, 17, 2); NaN where missing.

        The pixels' velocity over the frame's torso length, not the velocity of positions already in
        torso lengths: those are counted from the image's corner, so when the scale changes (the
        running median moving as the dancer bends or comes closer) every keypoint would seem to move,
        the more the further it stands from that corner."""
        if len(self.t) < 2:
            return np.full(self.keypoints.shape, np.nan)
        return np.gradient(self.keypoints, self.t, axis=0) / self.torso_length[:, None, None]

    @cached_property
    def joint_speeds(self) -> np.ndarray:
        """Speed of each keypoint, torso lengths per second, shape (frames, 17); NaN where missing."""
        return np.linalg.norm(self.velocity, axis=-1)

    @cached_property
    def speed_envelope(self) -> np.ndarray:
        """Mean joint speed per frame (torso lengths per second); NaN where no keypoint moves measurably."""
        return nanmean(self.joint_speeds, axis=1)


def nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmean`` without the warning for all-NaN slices (they give NaN, as documented)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.nanmean(values, axis=axis)


def tracks_from_frames(frames: Iterable[Mapping[str, Any]], min_confidence: float = MIN_CONFIDENCE) -> list[TrackSeries]:
    """One series per track id in ``frames`` (the ``frames`` list of poses.json), ordered by id.

    People without a track id are skipped; a track whose torso is never seen is left out.
    """
    frames = list(frames)
    times = np.array([float(frame["t"]) for frame in frames])
    rows: dict[int, dict[int, np.ndarray]] = {}
    for position, frame in enumerate(frames):
        for person in frame["people"]:
            if person.get("track_id") is not None:
                rows.setdefault(int(person["track_id"]), {})[position] = np.asarray(person["keypoints"], float)
    series = []
    for track_id in sorted(rows):
        track = _track_series(track_id, times, rows[track_id], min_confidence)
        if track is not None:
            series.append(track)
    return series


def _track_series(
    track_id: int, times: np.ndarray, rows: dict[int, np.ndarray], min_confidence: float
) -> TrackSeries | None:
    first, last = min(rows), max(rows)
    t = times[first : last + 1]
    keypoints = np.full((len(t), KEYPOINTS, 2), np.nan)
    for position, row in rows.items():
        seen = row[:, 2] >= min_confidence
        keypoints[position - first, seen] = row[seen, :2]
    keypoints = fill_gaps(t, keypoints, MAX_GAP_FRAMES)
    torso = torso_lengths(t, keypoints)
    if torso is None:
        return None
    return TrackSeries(track_id=track_id, t=t, keypoints=keypoints, torso_length=torso)


def fill_gaps(t: np.ndarray, values: np.ndarray, max_gap: int) -> np.ndarray:
    """Linearly interpolate (in time) runs of at most ``max_gap`` NaN frames with data on both sides."""
    flat = values.reshape(len(t), -1).copy()
    for column in flat.T:  # views: filling a column fills ``flat``
        missing = np.isnan(column)
        if not missing.any() or missing.all():
            continue
        for start, stop in _runs(missing):
            if start > 0 and stop < len(column) and stop - start <= max_gap:
                column[start:stop] = np.interp(t[start:stop], [t[start - 1], t[stop]], [column[start - 1], column[stop]])
    return flat.reshape(values.shape)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def torso_lengths(t: np.ndarray, keypoints: np.ndarray) -> np.ndarray | None:
    """Pixels per torso length for each frame: the running median (``TORSO_WINDOW_S``) of the
    shoulder-midpoint to hip-midpoint distance, or of the shoulder width when no hips are ever seen;
    None when neither is ever measurable."""
    shoulders = (keypoints[:, LEFT_SHOULDER] + keypoints[:, RIGHT_SHOULDER]) / 2
    hips = (keypoints[:, LEFT_HIP] + keypoints[:, RIGHT_HIP]) / 2
    length = np.linalg.norm(shoulders - hips, axis=-1)
    if not np.any(length > 0):
        length = np.linalg.norm(keypoints[:, LEFT_SHOULDER] - keypoints[:, RIGHT_SHOULDER], axis=-1)
    length = np.where(length > 0, length, np.nan)
    if np.isnan(length).all():
        return None
    rate = frame_rate(t)
    window = max(int(round(TORSO_WINDOW_S * rate)) | 1, 1)
    padded = np.pad(length, window // 2, mode="edge")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        running = np.nanmedian(sliding_window_view(padded, window), axis=1)
    return fill_edges(running)


def fill_edges(values: np.ndarray) -> np.ndarray:
    """Every NaN replaced by linear interpolation between its valid neighbours (nearest at the ends);
    unchanged when nothing, or everything, is known."""
    valid = ~np.isnan(values)
    if valid.all() or not valid.any():
        return values
    index = np.arange(len(values))
    return np.interp(index, index[valid], values[valid])


def frame_rate(t: np.ndarray) -> float:
    """Frames per second from the median frame interval (30 when it cannot be told)."""
    if len(t) < 2:
        return 30.0
    step = float(np.median(np.diff(t)))
    return 1 / step if step > 0 else 30.0


def resample(t: np.ndarray, values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``values`` (sampled at ``t``, NaN allowed) on ``grid``: linear between valid samples, NaN outside
    the valid range and inside gaps longer than ``MAX_GAP_FRAMES`` frames."""
    valid = ~np.isnan(values)
    if valid.sum() < 2:
        return np.full(len(grid), np.nan)
    result = np.interp(grid, t[valid], values[valid], left=np.nan, right=np.nan)
    step = float(np.median(np.diff(t)))
    valid_t = t[valid]
    index = np.clip(np.searchsorted(valid_t, grid), 1, len(valid_t) - 1)
    gap = valid_t[index] - valid_t[index - 1]
    return np.where(gap > (MAX_GAP_FRAMES + 1.5) * step, np.nan, result)
