"""Which reading of the music's beat the dancers follow: the beat tracker's own, or the same music
read at 3/2 or 2/3 of its tempo (``choreo/music.py``), where the music pulses at both levels.

All dancers' movement together is measured against each reading (``choreo/entrainment.py``). The
tracker's counts as followed as usual (``on_beat.locked``, one-sided 5 %); another reading counts
only where its pulse is clear (``MusicBeats.clear``) and the movement follows it at one-sided 0.1 %
(``OTHER_READING_Z``): each reading tried is one more chance of a false "follows the beat". Measured
on the real clips' movement against other songs' beats played 5-10 % off their music's tempo (with
those songs' own other readings), 8 of 216 read as followed on the tracker's reading alone; letting
other readings count at 1 % (z 2.326) made it 14, at 0.1 % it stays 8. Of the readings followed,
the one followed most clearly (highest z) wins: a dancer bouncing on a song's 100 BPM level also
locks, more weakly, to its 150 BPM level at twice a beat, through the bounce's harmonics. With none
followed the tracker's stays. The chosen reading is the music's beat for the whole analysis (tempo,
beats, counts, every dancer's on-beat figures), and the document keeps the tracker's own tempo
beside it (``music.tracker_bpm``).

Measured: a fitness class's song pulses at 151.6 and at 100.4 BPM; the tracker reads 151.6 and the
class follows it. Played 5-45 % faster, the tracker reads the song's other level instead (its
prior prefers it), and the class, followed at z 5-7 before, read as off the beat (z -2); the 3/2
reading gives it back (z 5.3-6.0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from choreo.beat_clock import steady_beats
from choreo.entrainment import Locking, beat_locking
from choreo.music import MusicBeats

#: One-sided 0.1 %: how clearly the movement must follow a reading other than the tracker's.
OTHER_READING_Z = 3.09


@dataclass(frozen=True)
class DancedReading:
    music: MusicBeats | None
    #: The reading's steady beat clock (``choreo/beat_clock.py``); None without two beats.
    clock: np.ndarray | None
    #: All dancers' movement against ``clock``; None without a clock or enough beats.
    locking: Locking | None


def danced_reading(music: MusicBeats | None, velocities: np.ndarray, grid: np.ndarray) -> DancedReading:
    """The reading of ``music`` that the movement (velocity series as rows, on the even ``grid``, as
    ``choreo/entrainment.py`` makes them) follows; the tracker's own unless another is followed clearly."""
    tracked = _measured(music, velocities, grid)
    if music is None or tracked.locking is None:
        return tracked
    others = [_measured(other, velocities, grid) for other in music.alternatives if other.clear]
    followed = [tracked] if tracked.locking.locked else []
    followed += [other for other in others if other.locking is not None and other.locking.z >= OTHER_READING_Z]
    return max(followed, key=lambda reading: reading.locking.z, default=tracked)


def _measured(music: MusicBeats | None, velocities: np.ndarray, grid: np.ndarray) -> DancedReading:
    clock = steady_beats(music.beats) if music is not None and len(music.beats) >= 2 else None
    return DancedReading(music, clock, beat_locking(velocities, grid, clock) if clock is not None else None)
