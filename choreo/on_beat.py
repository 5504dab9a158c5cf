"""The ``on_beat`` block of analysis.json and the tempo fields: a dancer's movement (or all dancers'
together) measured against the music's beat clock (``choreo/entrainment.py``), and the movement's tempo
(``choreo/tempo.py``) from the same velocities."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from choreo.entrainment import Locking, asynchrony, beat_locking, limb_hits
from choreo.figures import json_number
from choreo.signals import TrackSeries
from choreo.tempo import MotionTempo, motion_tempo

#: A limb that moves back and forth stops twice per cycle (at each end): its hits are timed on a clock
#: of twice the movement's level, and land on the beat or halfway to the next.
REVERSALS_PER_CYCLE = 2


@dataclass(frozen=True)
class BeatFollowing:
    """One dancer's (or all dancers') movement measured against the music's beat clock: the on_beat block."""

    velocities: np.ndarray
    hits: tuple[np.ndarray, np.ndarray]
    clock: np.ndarray | None
    locking: Locking | None

    @classmethod
    def of(cls, dancer: TrackSeries, velocities: np.ndarray, grid: np.ndarray, clock: np.ndarray | None) -> BeatFollowing:
        """One dancer's movement (their ``movement_velocities``) against ``clock``."""
        hits = limb_hits(dancer, grid) if clock is not None else (np.array([]), np.array([]))
        return cls(velocities, hits, clock, beat_locking(velocities, grid, clock) if clock is not None else None)

    @classmethod
    def pooled(
        cls, movements: Sequence[BeatFollowing], velocities: np.ndarray, clock: np.ndarray | None, locking: Locking | None
    ) -> BeatFollowing:
        """All dancers' movement together: ``velocities``, the movements' stacked in order, and ``locking``, theirs
        against ``clock`` (``choreo/metre.py`` measures it choosing the reading of the beat)."""
        if not movements:
            return cls(velocities, (np.array([]), np.array([])), clock, None)
        hits = (np.concatenate([m.hits[0] for m in movements]), np.concatenate([m.hits[1] for m in movements]))
        return cls(velocities, hits, clock, locking)

    def tempo(self, rate: float, music_bpm: float | None) -> MotionTempo:
        """The movement's tempo (``choreo/tempo.py``) over the stretch where it is measured; a keypoint
        not known at a moment counts as still there."""
        measured = np.flatnonzero(np.any(~np.isnan(self.velocities), axis=0))
        if len(measured) < 2:
            return MotionTempo(bpm=None, confidence=0.0, source="movement", cycles_per_beat=None)
        stretch = np.nan_to_num(self.velocities[:, measured[0] : measured[-1] + 1])
        return motion_tempo(stretch, rate, music_bpm, self.locking)

    def on_beat(self) -> dict[str, Any] | None:
        if self.locking is None or self.clock is None:
            return None
        lock = self.locking
        timing = asynchrony(*self.hits, self.clock, REVERSALS_PER_CYCLE * lock.level)
        return {
            "locked": lock.locked,
            "cycles_per_beat": lock.level,
            "locking": json_number(lock.strength, 4),
            "chance": json_number(lock.chance, 4),
            "chance_sd": json_number(lock.chance_sd, 4),
            "z": json_number(lock.z, 2),
            "score_above_chance": json_number(lock.score_above_chance, 4),
            "hits": timing.hits if timing else 0,
            "vector_strength": json_number(timing.vector_strength, 4) if timing else None,
            "rayleigh_p": json_number(timing.rayleigh_p, 4) if timing else None,
            "mean_asynchrony_ms": json_number(timing.mean_ms, 1) if timing else None,
            "asynchrony_sd_ms": json_number(timing.sd_ms, 1) if timing else None,
        }


def tempo_fields(tempo: MotionTempo) -> dict[str, Any]:
    return {
        "motion_bpm": json_number(tempo.bpm, 2),
        "motion_confidence": json_number(tempo.confidence, 4),
        "motion_source": tempo.source,
        "cycles_per_beat": tempo.cycles_per_beat,
    }
