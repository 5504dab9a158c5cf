"""Synthetic soundtracks with known answers: songs made of noise bursts (drum-like onsets) at known times, and
songs with a melody over them."""
from __future__ import annotations

import numpy as np

from choreo.music import SAMPLE_RATE


def song(seconds: float, seed: int, bpm: float = 120.0, beat_level: float = 1.0, extras_per_s: float = 3.0) -> np.ndarray:
    """Mono samples at ``SAMPLE_RATE``: a burst on every beat (random loudness up to ``beat_level``) and
    ``extras_per_s`` quieter bursts a second at random times, so that no two seeds share more than their beat."""
    rng = np.random.default_rng(seed)
    samples = np.zeros(int(seconds * SAMPLE_RATE), np.float32)
    burst = (rng.normal(0, 1, 400) * np.hanning(400)).astype(np.float32)
    beats = [(t, beat_level * rng.uniform(0.6, 1.0)) for t in np.arange(0, seconds, 60 / bpm)]
    extras = [(t, rng.uniform(0.1, 0.5)) for t in rng.uniform(0, seconds, int(seconds * extras_per_s))]
    for at, level in beats + extras:
        start = int(at * SAMPLE_RATE)
        piece = samples[start : start + len(burst)]
        piece += level * burst[: len(piece)]
    return samples


def later(samples: np.ndarray, seconds: float) -> np.ndarray:
    """The recording from ``seconds`` in: a video started that much later in the song."""
    return samples[int(round(seconds * SAMPLE_RATE)) :]


def played_at(samples: np.ndarray, speed: float) -> np.ndarray:
    """The recording played ``speed`` times as fast (0.8: slower, and longer by 1 / 0.8)."""
    positions = np.arange(0, len(samples) - 1, speed)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def tonal_song(seconds: float, seed: int, bpm: float = 120.0) -> np.ndarray:
    """``song`` with a melody: a note of the C major scale (a sine with its octave) on each beat, held to the
    next, chosen by ``seed``; two seeds share their beat but not their notes."""
    rng = np.random.default_rng(seed + 1000)
    drums = song(seconds, seed, bpm=bpm)
    t = np.arange(len(drums)) / SAMPLE_RATE
    beat = np.floor(t * bpm / 60).astype(int)
    scale = np.array([60, 62, 64, 65, 67, 69, 71])  # MIDI C4-B4
    notes = rng.choice(scale, beat.max() + 1)[beat]
    hertz = 440.0 * 2 ** ((notes - 69) / 12)
    phase = 2 * np.pi * np.cumsum(hertz) / SAMPLE_RATE
    melody = 0.3 * np.sin(phase) + 0.15 * np.sin(2 * phase)
    return (drums + melody).astype(np.float32)
