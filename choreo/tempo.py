"""Tempo of a rhythmic signal from its spectrum: the movement's BPM, and the share of rhythm at it.

Method (see ``../shared/docs/analysis-notes.md``): remove a ``DETREND_S`` moving average, apply a
Hann window, zero-pad ``ZERO_PAD`` times, take the magnitude spectrum and its peak between
``MIN_BPM`` and ``MAX_BPM`` (refined between bins by a parabola through the peak and its
neighbours). Plain autocorrelation is not used: it halves or doubles the tempo (octave errors).

With music, ``motion_tempo`` reports the music's tempo at the movement's metrical level instead,
when the movement is measured to follow the beat (``choreo/entrainment.py``): real choreography is
not a sinusoidal bounce, and its spectrum's highest peak often lies between the music's levels.

Confidence, 0..1: the share of the band's spectral power within ``max(main lobe, PEAK_WIDTH)`` of
the peak, rescaled so that a flat spectrum (white noise) scores 0: (share - w) / (1 - w), w the
window's share of the band. A steady beat puts nearly all the power there and scores near 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal.windows import hann

from choreo.entrainment import Locking

MIN_BPM = 60.0
MAX_BPM = 180.0
DETREND_S = 2.0
ZERO_PAD = 16
#: Relative half-width around the peak counted as "at the tempo" for the confidence.
PEAK_WIDTH = 0.04
#: Shortest signal worth a tempo: three beats at the slowest tempo.
MIN_DURATION_S = 3 * 60 / MIN_BPM


@dataclass(frozen=True)
class Tempo:
    bpm: float | None
    confidence: float


NO_TEMPO = Tempo(bpm=None, confidence=0.0)


def spectral_tempo(signal: np.ndarray, rate: float, min_bpm: float = MIN_BPM, max_bpm: float = MAX_BPM) -> Tempo:
    """Tempo of ``signal`` sampled evenly at ``rate`` Hz (no NaN); ``NO_TEMPO`` when too short or flat."""
    spectrum, bpm_axis, band = _spectrum(signal, rate, min_bpm, max_bpm)
    if spectrum is None or not spectrum[band].any():
        return NO_TEMPO
    peak = int(np.flatnonzero(band)[np.argmax(spectrum[band])])
    bpm = _refine(spectrum, bpm_axis, peak)
    return Tempo(bpm=bpm, confidence=_share_at(spectrum, bpm_axis, band, bpm, len(signal), rate))


def tempo_confidence(signal: np.ndarray, rate: float, bpm: float) -> float:
    """Share of ``signal``'s rhythmic power (60-180 BPM) at ``bpm``: the confidence of a tempo found
    another way (the music's, from librosa's beat tracker)."""
    spectrum, bpm_axis, band = _spectrum(signal, rate, MIN_BPM, MAX_BPM)
    if spectrum is None or not spectrum[band].any():
        return 0.0
    return _share_at(spectrum, bpm_axis, band, _in_band(bpm), len(signal), rate)


def _spectrum(
    signal: np.ndarray, rate: float, min_bpm: float, max_bpm: float
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    signal = np.asarray(signal, float)
    if len(signal) < MIN_DURATION_S * rate or np.isnan(signal).any():
        return None, np.array([]), np.array([], bool)
    detrended = signal - uniform_filter1d(signal, size=max(int(round(DETREND_S * rate)), 1), mode="nearest")
    windowed = detrended * hann(len(signal), sym=False)
    size = 1 << int(np.ceil(np.log2(len(signal) * ZERO_PAD)))
    spectrum = np.abs(np.fft.rfft(windowed, size))
    bpm_axis = np.fft.rfftfreq(size, 1 / rate) * 60
    return spectrum, bpm_axis, (bpm_axis >= min_bpm) & (bpm_axis <= max_bpm)


def _refine(spectrum: np.ndarray, bpm_axis: np.ndarray, peak: int) -> float:
    """The peak's position between bins: vertex of the parabola through it and its neighbours.

    Only at a local maximum, where the vertex lies within half a bin: a band's edge bin on a slope
    rising out of the band would extrapolate anywhere (a 53.5 BPM sine over 8 s at 30 Hz read as -8 BPM)."""
    if 0 < peak < len(spectrum) - 1:
        left, centre, right = spectrum[peak - 1 : peak + 2]
        curvature = left - 2 * centre + right
        if curvature < 0 and left <= centre >= right:
            shift = 0.5 * (left - right) / curvature
            return float(bpm_axis[peak] + shift * (bpm_axis[1] - bpm_axis[0]))
    return float(bpm_axis[peak])


def _share_at(spectrum: np.ndarray, bpm_axis: np.ndarray, band: np.ndarray, bpm: float, samples: int, rate: float) -> float:
    main_lobe_bpm = 2 * rate / samples * 60  # Hann: +-2 bins of the unpadded spectrum
    width = max(main_lobe_bpm, PEAK_WIDTH * bpm)
    power = spectrum**2
    near = band & (np.abs(bpm_axis - bpm) <= width)
    share = power[near].sum() / power[band].sum()
    flat_share = near.sum() / band.sum()
    return float(np.clip((share - flat_share) / (1 - flat_share), 0.0, 1.0)) if flat_share < 1 else 0.0


def _in_band(bpm: float) -> float:
    """``bpm`` doubled or halved into the 60-180 band (a tempo's octaves share its beats)."""
    while bpm < MIN_BPM:
        bpm *= 2
    while bpm > MAX_BPM:
        bpm /= 2
    return bpm


@dataclass(frozen=True)
class MotionTempo:
    """The movement's tempo as a dancer counts it."""

    bpm: float | None
    confidence: float
    #: "beat" when the movement is locked to the music's beat clock (``choreo/entrainment.py``) and the
    #: tempo is the music's at that metrical level; "movement" when it is the spectrum's peak alone.
    source: str
    #: Movement cycles per music beat (0.5, 1, 2) when ``source`` is "beat".
    cycles_per_beat: float | None


def motion_tempo(envelope: np.ndarray, rate: float, music_bpm: float | None, locking: Locking | None) -> MotionTempo:
    """The tempo of movement with speed envelope ``envelope`` (even, ``rate`` Hz, no NaN): with music
    the movement follows (``locking.locked``), the music's tempo at the movement's metrical level
    (x1/2, x1, x2): the clock the movement is measured to follow; otherwise the spectrum's peak
    (``spectral_tempo``), so a dancer moving at 100 BPM over 120 BPM music reads 100, not 120.
    Confidence is the envelope's share of rhythm at the reported tempo either way."""
    if music_bpm and locking is not None and locking.locked:
        bpm = music_bpm * locking.level
        return MotionTempo(bpm=bpm, confidence=tempo_confidence(envelope, rate, bpm), source="beat",
                           cycles_per_beat=locking.level)
    free = spectral_tempo(envelope, rate)
    return MotionTempo(bpm=free.bpm, confidence=free.confidence, source="movement", cycles_per_beat=None)
