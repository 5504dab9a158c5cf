"""Two videos on one recording of a song, aligned by their soundtracks: the offset and the tempo ratio.

The model is a straight line, attempt time = ``offset_s`` + ``tempo_ratio`` x reference time: the same
recording played from another point, and possibly faster or slower (a practice speed). For each
candidate ratio the attempt's onset envelope (``choreo.soundtrack``) is resampled onto the reference's
clock and the two are cross-correlated (Pearson's r over the overlap at every lag, by FFT; Ellis & Poliner
2007 align cover songs the same way, on chroma): the line is the (ratio, lag) with the highest r.

The ratios form a geometric grid from 1 / ``MAX_TEMPO_RATIO`` to ``MAX_TEMPO_RATIO`` (1 exactly on it),
searched twice: on envelopes smoothed to ``COARSE_RATE`` with a step small enough that the drift
across the overlap stays within a coarse sample, then at the full rate around the best coarse ratio.

Whether the soundtracks are one recording (``shared``) takes three figures. ``correlation``: the same
recording gives 0.9 and more (0.94 for a phone video against a screen recording of the same song),
about 0.7 with as much noise as music; different songs mostly stay under 0.4. But two songs with
steady beats, one stretched until the beats coincide, can reach 0.5-0.7 as well: then every shift
by a beat lines up about as well, while one recording lines up at one shift only (its melody,
words and fills coincide there and nowhere else). So ``sidelobe`` is the best r at shifts more
than ``SIDELOBE_S`` away from the peak, and a shared recording needs r of at least
``MIN_CORRELATION`` and a peak at least ``MIN_MARGIN`` above its sidelobe (measured: 0.06-0.34 for
one recording, under 0.04 for beat patterns that coincide). And where both soundtracks carry their
chroma, the notes must agree along the line too (``chroma_correlation``, Pearson's r of the 12 pitch
classes over the overlap, at least ``MIN_CHROMA_CORRELATION``): measured on real songs, one recording
time-stretched 0.5-1.5x reads 0.66-0.81 (0.34-0.81 with white noise as loud as the music), 54 pairs of
different songs, one of them played 0.8, 1 or 1.25 times as fast, at most 0.10. A video sped up or
slowed down without keeping the pitch (resampled) has its notes moved by 12 log2(ratio) semitones,
so the chroma is compared both as it is and moved back by that much, and the better counts.

With the chroma to tell songs apart, the coarse search runs on sharper envelopes (``COARSE_RATE``,
``COARSE_SIGMA_S``), which find time-stretched practice speeds the blunter ones miss (1.05-1.15x and
1.25-1.5x on a real pop song). Without it (soundtracks kept before the chroma was), the blunter
search (``BLUNT_COARSE_RATE``, ``BLUNT_COARSE_SIGMA_S``) and the onsets alone decide, as before:
the sharper search alone let 6 of those 54 different-song pairs pass as one recording, the blunter 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from choreo.soundtrack import Soundtrack

#: Fastest and slowest playback looked for (x2: a practice video at half speed, either way round).
MAX_TEMPO_RATIO = 2.0
#: Smallest overlap, seconds and share of the shorter soundtrack: a few seconds of any two songs can correlate.
MIN_OVERLAP_S = 5.0
MIN_OVERLAP_SHARE = 0.5
#: Envelope rate of the coarse search, Hz, and its smoothing (seconds, Gaussian sigma), with the chroma of both
#: soundtracks to tell songs apart, and without it (module doc).
COARSE_RATE = 20.0
COARSE_SIGMA_S = 0.05
BLUNT_COARSE_RATE = 10.0
BLUNT_COARSE_SIGMA_S = 0.1
#: Smoothing of the full-rate search, in envelope frames: an onset smeared over ~3 frames still meets
#: its copy when the grid's ratio is a little off.
FINE_SIGMA_FRAMES = 1.0
#: Ratio steps, as a share of the ratio: no finer than the drift allows, no coarser than 1 %.
COARSE_STEP_MAX = 0.01
COARSE_STEP_MIN = 0.002
FINE_STEPS = 10
#: Below this r, two soundtracks are not taken for one recording (see the module doc for the figures).
MIN_CORRELATION = 0.5
#: Shifts within this of the peak belong to the peak itself (its width is a few envelope frames).
SIDELOBE_S = 0.25
#: How far the peak must stand above every other shift: more than a repeating beat gives (module doc).
MIN_MARGIN = 0.05
#: Below this chroma r along the line, two soundtracks are not one recording (module doc for the figures).
MIN_CHROMA_CORRELATION = 0.2


@dataclass(frozen=True)
class SoundtrackMatch:
    #: Attempt time at reference time 0, seconds (attempt time = offset_s + tempo_ratio x reference time).
    offset_s: float
    #: Attempt seconds per reference second (1.2: the attempt's soundtrack plays 20 % slower).
    tempo_ratio: float
    #: Pearson's r of the two onset envelopes along the line, -1..1.
    correlation: float
    #: The best r at the same ratio more than ``SIDELOBE_S`` away from the line (-1 when there is none).
    sidelobe: float
    #: Seconds of the reference the attempt's soundtrack covers along the line.
    overlap_s: float
    #: Pearson's r of the two chromas along the line, -1..1; None when either soundtrack has no chroma.
    chroma_correlation: float | None = None

    @property
    def shared(self) -> bool:
        """Whether the two soundtracks are one recording (the module doc says why three figures)."""
        notes_agree = self.chroma_correlation is None or self.chroma_correlation >= MIN_CHROMA_CORRELATION
        return self.correlation >= MIN_CORRELATION and self.correlation - self.sidelobe >= MIN_MARGIN and notes_agree


def match_soundtracks(reference: Soundtrack, attempt: Soundtrack) -> SoundtrackMatch | None:
    """The line that aligns ``attempt``'s soundtrack with ``reference``'s; None when either is silent
    or too short to overlap by ``MIN_OVERLAP_S``."""
    if reference.silent or attempt.silent or reference.rate != attempt.rate:
        return None
    shorter = min(reference.duration_s, attempt.duration_s)
    min_overlap_s = max(MIN_OVERLAP_S, MIN_OVERLAP_SHARE * shorter)
    if shorter < MIN_OVERLAP_S or np.std(reference.onsets) == 0 or np.std(attempt.onsets) == 0:
        return None
    with_chroma = reference.chroma is not None and attempt.chroma is not None
    rate, sigma_s = (COARSE_RATE, COARSE_SIGMA_S) if with_chroma else (BLUNT_COARSE_RATE, BLUNT_COARSE_SIGMA_S)
    step = float(np.clip(2 / (rate * reference.duration_s), COARSE_STEP_MIN, COARSE_STEP_MAX))
    coarse = _search(reference, attempt, _ratio_grid(1 / MAX_TEMPO_RATIO, MAX_TEMPO_RATIO, step),
                     rate, sigma_s * rate, min_overlap_s)
    if coarse is None:
        return None
    ratios = coarse[0] * np.exp(np.linspace(-step, step, 2 * FINE_STEPS + 1))
    fine = _search(reference, attempt, ratios, reference.rate, FINE_SIGMA_FRAMES, min_overlap_s)
    if fine is None:
        return None
    ratio, lag, r, overlap = fine
    offset_s = ratio * lag / reference.rate
    return SoundtrackMatch(
        offset_s=offset_s, tempo_ratio=ratio, correlation=r,
        sidelobe=_sidelobe(reference, attempt, ratio, lag, min_overlap_s), overlap_s=overlap / reference.rate,
        chroma_correlation=chroma_correlation(reference, attempt, offset_s, ratio),
    )


def chroma_correlation(reference: Soundtrack, attempt: Soundtrack, offset_s: float, tempo_ratio: float) -> float | None:
    """Pearson's r of the two chromas' note patterns (``_pearson``) along the line attempt
    time = ``offset_s`` + ``tempo_ratio`` x reference time, with the attempt's notes as they are or moved back by
    the semitones a resampled (not time-stretched) playback moves them, whichever agrees better; None without
    chroma on both sides or two seconds of overlap."""
    if reference.chroma is None or attempt.chroma is None:
        return None
    reference_t = np.arange(reference.chroma.shape[1]) / reference.chroma_rate
    position = (offset_s + tempo_ratio * reference_t) * attempt.chroma_rate
    inside = (position >= 0) & (position <= attempt.chroma.shape[1] - 1)
    if inside.sum() < 2 * reference.chroma_rate:
        return None
    frames = np.arange(attempt.chroma.shape[1])
    on_line = np.array([np.interp(position[inside], frames, pitch_class) for pitch_class in attempt.chroma])
    heard = reference.chroma[:, inside]
    return max(_pearson(heard, _transposed(on_line, semitones)) for semitones in (0.0, 12 * np.log2(tempo_ratio)))


def _transposed(chroma: np.ndarray, semitones: float) -> np.ndarray:
    """``chroma`` moved up by ``semitones`` (fractions shared between the two nearest pitch classes)."""
    whole = int(np.floor(semitones))
    part = semitones - whole
    return (1 - part) * np.roll(chroma, whole, axis=0) + part * np.roll(chroma, whole + 1, axis=0)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r of two chromas' note patterns: each frame's mean over the pitch classes removed (how loud
    it is, or that it is a drum hit or silence, is not which notes sound), then each class's mean over time
    (a key two songs share)."""
    x = x - x.mean(axis=0, keepdims=True)
    y = y - y.mean(axis=0, keepdims=True)
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    spread = float(np.sqrt(np.sum(x * x) * np.sum(y * y)))
    return float(np.sum(x * y)) / spread if spread > 0 else 0.0


