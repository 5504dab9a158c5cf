"""On the beat: how much of a dancer's movement follows the music's beat clock, and how early or late
their hits land, in the terms of sensorimotor-synchronisation research.

Movement is the velocity (x and y, torso lengths per second, a ``DETREND_S`` moving average removed)
of the keypoints that carry a dance: nose, shoulders, elbows, wrists, hips, knees, ankles. Body parts
lock to different metrical levels (Toiviainen, Luck & Thompson 2010: arms to the beat, the torso to
two beats), so each of ``LEVELS`` is tried: movement repeating every two beats, every beat, twice a beat.

- **Locking** at a level: the share of the movement's power that repeats with the beat clock
  (``choreo/beat_clock.py``) at that level: for each velocity series x(t), the complex sum
  Z = sum x(t) exp(-2 pi i level phase(t)) (the mean resultant of the beat phases, weighted by the
  movement); locking = sqrt(2 sum|Z|^2 / sum(N sum x^2)), 1 for movement that is a sinusoid locked to
  the clock, near 0 for movement unrelated to it. The clock follows the music's own tempo changes,
  so movement at a steady tempo near, but not at, the music's drifts in phase and cancels out.
  The strongest level is the dancer's.
- **Chance**: the same measure (strongest level) against ``len(WRONG_TEMPI)`` clocks built from the
  music's own beats played 5-15 % slower or faster: what this dancer's movement scores against a
  beat it is not following. ``z`` = (locking - chance) / its spread; the movement is ``locked`` to the
  beat at one-sided 5 % significance (z >= ``LOCKED_Z``).
- **Asynchrony** (Repp 2005; Repp & Su 2013): the hits of single limbs (wrists, ankles, head, knees,
  elbows: a limb stopping after a movement, a local minimum of its speed, weighted by how much the
  speed dropped) placed on the beat cycle at the dancer's level; circular statistics give the mean
  resultant length (vector strength, 0..1), the Rayleigh test's p (hits no more clustered than
  chance), and the mean asynchrony (ms, negative: early) and its spread.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, uniform_filter1d
from scipy.signal import find_peaks

from choreo.beat_clock import beat_phase
from choreo.signals import TrackSeries, fill_edges, resample

#: Movement cycles per beat: every two beats, every beat, twice a beat.
LEVELS = (0.5, 1.0, 2.0)
#: COCO keypoints whose movement counts: nose, shoulders, elbows, wrists, hips, knees, ankles (the
#: eyes and ears add only the jitter of a turning head).
MOVEMENT_KEYPOINTS = (0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)
#: Travel across the floor and slow sway are not rhythm: a 2 s moving average is removed (as for tempo).
DETREND_S = 2.0
#: Keypoint jitter is not movement: velocities are smoothed over this (Gaussian sigma, seconds), which
#: keeps what a dancer does up to about 4 Hz (16th notes at 120 BPM).
JITTER_SMOOTHING_S = 0.04
#: The wrong-tempo clocks of the chance level: the music's beats 5-15 % slower or faster.
WRONG_TEMPI = tuple(round(f, 2) for f in np.arange(0.85, 1.151, 0.01) if abs(f - 1) >= 0.045)
#: One-sided 5 % significance: locking this many spreads above chance counts as following the beat.
LOCKED_Z = 1.645
#: Fewest beats worth a measure (two bars of 4/4).
MIN_BEATS = 8
#: Limbs whose hits are timed, as keypoint groups.
HIT_LIMBS = ((0,), (9,), (10,), (15,), (16,), (7,), (8,), (13,), (14,))
#: A limb's positions are smoothed this much (seconds) before its speed is taken: keypoint jitter
#: would otherwise make hits of its own.
HIT_SMOOTHING_S = 0.04
#: A hit's speed drop must be at least this share of the limb's 5-95 percentile speed range.
HIT_PROMINENCE = 0.3


@dataclass(frozen=True)
class Locking:
    #: Movement cycles per beat (0.5, 1 or 2).
    level: float
    #: 0..1, see the module doc.
    strength: float
    chance: float
    chance_sd: float
    z: float
    #: (strength - chance) / (1 - chance): 0 at chance, 1 for movement wholly locked to the beat.
    score_above_chance: float
    locked: bool


@dataclass(frozen=True)
class Asynchrony:
    level: float
    hits: int
    #: Mean resultant length of the hits' beat phases, 0..1.
    vector_strength: float
    rayleigh_p: float
    #: Circular mean of the hits' offsets from the beat, ms; negative: early.
    mean_ms: float
    #: Circular standard deviation of the offsets, ms.
    sd_ms: float


def movement_velocities(track: TrackSeries, grid: np.ndarray) -> np.ndarray:
    """Velocity series (x and y of each ``MOVEMENT_KEYPOINTS``), shape (26, len(grid)), on the even
    ``grid`` (seconds), detrended; NaN where the keypoint is not known."""
    rate = 1 / float(np.median(np.diff(grid))) if len(grid) > 1 else 30.0
    rows = []
    for keypoint in MOVEMENT_KEYPOINTS:
        for axis in (0, 1):
            series = resample(track.t, track.velocity[:, keypoint, axis], grid)
            known = ~np.isnan(series)
            if known.sum() < 2:
                rows.append(series)
                continue
            filled = gaussian_filter1d(fill_edges(series), JITTER_SMOOTHING_S * rate)
            trend = uniform_filter1d(filled, size=max(int(round(DETREND_S * rate)), 1), mode="nearest")
            rows.append(np.where(known, filled - trend, np.nan))
    return np.array(rows).reshape(len(rows), len(grid))


def beat_locking(velocities: np.ndarray, grid: np.ndarray, beats: np.ndarray) -> Locking | None:
    """The movement's locking to the clock of ``beats`` (steady beats, seconds) at its strongest level,
    with its chance level; None with fewer than ``MIN_BEATS`` beats while the movement is measured."""
    phase = beat_phase(grid, beats)
    if _beats_covered(velocities, phase) < MIN_BEATS:
        return None
    strengths = _strengths(velocities, phase)
    level = LEVELS[int(np.argmax(strengths))]
    strength = float(np.max(strengths))
    wrong = np.array([np.max(_strengths(velocities, beat_phase(grid, beats[0] + (beats - beats[0]) * f))) for f in WRONG_TEMPI])
    chance, spread = float(wrong.mean()), float(wrong.std())
    z = (strength - chance) / spread if spread > 0 else 0.0
    return Locking(
        level=level, strength=strength, chance=chance, chance_sd=spread, z=z,
        score_above_chance=(strength - chance) / (1 - chance) if chance < 1 else 0.0, locked=z >= LOCKED_Z,
    )


def _beats_covered(velocities: np.ndarray, phase: np.ndarray) -> float:
    measured = ~np.isnan(phase) & np.any(~np.isnan(velocities), axis=0)
    return float(np.ptp(phase[measured])) if measured.sum() > 1 else 0.0


def _strengths(velocities: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Locking at each of ``LEVELS`` (see the module doc)."""
    known = ~np.isnan(velocities) & ~np.isnan(phase)[None, :]
    values = np.where(known, velocities, 0.0)
    counts = known.sum(axis=1)
    power = float(np.sum(counts * np.sum(values**2, axis=1)))
    if power <= 0:
        return np.zeros(len(LEVELS))
    angle = 2 * np.pi * np.nan_to_num(phase)
    return np.array([np.sqrt(2 * np.sum(np.abs(values @ np.exp(-1j * level * angle)) ** 2) / power) for level in LEVELS])


