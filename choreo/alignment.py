"""Align an attempt with a reference, frame by frame: a straight line first, then dynamic time warping near it.

- Frame similarity is COCO OKS of torso-normalised poses (``choreo.pose_similarity``); the cost
  is 1 - OKS, and 1 where either pose is unknown.
- The line, attempt frame = start + slope x reference frame, says where the attempt's dance sits
  and how fast it goes. When both videos carry one recording of a song, the soundtracks give it
  (``choreo.soundtrack_alignment``). Without, ``pose_line`` finds it from the poses: the line through
  the similarity matrix (sampled at about ``LINE_RATE`` per second, at most ``LINE_FRAMES`` frames
  a side) with the highest mean, over slopes from 1 / ``MAX_POSE_TEMPO_RATIO`` to
  ``MAX_POSE_TEMPO_RATIO`` and an overlap of at least ``MIN_OVERLAP`` of the shorter video; the
  slope-1 case is MMPose's just_dance "best diagonal". Its mean similarity also decides the mirror
  question.
- ``align_near``: subsequence DTW (Müller, "Fundamentals of Music Processing", 2015, section 7.2)
  within ``radius`` frames of the line: every reference frame is matched, the attempt may start and
  end anywhere in the band (a late start, a run-up, walking off), and may run ahead or behind the
  line locally, by up to the radius. Memory and time grow with the length times the band, not the
  length squared. The band is also what keeps an unrelated dance from scoring well: a DTW free to
  hold and skip anywhere pairs every reference pose with the likeliest attempt pose, whatever the
  order (unrelated real dances came out at tempo ratios of 0.16-0.3 that way).

Every DTW here is one kernel (``_banded_subsequence_dtw``). librosa's ``sequence.dtw(subseq=True)``
is not used: given a cost matrix with more rows than columns it returns its path with the two
columns swapped, which paired the wrong frames, or indexed past the attempt's end, whenever the
reference was the longer of the two.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from choreo.pose_similarity import keypoint_similarity, oks
from choreo.signals import nanmean

#: How far the path may leave the line either way, seconds: a dancer out by a beat or so at 60-180
#: BPM is still dancing the same step; further off, the band would let unrelated poses be picked.
BAND_S = 1.0
#: The line search's sampling rate (Hz) and its most frames a side (2 minutes at 5 a second).
LINE_RATE = 5.0
LINE_FRAMES = 600
#: Slowest and fastest attempt the pose line looks for (soundtracks look further: they cannot be fooled by poses).
MAX_POSE_TEMPO_RATIO = 1.5
#: Largest slope step of the line search (a 1 % tempo difference drifts 0.6 s a minute: the band takes it up).
LINE_SLOPE_STEP = 0.01
#: Shortest overlap a line needs to be considered, as a share of the shorter video.
MIN_OVERLAP = 0.5
ROWS_PER_CHUNK = 64
#: Added cost of a step that holds one side still: of two nearly equal paths the straighter wins,
#: so a pose that repeats (or barely changes) does not pull the path sideways. A tempo change still
#: costs far more unmatched than its steps do.
STEP_PENALTY = 0.02


@dataclass(frozen=True)
class Alignment:
    #: Pairs (reference frame, attempt frame), in order, every reference frame at least once.
    path: np.ndarray
    #: OKS of each pair in ``path`` (NaN where a pose is unknown).
    similarity: np.ndarray


@dataclass(frozen=True)
class Line:
    """Attempt frame = ``start`` + ``slope`` x reference frame (fractional frames)."""

    start: float
    slope: float
    #: Mean similarity along the line (OKS, 0..1); -1 when no line overlaps enough.
    similarity: float

    def at(self, frames: np.ndarray) -> np.ndarray:
        return self.start + self.slope * np.asarray(frames, float)


def similarity_rows(reference: np.ndarray, attempt: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Per-keypoint similarities of each reference pose with the attempt poses in ``columns``.

    ``reference``: (n, 17, 2); ``columns``: (n, w) attempt indices; result (n, w, 17)."""
    return keypoint_similarity(reference[:, None], attempt[columns])


def oks_matrix(reference: np.ndarray, attempt: np.ndarray) -> np.ndarray:
    """OKS of every reference pose with every attempt pose, (n, m), computed a few rows at a time."""
    out = np.empty((len(reference), len(attempt)), np.float32)
    for start in range(0, len(reference), ROWS_PER_CHUNK):
        rows = reference[start : start + ROWS_PER_CHUNK]
        out[start : start + len(rows)] = nanmean(keypoint_similarity(rows[:, None], attempt[None]), axis=-1)
    return out


def pose_line(reference: np.ndarray, attempt: np.ndarray, rate: float) -> Line:
    """The line with the highest mean OKS between normalised poses (n, 17, 2) and (m, 17, 2) at ``rate`` Hz."""
    step = max(1, int(round(rate / LINE_RATE)), int(np.ceil(max(len(reference), len(attempt)) / LINE_FRAMES)))
    coarse = best_line(oks_matrix(reference[::step], attempt[::step]))
    return Line(start=coarse.start * step, slope=coarse.slope, similarity=coarse.similarity)


