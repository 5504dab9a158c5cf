"""Music beats and tempo from audio samples (decoding the video's audio is the worker's job).

Beats come from ``librosa.beat.beat_track`` (Ellis' dynamic-programming beat tracker) on the onset
strength envelope at ``SAMPLE_RATE``. librosa's own tempo comes from a coarse grid (a 120 BPM click
track reads 117.45), so ``bpm`` is taken from the beats it placed: 60 over the mean of the
inter-beat intervals within 20 % of their median (skipped or doubled beats left out). Confidence
is the share of the onset envelope's rhythmic power at that tempo (``choreo.tempo``).

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

from choreo.tempo import tempo_confidence

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


@dataclass(frozen=True)
class MusicBeats:
    #: None when the audio has no beat (silence, speech).
    bpm: float | None
    confidence: float
    #: Seconds from the start of the audio.
    beats: np.ndarray


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
    confidence = tempo_confidence(onsets, sample_rate / HOP_LENGTH, bpm)
    return MusicBeats(bpm=bpm, confidence=confidence, beats=beats)


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
