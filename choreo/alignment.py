"""Align an attempt with a reference, frame by frame: a global offset, then dynamic time warping.

- Frame similarity is COCO OKS of torso-normalised poses (``choreo.pose_similarity``); the cost
  is 1 - OKS, and 1 where either pose is unknown.
- ``best_diagonal``: the global offset is the diagonal of the similarity matrix with the highest
  mean (as MMPose's just_dance demo does), over an overlap of at least ``MIN_OVERLAP``; it also
  decides the mirror question.
- ``align``: subsequence DTW (Müller, "Fundamentals of Music Processing", 2015, section 7.2):
  every reference frame is matched, the attempt may start and end anywhere (a late start, a
  run-up, walking off). Long videos are aligned at two resolutions, like FastDTW (Salvador &
  Chan 2007): a coarse DTW on at most ``COARSE_FRAMES`` frames each, then the full-rate DTW in a
  band of ``BAND_S`` around the coarse path, so memory and time grow with the length, not its
  square. Up to ``COARSE_FRAMES`` frames, the coarse pass is the only one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from choreo.pose_similarity import keypoint_similarity, oks
from choreo.signals import nanmean

COARSE_FRAMES = 1200
BAND_S = 1.0
#: Shortest overlap a diagonal needs to be considered, as a share of the shorter video.
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


def best_diagonal(similarity: np.ndarray) -> tuple[int, float]:
    """(k, mean) of the diagonal j = i + k with the highest mean similarity (NaN ignored)."""
    n, m = similarity.shape
    min_overlap = max(int(MIN_OVERLAP * min(n, m)), 1)
    best = (0, -1.0)
    for k in range(-(n - min_overlap), m - min_overlap + 1):
        diagonal = np.diagonal(similarity, offset=k)
        known = diagonal[~np.isnan(diagonal)]
        if len(known) >= min_overlap and known.mean() > best[1]:
            best = (k, float(known.mean()))
    return best


def align(reference: np.ndarray, attempt: np.ndarray, rate: float) -> Alignment:
    """Subsequence DTW of normalised poses (n, 17, 2) and (m, 17, 2) sampled at ``rate`` Hz."""
    step = max(1, int(np.ceil(max(len(reference), len(attempt)) / COARSE_FRAMES)))
    coarse_ref, coarse_att = reference[::step], attempt[::step]
    coarse = _dtw_path(1 - np.nan_to_num(oks_matrix(coarse_ref, coarse_att), nan=0.0))
    if step == 1:
        path = coarse
    else:
        radius = step + int(round(BAND_S * rate))
        lo, hi = _band_around(coarse * step, len(reference), len(attempt), radius)
        path = _banded_dtw_path(reference, attempt, lo, hi)
    return Alignment(path=path, similarity=oks(reference[path[:, 0]], attempt[path[:, 1]]))


def _dtw_path(cost: np.ndarray) -> np.ndarray:
    """Subsequence DTW path through a full cost matrix (rows: reference, all matched)."""
    import librosa

    _, warping = librosa.sequence.dtw(
        C=cost, subseq=True, backtrack=True, weights_add=np.array([0.0, STEP_PENALTY, STEP_PENALTY])
    )
    return np.asarray(warping[::-1], dtype=np.int64)


def _band_around(path: np.ndarray, n: int, m: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """For each reference row, the attempt columns [lo, hi) within ``radius`` of the coarse path."""
    rows = np.clip(path[:, 0], 0, n - 1)
    lo = np.full(n, m, np.int64)
    hi = np.zeros(n, np.int64)
    np.minimum.at(lo, rows, path[:, 1])
    np.maximum.at(hi, rows, path[:, 1])
    # Rows between coarse samples take their neighbours' range; then widen by the radius.
    known = np.flatnonzero(hi >= lo)
    lo = np.interp(np.arange(n), known, lo[known])
    hi = np.interp(np.arange(n), known, hi[known])
    lo = np.clip(np.floor(lo) - radius, 0, m - 1).astype(np.int64)
    hi = np.clip(np.ceil(hi) + radius + 1, 1, m).astype(np.int64)
    return np.minimum.accumulate(lo[::-1])[::-1], np.maximum.accumulate(hi)


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
    """Compile both DTW passes (numba: seconds, more without a cache) before the first comparison."""
    cost = np.random.default_rng(0).random((8, 8))
    _dtw_path(cost)
    _banded_subsequence_dtw(cost, np.zeros(8, np.int64))