def best_line(similarity: np.ndarray, max_slope: float = MAX_POSE_TEMPO_RATIO) -> Line:
    """The line j = start + slope x i through ``similarity`` (n, m) with the highest mean (NaN ignored):
    slopes on a geometric grid (1 among them), integer starts."""
    n, m = similarity.shape
    steps = np.arange(np.ceil(np.log(max_slope) / LINE_SLOPE_STEP) + 1)
    slopes = np.unique(np.exp(np.concatenate([-steps, steps]) * LINE_SLOPE_STEP).clip(1 / max_slope, max_slope))
    rows = np.arange(n)
    best = Line(start=0.0, slope=1.0, similarity=-1.0)
    for slope in slopes:
        shift = np.round(slope * rows).astype(np.int64)
        starts = np.arange(-shift[-1], m)
        columns = shift[:, None] + starts[None, :]
        inside = (columns >= 0) & (columns < m)
        values = np.where(inside, similarity[rows[:, None], np.clip(columns, 0, m - 1)], np.nan)
        known = np.isfinite(values)
        count = known.sum(axis=0)
        mean = np.where(known, values, 0.0).sum(axis=0) / np.maximum(count, 1)
        mean[count < max(MIN_OVERLAP * min(n, m / slope), 1)] = -1.0
        at = int(np.argmax(mean))
        if mean[at] > best.similarity:
            best = Line(start=float(starts[at]), slope=float(slope), similarity=float(mean[at]))
    return best


def align_near(reference: np.ndarray, attempt: np.ndarray, centre: np.ndarray, radius: int) -> Alignment:
    """Subsequence DTW of normalised poses within ``radius`` frames of ``centre`` (the attempt's
    fractional frame for each reference frame: a line, from the soundtracks or ``pose_line``)."""
    lo = np.clip(np.floor(centre) - radius, 0, len(attempt) - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre) + radius + 1, 1, len(attempt)).astype(np.int64)
    hi = np.maximum(hi, lo + 1)
    lo, hi = np.minimum.accumulate(lo[::-1])[::-1], np.maximum.accumulate(hi)
    return _alignment(reference, attempt, _banded_dtw_path(reference, attempt, lo, hi))


def _alignment(reference: np.ndarray, attempt: np.ndarray, path: np.ndarray) -> Alignment:
    return Alignment(path=path, similarity=oks(reference[path[:, 0]], attempt[path[:, 1]]))


def _banded_dtw_path(reference: np.ndarray, attempt: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    width = int((hi - lo).max())
    columns = np.minimum(lo[:, None] + np.arange(width)[None], len(attempt) - 1)
    cost = np.empty((len(reference), width), np.float64)
    for start in range(0, len(reference), ROWS_PER_CHUNK):
        rows = slice(start, start + ROWS_PER_CHUNK)
        cost[rows] = 1 - np.nan_to_num(nanmean(similarity_rows(reference[rows], attempt, columns[rows]), axis=-1), nan=0.0)
    cost[np.arange(width)[None] >= (hi - lo)[:, None]] = np.inf
    return _banded_subsequence_dtw(cost, lo)


def _banded_subsequence_dtw(cost: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Subsequence DTW on a band: ``cost[i, w]`` is row i against attempt column ``lo[i] + w``."""
    from numba import njit  # librosa's dependency; compiled once per process

    global _banded_kernel
    if _banded_kernel is None:
        _banded_kernel = njit(cache=True)(_banded_accumulate)
    total, steps = _banded_kernel(cost, lo, STEP_PENALTY)
    return _backtrack(total, steps, lo)


_banded_kernel = None


def _banded_accumulate(cost, lo, penalty):  # pragma: no cover - compiled by numba
    n, width = cost.shape
    total = np.full((n, width), np.inf)
    steps = np.zeros((n, width), np.int8)  # 0: diagonal, 1: from the row above, 2: from the left
    for w in range(width):
        total[0, w] = cost[0, w]  # free start anywhere in the attempt
        steps[0, w] = 3
    for i in range(1, n):
        shift = lo[i] - lo[i - 1]
        for w in range(width):
            if not np.isfinite(cost[i, w]):
                continue
            best, step = np.inf, 0
            above = w + shift
            if 0 <= above - 1 < width and total[i - 1, above - 1] < best:
                best, step = total[i - 1, above - 1], 0
            if 0 <= above < width and total[i - 1, above] + penalty < best:
                best, step = total[i - 1, above] + penalty, 1
            if w > 0 and total[i, w - 1] + penalty < best:
                best, step = total[i, w - 1] + penalty, 2
            total[i, w] = cost[i, w] + best
            steps[i, w] = step
    return total, steps


def _backtrack(total: np.ndarray, steps: np.ndarray, lo: np.ndarray) -> np.ndarray:
    i, w = len(total) - 1, int(np.argmin(total[-1]))  # free end anywhere in the attempt
    path = [(i, lo[i] + w)]
    while i > 0:  # row 0 is where the path starts, wherever it is in the attempt
        if steps[i, w] == 2:
            w -= 1
        else:
            w += lo[i] - lo[i - 1] - (1 if steps[i, w] == 0 else 0)
            i -= 1
        path.append((i, lo[i] + w))
    return np.array(path[::-1], dtype=np.int64)


def warm_up() -> None:
    """Compile the DTW kernel (numba: seconds, more without a cache) before the first comparison."""
    _banded_subsequence_dtw(np.random.default_rng(0).random((8, 8)), np.zeros(8, np.int64))
