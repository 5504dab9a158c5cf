"""Tempo of rhythmic movement from its spectrum: the movement's BPM, and the share of rhythm at it.

Method (see ``../shared/docs/analysis-notes.md``): remove a ``DETREND_S`` moving average, apply a
Hann window, zero-pad ``ZERO_PAD`` times, take the power spectrum and its peak between ``MIN_BPM``
and ``MAX_BPM`` (refined between bins by a parabola through the peak and its neighbours). Plain
autocorrelation is not used: it halves or doubles the tempo (octave errors).

A dancer's movement is many series at once, the signed velocities of their keypoints
(``choreo/entrainment.py``), and their power spectra are summed (a multichannel periodogram): each
limb keeps its own periodicity and phase. A single whole-body speed envelope does not: rectifying
velocity into speed doubles a swing's frequency and mixes the limbs' rhythms into peaks between the
music's levels (with the music ignored, the envelope's peak fell on the music's grid in 2 of the 5 real
clips with music, the velocities' in 4; see docs/analysis.md).

With music, ``motion_tempo`` reports the music's tempo at the movement's metrical level instead,
when the movement is measured to follow the beat (``choreo/entrainment.py``).

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
    """Tempo of ``signal`` sampled evenly at ``rate`` Hz (no NaN): one series, or several (rows) whose
    power spectra are summed; ``NO_TEMPO`` when too short or flat."""
    spectrum, bpm_axis, band = _spectrum(signal, rate, min_bpm, max_bpm)
    if spectrum is None or not spectrum[band].any():
        return NO_TEMPO
    peak = int(np.flatnonzero(band)[np.argmax(spectrum[band])])
    bpm = _refine(spectrum, bpm_axis, peak)
    return Tempo(bpm=bpm, confidence=_share_at(spectrum, bpm_axis, band, bpm, np.shape(signal)[-1], rate))


def tempo_confidence(signal: np.ndarray, rate: float, bpm: float) -> float:
    """Share of ``signal``'s rhythmic power (60-180 BPM; one series or several, as ``spectral_tempo``)
    at ``bpm``: the confidence of a tempo found another way (the music's, when the movement follows its beat)."""
    spectrum, bpm_axis, band = _spectrum(signal, rate, MIN_BPM, MAX_BPM)
    if spectrum is None or not spectrum[band].any():
        return 0.0
    return _share_at(spectrum, bpm_axis, band, _in_band(bpm), np.shape(signal)[-1], rate)


def _spectrum(
    signal: np.ndarray, rate: float, min_bpm: float, max_bpm: float
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Magnitude spectrum (the square root of the series' summed power spectra), its BPM axis and band."""
    series = np.atleast_2d(np.asarray(signal, float))
    samples = series.shape[1]
    if samples < MIN_DURATION_S * rate or np.isnan(series).any():
        return None, np.array([]), np.array([], bool)
    window = hann(samples, sym=False)
    size = 1 << int(np.ceil(np.log2(samples * ZERO_PAD)))
    power = np.zeros(size // 2 + 1)
    for row in series:  # one at a time: an hour of a class's keypoints padded at once would take gigabytes
        detrended = row - uniform_filter1d(row, size=max(int(round(DETREND_S * rate)), 1), mode="nearest")
        power += np.abs(np.fft.rfft(detrended * window, size)) ** 2
    spectrum = np.sqrt(power)
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


def motion_tempo(movement: np.ndarray, rate: float, music_bpm: float | None, locking: Locking | None) -> MotionTempo:
    """The tempo of ``movement`` (velocity series as rows, even, ``rate`` Hz, no NaN): with music the
    movement follows (``locking.locked``), the music's tempo at the movement's metrical level
    (x1/2, x1, x2): the clock the movement is measured to follow; otherwise the spectrum's peak
    (``spectral_tempo``), so a dancer moving at 100 BPM over 120 BPM music reads 100, not 120.
    Confidence is the movement's share of rhythm at the reported tempo either way."""
    if music_bpm and locking is not None and locking.locked:
        bpm = music_bpm * locking.level
        return MotionTempo(bpm=bpm, confidence=tempo_confidence(movement, rate, bpm), source="beat",
                           cycles_per_beat=locking.level)
    free = spectral_tempo(movement, rate)
    return MotionTempo(bpm=free.bpm, confidence=free.confidence, source="movement", cycles_per_beat=None)