def limb_hits(track: TrackSeries, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times (seconds) and weights (the speed drop, torso lengths per second) of every limb's hits."""
    rate = 1 / float(np.median(np.diff(grid))) if len(grid) > 1 else 30.0
    times, weights = [], []
    torso = fill_edges(resample(track.t, track.torso_length, grid))
    for limb in HIT_LIMBS:
        position = np.nanmean(track.keypoints[:, list(limb)], axis=1) if len(limb) > 1 else track.keypoints[:, limb[0]]
        series = [resample(track.t, position[:, axis], grid) for axis in (0, 1)]
        known = ~np.isnan(series[0])
        if known.sum() < 10:
            continue
        smooth = [gaussian_filter1d(fill_edges(s), HIT_SMOOTHING_S * rate) for s in series]
        speed = np.hypot(np.gradient(smooth[0], grid), np.gradient(smooth[1], grid)) / torso
        spread = np.percentile(speed[known], 95) - np.percentile(speed[known], 5)
        if spread <= 0:
            continue
        minima, properties = find_peaks(-speed, prominence=HIT_PROMINENCE * spread)
        keep = known[minima]
        times.append(grid[minima[keep]])
        weights.append(properties["prominences"][keep])
    if not times:
        return np.array([]), np.array([])
    return np.concatenate(times), np.concatenate(weights)


def asynchrony(times: np.ndarray, weights: np.ndarray, beats: np.ndarray, level: float) -> Asynchrony | None:
    """Circular statistics of hits (``limb_hits``) on the clock of ``beats`` at ``level``; None
    without three hits inside the beats."""
    phase = beat_phase(times, beats)
    inside = ~np.isnan(phase)
    if inside.sum() < 3:
        return None
    angle, weight = 2 * np.pi * level * phase[inside], np.asarray(weights, float)[inside]
    resultant = np.sum(weight * np.exp(1j * angle)) / weight.sum()
    strength = float(np.abs(resultant))
    effective = float(weight.sum() ** 2 / np.sum(weight**2))
    cycle_ms = 1000 * float(np.median(np.diff(beats))) / level
    spread = np.sqrt(-2 * np.log(strength)) if strength > 0 else np.pi
    return Asynchrony(
        level=level, hits=int(inside.sum()), vector_strength=strength, rayleigh_p=rayleigh_p(strength, effective),
        mean_ms=float(np.angle(resultant)) / (2 * np.pi) * cycle_ms, sd_ms=float(spread) / (2 * np.pi) * cycle_ms,
    )


def rayleigh_p(strength: float, n: float) -> float:
    """P-value of the Rayleigh test of uniform phases for mean resultant length ``strength`` of ``n``
    phases (Zar, Biostatistical Analysis, eq. 27.4)."""
    if n < 2:
        return 1.0
    resultant = n * strength
    p = np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - resultant**2)) - (1 + 2 * n))
    return float(np.clip(p, 0.0, 1.0))