def _ratio_grid(low: float, high: float, step: float) -> np.ndarray:
    """Ratios from ``low`` to ``high``, ``step`` apart in log, with 1 exactly among them."""
    below = np.exp(-np.arange(0, np.log(1 / low) + 1e-9, step))[::-1]
    above = np.exp(np.arange(step, np.log(high) + 1e-9, step))
    return np.concatenate([below, above])


def _search(
    reference: Soundtrack, attempt: Soundtrack, ratios: np.ndarray, rate: float, sigma: float, min_overlap_s: float
) -> tuple[float, int, float, int] | None:
    """(ratio, lag in frames at ``rate``, r, overlap in frames) of the best pair, or None."""
    ref = _on_clock(reference, rate, sigma, 1.0)
    best: tuple[float, int, float, int] | None = None
    for ratio in ratios:
        att = _on_clock(attempt, rate, sigma, ratio)
        lags, r, overlap = pearson_by_lag(ref, att, int(min_overlap_s * rate))
        if len(r) == 0:
            continue
        at = int(np.argmax(np.nan_to_num(r, nan=-np.inf)))
        if np.isfinite(r[at]) and (best is None or r[at] > best[2]):
            best = (float(ratio), int(lags[at]), float(r[at]), int(overlap[at]))
    return best


def _sidelobe(reference: Soundtrack, attempt: Soundtrack, ratio: float, lag: int, min_overlap_s: float) -> float:
    """The best r at ``ratio`` more than ``SIDELOBE_S`` away from ``lag`` (frames at the reference's rate)."""
    rate = reference.rate
    ref = _on_clock(reference, rate, FINE_SIGMA_FRAMES, 1.0)
    lags, r, _ = pearson_by_lag(ref, _on_clock(attempt, rate, FINE_SIGMA_FRAMES, ratio), int(min_overlap_s * rate))
    away = np.isfinite(r) & (np.abs(lags - lag) > SIDELOBE_S * rate)
    return float(r[away].max()) if away.any() else -1.0


