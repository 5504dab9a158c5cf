"""Music beats and tempo from audio samples (decoding the video's audio is the worker's job).

Beats come from ``librosa.beat.beat_track`` (Ellis' dynamic-programming beat tracker) on the onset
strength envelope at ``SAMPLE_RATE``. librosa's own tempo comes from a coarse grid (a 120 BPM click
track reads 117.45), so ``bpm`` is taken from the beats it placed: 60 over the mean of the
inter-beat intervals within 20 % of their median (skipped or doubled beats left out).

Confidence is the music's *pulse clarity* (Lartillot, Eerola, Toiviainen & Fornari 2008, ISMIR, the
autocorrelation variant): the autocorrelation of the onset-strength envelope (smoothed over one
frame) at one beat period, the highest within ``PULSE_LAG_TOLERANCE`` of it; near 1 for a
metronome, near 0 for noise or speech. librosa's tracker places beats in anything, noise included,
so under ``MIN_PULSE_CLARITY`` the beat is called faint (``MusicBeats.clear`` false): the beats and
the tempo are kept, and the page says that movement not measured to follow them may be following
a beat the tracker cannot hear clearly. Measured: pop and dance songs 0.44-0.84, a click track 0.90,
the ballerina's classical music 0.06, white noise 0.05 (docs/analysis.md). The measure dilutes with
busy, irregular onsets between the beats, so it only qualifies the beat, never removes it.

Beat times are then moved onto their sounds' attacks: librosa's onset envelope peaks about one hop
(~25 ms at 22050 Hz, ~40 ms measured on real songs) after a percussive attack, which would make every
dancer look late by that much. For each beat the steepest rise of the log loudness (3 ms resolution)
from ``ATTACK_BEFORE_S`` before it to ``ATTACK_AFTER_S`` after it is found, when there is a clear
rise, and every beat moves by the median of those distances: one latency for the whole track, so
the beats keep the tracker's even spacing (moving each beat to its own nearest attack made real
songs' beat intervals three times as uneven, 2.3 % -> 6.2 %, by catching off-beat notes); a beat
moves further to its own attack only within half a hop, the tracker's own rounding. On click
tracks this puts beats within 3 ms of the clicks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

SAMPLE_RATE = 22050
HOP_LENGTH = 512
#: Audio is turned into its onset envelope this many seconds at a time, so that an hour of audio
#: never needs its whole spectrogram in memory (about 1.3 GB); chunks overlap by ``CHUNK_OVERLAP``.
CHUNK_S = 120
CHUNK_OVERLAP = 8 * HOP_LENGTH
ATTACK_BEFORE_S = 0.07
ATTACK_AFTER_S = 0.02
ATTACK_HOP = 64
#: Smallest rise of log loudness within one attack hop that counts as an attack (about +10 %).
MIN_ATTACK_RISE = 0.1
#: The beat period is searched this much either side of the tracker's (its tempo is a mean over drifting beats).
PULSE_LAG_TOLERANCE = 0.03
#: Pulse clarity under which the beat is faint (see the module doc).
MIN_PULSE_CLARITY = 0.2


@dataclass(frozen=True)
class MusicBeats:
    #: None when the tracker finds no beat (silence, too short).
    bpm: float | None
    #: Pulse clarity, 0..1 (see the module doc).
    confidence: float
    #: Seconds from the start of the audio.
    beats: np.ndarray

    @property
    def clear(self) -> bool:
        """A tempo whose pulse is clear enough to time a dance against (``MIN_PULSE_CLARITY``)."""
        return self.bpm is not None and self.confidence >= MIN_PULSE_CLARITY


def music_beats(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> MusicBeats:
    """Beats and tempo of mono ``samples`` (float, -1..1)."""
    import librosa  # heavy (numba); imported on first use, and warmed up by ``warm_up``

    samples = np.asarray(samples, np.float32)
    if len(samples) < sample_rate or not np.any(samples):
        return MusicBeats(bpm=None, confidence=0.0, beats=np.array([]))
    onsets = onset_envelope(samples, sample_rate)
    _, beats = librosa.beat.beat_track(onset_envelope=onsets, sr=sample_rate, hop_length=HOP_LENGTH, units="time")
    beats = on_attacks(samples, sample_rate, np.asarray(beats, float))
    bpm = bpm_from_beats(beats)
    if bpm is None:
        return MusicBeats(bpm=None, confidence=0.0, beats=beats)
    return MusicBeats(bpm=bpm, confidence=pulse_clarity(onsets, sample_rate / HOP_LENGTH, bpm), beats=beats)


def pulse_clarity(onsets: np.ndarray, rate: float, bpm: float) -> float:
    """How clearly the onset envelope ``onsets`` (``rate`` frames a second) pulses at ``bpm``, 0..1 (see
    the module doc)."""
    envelope = gaussian_filter1d(np.asarray(onsets, float), 1.0)
    envelope -= envelope.mean()
    period = 60 / bpm * rate
    shortest = max(int(np.floor(period * (1 - PULSE_LAG_TOLERANCE))), 1)
    longest = int(np.ceil(period * (1 + PULSE_LAG_TOLERANCE)))
    best = 0.0
    for lag in range(shortest, longest + 1):
        if lag >= len(envelope) - 1:
            break
        early, late = envelope[:-lag], envelope[lag:]
        scale = np.sqrt(np.sum(early**2) * np.sum(late**2))
        if scale > 0:
            best = max(best, float(np.sum(early * late) / scale))
    return best


def on_attacks(samples: np.ndarray, sample_rate: int, beats: np.ndarray) -> np.ndarray:
    """The beats moved by the median distance to the attacks of the sounds they sit on (see the module doc)."""
    import librosa

    if len(beats) == 0:
        return beats
    rms = librosa.feature.rms(y=samples, frame_length=4 * ATTACK_HOP, hop_length=ATTACK_HOP)[0]
    loudness = np.log(rms + 1e-4)
    rise = np.diff(loudness, prepend=loudness[0])
    times = librosa.frames_to_time(np.arange(len(rise)), sr=sample_rate, hop_length=ATTACK_HOP)
    start = np.searchsorted(times, beats - ATTACK_BEFORE_S)
    stop = np.searchsorted(times, beats + ATTACK_AFTER_S, side="right")
    shifts = np.full(len(beats), np.nan)
    for index, (first, last) in enumerate(zip(start, stop)):
        if last > first:
            steepest = first + int(np.argmax(rise[first:last]))
            if rise[steepest] >= MIN_ATTACK_RISE:
                shifts[index] = times[steepest] - beats[index]
    if np.isnan(shifts).all():
        return beats
    latency = float(np.nanmedian(shifts))
    # Within half a hop of that, a beat may still move to its own attack: the tracker's frame grid.
    half_hop = HOP_LENGTH / 2 / sample_rate
    return beats + latency + np.clip(np.nan_to_num(shifts - latency), -half_hop, half_hop)


def onset_envelope(samples: np.ndarray, sample_rate: int, chunk_s: float = CHUNK_S) -> np.ndarray:
    """librosa's onset strength, one frame per ``HOP_LENGTH`` samples, computed chunk by chunk."""
    import librosa

    chunk = int(chunk_s * sample_rate) // HOP_LENGTH * HOP_LENGTH
    frames = 1 + len(samples) // HOP_LENGTH
    if len(samples) <= chunk:
        return librosa.onset.onset_strength(y=samples, sr=sample_rate, hop_length=HOP_LENGTH)
    parts = []
    for start in range(0, len(samples), chunk):
        before = min(start, CHUNK_OVERLAP)
        piece = samples[start - before : start + chunk + CHUNK_OVERLAP]
        envelope = librosa.onset.onset_strength(y=piece, sr=sample_rate, hop_length=HOP_LENGTH)
        parts.append(envelope[before // HOP_LENGTH :][: chunk // HOP_LENGTH])
    return np.concatenate(parts)[:frames]


def bpm_from_beats(beats: np.ndarray) -> float | None:
    """60 / the mean inter-beat interval, over intervals within 20 % of the median; None under 3 beats."""
    if len(beats) < 3:
        return None
    intervals = np.diff(beats)
    median = float(np.median(intervals))
    steady = intervals[np.abs(intervals - median) <= 0.2 * median]
    return float(60 / steady.mean())


def warm_up() -> None:
    """Import librosa and compile its beat tracker (several seconds), so the first job does not wait."""
    clicks = np.zeros(3 * SAMPLE_RATE, np.float32)
    clicks[:: SAMPLE_RATE // 2] = 1.0
    music_beats(clicks)
