"""The music's beat clock: where in the beat cycle each moment of the video falls.

A beat tracker places each beat on its own, so its beats wobble around the pulse a listener feels
(librosa's, on real songs: intervals uneven by 4-6 %). Measures that ask whether movement follows
the beat need the pulse, so the clock runs through ``steady_beats``: each beat replaced by a
straight line fitted through it and its ``STEADY_HALF_WINDOW`` neighbours on either side (the
local tempo and phase), which keeps real tempo changes and drops the wobble.

Phase is counted in beats: 0 at the first beat, 1 at the second, 2.5 halfway between the third and
the fourth; ``2 * pi * phase * level`` is the angle of a movement that repeats ``level`` times a beat.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Beats on either side that set a beat's steady time (9 beats: about two bars of 4/4).
STEADY_HALF_WINDOW = 4


def steady_beats(beats: np.ndarray, half_window: int = STEADY_HALF_WINDOW) -> np.ndarray:
    """Beat times (seconds) with the tracker's wobble smoothed out by local straight-line fits."""
    beats = np.sort(np.asarray(beats, float))
    size = 2 * half_window + 1
    if len(beats) < size:
        if len(beats) < 2:
            return beats
        index = np.arange(len(beats))
        return np.polyval(np.polyfit(index, beats, 1), index)
    index = np.arange(len(beats), dtype=float)
    padded_index = np.pad(index, half_window, mode="reflect", reflect_type="odd")
    padded_beats = np.pad(beats, half_window, mode="reflect", reflect_type="odd")
    x = sliding_window_view(padded_index, size)
    y = sliding_window_view(padded_beats, size)
    x_mean, y_mean = x.mean(axis=1), y.mean(axis=1)
    slope = ((x - x_mean[:, None]) * (y - y_mean[:, None])).sum(axis=1) / ((x - x_mean[:, None]) ** 2).sum(axis=1)
    return y_mean + slope * (index - x_mean)


def beat_phase(t: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """Phase in beats of each time in ``t`` (seconds) on the clock of ``beats`` (sorted seconds);
    NaN before the first beat and after the last."""
    t = np.asarray(t, float)
    phase = np.full(len(t), np.nan)
    if len(beats) < 2:
        return phase
    inside = (t >= beats[0]) & (t < beats[-1])
    k = np.searchsorted(beats, t[inside], side="right") - 1
    phase[inside] = k + (t[inside] - beats[k]) / (beats[k + 1] - beats[k])
    return phase
