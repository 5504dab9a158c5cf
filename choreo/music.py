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

Other readings: a beat tracker settles on one metrical level, and where the music pulses at two
levels a third apart (3:2, as a fitness class's song does at 151 and 100 BPM) its choice follows its
tempo prior (centred on 120 BPM), not the music: the same song played 5 % faster is read at the
other level. So the tracker also reads the music with its tempo held at 3/2 and at 2/3 of its own
(``ALTERNATIVE_READINGS``); ``MusicBeats.alternatives`` carries them, with their own beats and
pulse clarity, for the dance to choose among (``choreo/metre.py``). Octaves (x2, x1/2) need no
reading of their own: the movement is measured at half, one and two cycles a beat.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

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
#: The other readings of the beat, as tempo ratios to the tracker's own (see the module doc).
ALTERNATIVE_READINGS = (3 / 2, 2 / 3)


@dataclass(frozen=True)
class MusicBeats:
    #: None when the tracker finds no beat (silence, too short).
    bpm: float | None
    #: Pulse clarity, 0..1 (see the module doc).
    confidence: float
    #: Seconds from the start of the audio.
    beats: np.ndarray
    #: The music read at the tempi of ``ALTERNATIVE_READINGS`` (see the module doc); empty for those themselves.
    alternatives: tuple[MusicBeats, ...] = ()
    #: The tracker's own tempo when this is one of its ``alternatives``; None for the tracker's own reading.
    tracker_bpm: float | None = None

    @property
    def clear(self) -> bool:
        """A tempo whose pulse is clear enough to time a dance against (``MIN_PULSE_CLARITY``)."""
        return self.bpm is not None and self.confidence >= MIN_PULSE_CLARITY


def music_beats(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> MusicBeats:
    """Beats and tempo of mono ``samples`` (float, -1..1), with the other readings of its beat."""
    samples = np.asarray(samples, np.float32)
    if len(samples) < sample_rate or not np.any(samples):
        return MusicBeats(bpm=None, confidence=0.0, beats=np.array([]))
    onsets = onset_envelope(samples, sample_rate)
    attacks = Attacks.of(samples, sample_rate)
    tracked = _reading(onsets, sample_rate, attacks)
    if tracked.bpm is None:
        return tracked
    others = (_reading(onsets, sample_rate, attacks, tracked.bpm * ratio) for ratio in ALTERNATIVE_READINGS)
    return replace(tracked, alternatives=tuple(replace(other, tracker_bpm=tracked.bpm) for other in others if other.bpm))


def _reading(onsets: np.ndarray, sample_rate: int, attacks: Attacks, bpm: float | None = None) -> MusicBeats:
    """The tracker's beats, at its own tempo or held at ``bpm``, on their attacks, with their pulse clarity."""
    import librosa  # heavy (numba); imported on first use, and warmed up by ``warm_up``

    _, beats = librosa.beat.beat_track(
        onset_envelope=onsets, sr=sample_rate, hop_length=HOP_LENGTH, units="time", **({"bpm": bpm} if bpm else {})
    )
    beats = attacks.under(np.asarray(beats, float))
    tempo = bpm_from_beats(beats)
    if tempo is None:
        return MusicBeats(bpm=None, confidence=0.0, beats=beats)
    return MusicBeats(bpm=tempo, confidence=pulse_clarity(onsets, sample_rate / HOP_LENGTH, tempo), beats=beats)


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


@dataclass(frozen=True)
class Attacks:
    """Where the sound's loudness rises: the attacks beats are moved onto (see the module doc)."""

    times: np.ndarray
    #: Rise of log loudness over one ``ATTACK_HOP`` at each of ``times``.
    rise: np.ndarray
    #: Half a hop of the onset envelope, seconds: the beat tracker's rounding.
    half_hop_s: float

    @classmethod
    def of(cls, samples: np.ndarray, sample_rate: int) -> Attacks:
        import librosa

        rms = librosa.feature.rms(y=samples, frame_length=4 * ATTACK_HOP, hop_length=ATTACK_HOP)[0]
        loudness = np.log(rms + 1e-4)
        rise = np.diff(loudness, prepend=loudness[0])
        times = librosa.frames_to_time(np.arange(len(rise)), sr=sample_rate, hop_length=ATTACK_HOP)
        return cls(times, rise, HOP_LENGTH / 2 / sample_rate)

    def under(self, beats: np.ndarray) -> np.ndarray:
        """The beats moved by the median distance to the attacks of the sounds they sit on (see the module doc)."""
        if len(beats) == 0:
            return beats
        start = np.searchsorted(self.times, beats - ATTACK_BEFORE_S)
        stop = np.searchsorted(self.times, beats + ATTACK_AFTER_S, side="right")
        shifts = np.full(len(beats), np.nan)
        for index, (first, last) in enumerate(zip(start, stop)):
            if last > first:
                steepest = first + int(np.argmax(self.rise[first:last]))
                if self.rise[steepest] >= MIN_ATTACK_RISE:
                    shifts[index] = self.times[steepest] - beats[index]
        if np.isnan(shifts).all():
            return beats
        latency = float(np.nanmedian(shifts))
        # Within half a hop of that, a beat may still move to its own attack: the tracker's frame grid.
        return beats + latency + np.clip(np.nan_to_num(shifts - latency), -self.half_hop_s, self.half_hop_s)


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
