"""Are the dancers together? Pairwise lead/lag and similarity, and group phase synchrony.

- Pairs: the peak normalised cross-correlation (Pearson r) of two dancers' speed envelopes over the
  time both are on screen, for lags within ``max_lag_s`` (0.5 s, or half a beat when the tempo is
  known: beyond it a lag cannot be told from the other dancer's lead). The lag of the peak says who
  moves first. ``pose_similarity`` is their mean OKS (``choreo.pose_similarity``) over shared frames.
- Group: the Kuramoto order parameter R(t) = |mean over dancers of exp(i phi(t))|, phi the Hilbert
  phase of each envelope band-passed around the tempo (Richardson et al., "Measuring group
  synchrony", 2012); R is its mean over the time at least two dancers are on screen, 1 when all move
  in phase, about 1/sqrt(N) (``chance``) for independent dancers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, hilbert, sosfiltfilt

from choreo.signals import fill_edges

MAX_LAG_S = 0.5
#: Shared time needed for a pair's correlation to mean anything.
MIN_OVERLAP_S = 2.0
#: The band-pass keeps tempo / BAND ... tempo * BAND.
BAND = 1.4
DETREND_S = 2.0


@dataclass(frozen=True)
class Lag:
    #: Peak Pearson r, clipped to 0..1.
    score: float
    #: Samples by which ``b`` follows ``a``; negative when ``b`` leads.
    samples: int


@dataclass(frozen=True)
class GroupSynchronyFigures:
    R: float
    chance: float


def envelope_lag(a: np.ndarray, b: np.ndarray, rate: float, max_lag_s: float = MAX_LAG_S) -> Lag | None:
    """Best lag of ``b`` behind ``a`` (envelopes on one even grid, NaN where absent); None when they
    share less than ``MIN_OVERLAP_S``."""
    a, b = _detrended(a, rate), _detrended(b, rate)
    max_lag = max(int(round(max_lag_s * rate)), 0)
    best: Lag | None = None
    for lag in range(-max_lag, max_lag + 1):
        x, y = (a[: len(a) - lag], b[lag:]) if lag >= 0 else (a[-lag:], b[: len(b) + lag])
        both = ~np.isnan(x) & ~np.isnan(y)
        if both.sum() < MIN_OVERLAP_S * rate:
            continue
        r = _pearson(x[both], y[both])
        if best is None or r > best.score:
            best = Lag(score=r, samples=lag)
    if best is None:
        return None
    return Lag(score=float(np.clip(best.score, 0.0, 1.0)), samples=best.samples)


def _detrended(envelope: np.ndarray, rate: float) -> np.ndarray:
    """The envelope minus its moving average, NaN kept: slow swells (a dancer walking on) would
    otherwise dominate the correlation."""
    envelope = np.asarray(envelope, float)
    valid = ~np.isnan(envelope)
    if valid.sum() < 2:
        return envelope
    filled = fill_edges(envelope)
    trend = uniform_filter1d(filled, size=max(int(round(DETREND_S * rate)), 1), mode="nearest")
    return np.where(valid, envelope - trend, np.nan)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x - x.mean(), y - y.mean()
    norm = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / norm) if norm > 0 else 0.0


def group_synchrony(envelopes: np.ndarray, rate: float, bpm: float | None) -> GroupSynchronyFigures | None:
    """Kuramoto R of envelopes of shape (dancers, samples) on one even grid, NaN where a dancer is
    absent; None without a tempo the band-pass can be built around (``tempo_band``) or without two
    dancers on screen together."""
    envelopes = np.asarray(envelopes, float)
    present = ~np.isnan(envelopes)
    together = present.sum(axis=0) >= 2
    band = tempo_band(rate, bpm) if bpm is not None else None
    if band is None or len(envelopes) < 2 or not together.any():
        return None
    phases = np.array([_phase(envelope, band) for envelope in envelopes])
    unit = np.where(present, np.exp(1j * np.nan_to_num(phases)), 0)
    counts = present.sum(axis=0)
    r_t = np.abs(unit.sum(axis=0))[together] / counts[together]
    return GroupSynchronyFigures(R=float(r_t.mean()), chance=float(np.mean(1 / np.sqrt(counts[together]))))


def tempo_band(rate: float, bpm: float) -> tuple[float, float] | None:
    """The band-pass edges around ``bpm`` (BPM) for envelopes sampled at ``rate`` Hz, as fractions of
    the Nyquist frequency; None when no such band exists (a tempo not above 0, or too close to Nyquist)."""
    if not (math.isfinite(bpm) and bpm > 0 and math.isfinite(rate) and rate > 0):
        return None
    tempo_hz, nyquist = bpm / 60, rate / 2
    low, high = tempo_hz / BAND / nyquist, min(tempo_hz * BAND / nyquist, 0.99)
    return (low, high) if low < high else None


def _phase(envelope: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Hilbert phase of the envelope band-passed to ``band`` (``tempo_band``; NaN where absent)."""
    valid = ~np.isnan(envelope)
    if valid.sum() < 2:
        return np.full(len(envelope), np.nan)
    filled = fill_edges(envelope)
    sos = butter(2, band, btype="bandpass", output="sos")
    padlen = min(3 * (2 * len(sos) + 1), len(filled) - 1)
    passed = sosfiltfilt(sos, filled - filled.mean(), padlen=padlen)
    return np.where(valid, np.angle(hilbert(passed)), np.nan)
