"""A video's soundtrack in a few numbers: its onset-strength envelope and its chroma, kept so that two
videos can be aligned by their music later without decoding either again.

The envelope is librosa's onset strength (spectral flux of the log-mel spectrogram, Böck & Widmer
2013, as ``choreo.music`` computes it for the beats): one value per ``HOP_LENGTH`` samples at
``SAMPLE_RATE`` (about 43 a second, 23 ms apart), scaled so that the strongest onset is 1 and
rounded to ``DIGITS`` decimals: about 6 bytes a value in JSON, 250 bytes a second of video. It says
when the music's sounds start, which lines two recordings up to the frame; but two songs whose
beats coincide line up as well.

The chroma (librosa's ``chroma_stft``: the energy of each of the 12 pitch classes, C to B, each frame
scaled so its strongest class is 1) says which notes sound: one frame per ``CHROMA_HOP`` samples
(about 11 a second) over ``CHROMA_FFT``-sample windows, rounded to ``CHROMA_DIGITS`` decimals, about
650 bytes a second (900 with the envelope: 3.2 MB for an hour). One recording has the same notes along
its line; two songs whose beats coincide do not (``choreo.soundtrack_alignment``). Soundtracks kept
before it (version 1) have none. Silence (no audio, or an audio track of zeros) has nothing worth
keeping: ``silent`` is True then.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from choreo.music import HOP_LENGTH, SAMPLE_RATE, onset_envelope

VERSION = 2
#: Decimals kept of the scaled envelope: 1/1000 of the strongest onset, far below what tells music apart.
DIGITS = 3
#: Chroma frames: one per this many samples, each over a window of ``CHROMA_FFT`` samples (at 22,050 Hz:
#: 93 ms apart, 186 ms long, fine enough for the notes of a melody and cheap: 0.06 s per minute of audio).
CHROMA_HOP = 2048
CHROMA_FFT = 4096
#: Decimals kept of the chroma (each frame's strongest pitch class is 1).
CHROMA_DIGITS = 2
#: Shortest soundtrack worth keeping, seconds: a few beats.
MIN_DURATION_S = 2.0


@dataclass(frozen=True)
class Soundtrack:
    #: Envelope values per second (``SAMPLE_RATE / HOP_LENGTH``).
    rate: float
    #: Onset strength, 0..1 (1: the strongest onset), one value per 1 / ``rate`` seconds from the audio's start.
    onsets: np.ndarray
    #: True when the audio carries nothing to align by (all zeros, or shorter than ``MIN_DURATION_S``).
    silent: bool
    #: Pitch-class energies, shape (12, frames) from C to B, 0..1 (1: the frame's strongest class), one frame per
    #: 1 / ``chroma_rate`` seconds; None in soundtracks kept before the chroma was (version 1).
    chroma: np.ndarray | None = None
    chroma_rate: float | None = None

    @property
    def duration_s(self) -> float:
        return len(self.onsets) / self.rate


def soundtrack_of(samples: np.ndarray | None, sample_rate: int = SAMPLE_RATE) -> Soundtrack:
    """The onset envelope of mono ``samples`` (float, -1..1, at ``sample_rate`` Hz; None: no audio track)."""
    rate = sample_rate / HOP_LENGTH
    samples = np.asarray(samples if samples is not None else [], np.float32)
    if len(samples) < MIN_DURATION_S * sample_rate or not np.any(samples):
        return Soundtrack(rate=rate, onsets=np.zeros(0), silent=True)
    envelope = np.asarray(onset_envelope(samples, sample_rate), float)
    peak = float(envelope.max())
    if not peak > 0:
        return Soundtrack(rate=rate, onsets=np.zeros(0), silent=True)
    import librosa  # heavy (numba); imported on first use, as in ``choreo.music``

    chroma = librosa.feature.chroma_stft(y=samples, sr=sample_rate, hop_length=CHROMA_HOP, n_fft=CHROMA_FFT)
    return Soundtrack(
        rate=rate, onsets=np.round(envelope / peak, DIGITS), silent=False,
        chroma=np.round(chroma.astype(float), CHROMA_DIGITS), chroma_rate=sample_rate / CHROMA_HOP,
    )


def soundtrack_document(soundtrack: Soundtrack) -> dict[str, Any]:
    """``soundtrack.json``: the envelope and the chroma, and what they are (the worker writes it beside
    analysis.json); the chroma as one list of 12 pitch classes (C to B) per frame."""
    chroma = soundtrack.chroma
    return {
        "version": VERSION,
        "feature": "onset_strength",
        "rate": soundtrack.rate,
        "silent": soundtrack.silent,
        "onsets": [float(value) for value in soundtrack.onsets],
        "chroma_rate": soundtrack.chroma_rate,
        "chroma": [[float(value) for value in frame] for frame in chroma.T] if chroma is not None else None,
    }


def soundtrack_from_document(document: Mapping[str, Any]) -> Soundtrack:
    """The ``Soundtrack`` a ``soundtrack_document`` describes (version 1, without chroma, too)."""
    frames = document.get("chroma")
    return Soundtrack(
        rate=float(document["rate"]), onsets=np.asarray(document["onsets"], float), silent=bool(document["silent"]),
        chroma=np.asarray(frames, float).reshape(-1, 12).T if frames is not None else None,
        chroma_rate=float(document["chroma_rate"]) if frames is not None else None,
    )