def _on_clock(soundtrack: Soundtrack, rate: float, sigma: float, ratio: float) -> np.ndarray:
    """The envelope smoothed (``sigma`` frames at ``rate``) and read every ``ratio`` / ``rate`` seconds."""
    scale = soundtrack.rate / rate
    smooth = gaussian_filter1d(soundtrack.onsets, max(sigma * scale, 0.5)) if sigma > 0 else soundtrack.onsets
    source_t = np.arange(len(smooth)) / soundtrack.rate
    grid = np.arange(0.0, soundtrack.duration_s / ratio, 1 / rate) * ratio
    return np.interp(grid, source_t, smooth)


def pearson_by_lag(x: np.ndarray, y: np.ndarray, min_overlap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pearson's r of x[i] with y[i + lag] over their overlap, for every lag with at least ``min_overlap``
    samples in common: (lags, r, overlap). Sums by FFT and running sums, O((n + m) log(n + m))."""
    n, m = len(x), len(y)
    lags = np.arange(-(n - 1), m)
    start = np.maximum(0, -lags)
    stop = np.minimum(n, m - lags)
    count = stop - start
    keep = count >= max(min_overlap, 2)
    lags, start, stop, count = lags[keep], start[keep], stop[keep], count[keep]
    if len(lags) == 0:
        return lags, np.zeros(0), count
    size = 1 << int(np.ceil(np.log2(n + m)))
    products = np.fft.irfft(np.conj(np.fft.rfft(x, size)) * np.fft.rfft(y, size), size)
    sxy = products[lags % size]  # sum of x[i] y[i + lag]; negative lags wrap around
    cx, cx2 = _running(x), _running(x * x)
    cy, cy2 = _running(y), _running(y * y)
    sx, sx2 = cx[stop] - cx[start], cx2[stop] - cx2[start]
    sy, sy2 = cy[stop + lags] - cy[start + lags], cy2[stop + lags] - cy2[start + lags]
    covariance = sxy - sx * sy / count
    spread = (sx2 - sx * sx / count) * (sy2 - sy * sy / count)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(spread > 1e-12, covariance / np.sqrt(np.maximum(spread, 1e-300)), np.nan)
    return lags, r, count


def _running(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values)])
