"""Kinematic beats: the moments a dancer's movement comes to a (near) stop, the visual beats.

Following AIST++ (Li et al., "AI Choreographer", ICCV 2021) and Bailando (Siyao et al., CVPR 2022):
local minima of the movement-speed envelope after Gaussian smoothing (``SMOOTHING_S``, 0.08 s).
``scipy.signal.find_peaks`` on the negated envelope finds flat minima too (two equal frames,
which ``argrelextrema`` misses); a minimum must dip by ``MIN_PROMINENCE`` of the envelope's
spread so that pose jitter on a still dancer does not count as beats. Times are refined between
frames by a parabola through the minimum and its neighbours.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from choreo.signals import fill_edges

SMOOTHING_S = 0.08
#: Minimum depth of a minimum, as a share of the smoothed envelope's 5-95 percentile spread.
MIN_PROMINENCE = 0.1


def smoothed_envelope(envelope: np.ndarray, rate: float) -> np.ndarray:
    return gaussian_filter1d(np.asarray(envelope, float), sigma=SMOOTHING_S * rate, mode="nearest")


def kinematic_beats(grid: np.ndarray, envelope: np.ndarray, rate: float) -> np.ndarray:
    """Times (seconds, on ``grid``'s clock) of the envelope's minima; ``envelope`` is sampled on the
    even ``grid`` at ``rate`` Hz, NaN where the dancer is not measured (no beat is reported there)."""
    envelope = np.asarray(envelope, float)
    valid = ~np.isnan(envelope)
    if valid.sum() < 3:
        return np.array([])
    filled = fill_edges(envelope)
    smooth = smoothed_envelope(filled, rate)
    spread = np.percentile(smooth[valid], 95) - np.percentile(smooth[valid], 5)
    if spread <= 0:
        return np.array([])
    minima, _ = find_peaks(-smooth, prominence=MIN_PROMINENCE * spread)
    minima = minima[valid[minima]]
    return np.array([_refined_time(grid, smooth, m) for m in minima])


def _refined_time(grid: np.ndarray, smooth: np.ndarray, at: int) -> float:
    if 0 < at < len(smooth) - 1:
        left, centre, right = smooth[at - 1 : at + 2]
        curvature = left - 2 * centre + right
        if curvature > 0:
            shift = float(np.clip(0.5 * (left - right) / curvature, -0.5, 0.5))
            return float(grid[at] + shift * (grid[1] - grid[0]))
    return float(grid[at])
