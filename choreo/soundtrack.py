"""A video's soundtrack in a few numbers: its onset-strength envelope, kept so that two videos can be
aligned by their music later without decoding either again.

The envelope is librosa's onset strength (spectral flux of the log-mel spectrogram, Böck & Widmer
2013, as ``choreo.music`` computes it for the beats): one value per ``HOP_LENGTH`` samples at
``SAMPLE_RATE`` (about 43 a second, 23 ms apart), scaled so that the strongest onset is 1 and
rounded to ``DIGITS`` decimals: about 6 bytes a value in JSON, 250 bytes a second of video. Silence
(no audio, or an audio track of zeros) has no envelope worth keeping: ``silent`` is True then.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from choreo.music import HOP_LENGTH, SAMPLE_RATE, onset_envelope

VERSION = 1
#: Decimals kept of the scaled envelope: 1/1000 of the strongest onset, far below what tells music apart.
DIGITS = 3
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
    return Soundtrack(rate=rate, onsets=np.round(envelope / peak, DIGITS), silent=False)


def soundtrack_document(soundtrack: Soundtrack) -> dict[str, Any]:
    """``soundtrack.json``: the envelope and what it is (the worker writes it beside analysis.json)."""
    return {
        "version": VERSION,
        "feature": "onset_strength",
        "rate": soundtrack.rate,
        "silent": soundtrack.silent,
        "onsets": [float(value) for value in soundtrack.onsets],
    }


def soundtrack_from_document(document: Mapping[str, Any]) -> Soundtrack:
    """The ``Soundtrack`` a ``soundtrack_document`` describes."""
    return Soundtrack(
        rate=float(document["rate"]), onsets=np.asarray(document["onsets"], float), silent=bool(document["silent"])
    )
