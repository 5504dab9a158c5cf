"""Movement energy: mean squared joint speed, in (torso lengths per second) squared.

Per frame, the mean over the dancer's visible keypoints of their squared speed; the series is the
mean over 1-second windows on the video's clock (window k covers [k, k + 1) s), so dancers'
series line up with each other and with the music. ``peak`` is the highest window.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from choreo.signals import nanmean

WINDOW_S = 1.0


@dataclass(frozen=True)
class EnergyFigures:
    mean: float | None
    peak: float | None
    #: Start of the first window, seconds.
    start_s: float
    window_s: float
    #: One value per window; None where the dancer was not measured.
    series: tuple[float | None, ...]


def energy(t: np.ndarray, joint_speeds: np.ndarray, window_s: float = WINDOW_S) -> EnergyFigures:
    """Energy of one dancer from per-frame times ``t`` and joint speeds of shape (frames, joints)."""
    per_frame = nanmean(np.asarray(joint_speeds, float) ** 2, axis=1)
    measured = ~np.isnan(per_frame)
    start_s = float(np.floor(t[0] / window_s) * window_s) if len(t) else 0.0
    if not measured.any():
        return EnergyFigures(mean=None, peak=None, start_s=start_s, window_s=window_s, series=())
    window_of_frame = np.floor((t - start_s) / window_s).astype(int)
    windows = int(window_of_frame[-1]) + 1
    sums = np.bincount(window_of_frame[measured], per_frame[measured], minlength=windows)
    counts = np.bincount(window_of_frame[measured], minlength=windows)
    series = tuple(float(s / c) if c else None for s, c in zip(sums, counts))
    return EnergyFigures(
        mean=float(per_frame[measured].mean()),
        peak=max(v for v in series if v is not None),
        start_s=start_s,
        window_s=window_s,
        series=series,
    )
