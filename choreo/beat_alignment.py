"""Beat alignment of movement with music: the Beat Align Score both ways, and signed offsets.

Two published definitions disagree (see ``../shared/docs/analysis-notes.md``):
- AIST++ / FACT (Li et al., "AI Choreographer", ICCV 2021): mean over **kinematic** beats of
  exp(-d^2 / 2 sigma^2), d the distance to the nearest music beat;
- Bailando (Siyao et al., CVPR 2022): the same mean over **music** beats.
Both are reported (sigma 50 ms: 3 frames at 60 fps, as in both papers), with their harmonic mean,
a chance level and the signed offsets a dancer can act on. All times are seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Tolerance of the score, seconds: 3 frames at 60 fps, the papers' value.
SIGMA_S = 0.05
#: Random shifts averaged for the chance level; seeded so a job's report is reproducible.
CHANCE_SHIFTS = 200
CHANCE_SEED = 0


@dataclass(frozen=True)
class BeatAlignmentFigures:
    music_to_motion: float
    motion_to_music: float
    score: float
    chance: float
    score_above_chance: float
    #: Signed ms from each music beat to the nearest kinematic beat; negative: the movement came first.
    offsets_ms: tuple[float, ...]
    mean_offset_ms: float
    median_offset_ms: float


def nearest_distances(from_times: np.ndarray, to_times: np.ndarray) -> np.ndarray:
    """For each time in ``from_times``, the signed distance (to - from) to the nearest of ``to_times``."""
    from_times, to_times = np.asarray(from_times, float), np.sort(np.asarray(to_times, float))
    if len(to_times) == 1:
        return to_times[0] - from_times
    index = np.clip(np.searchsorted(to_times, from_times), 1, len(to_times) - 1)
    before, after = to_times[index - 1], to_times[index]
    return np.where(from_times - before <= after - from_times, before, after) - from_times


def beat_align_score(over: np.ndarray, to: np.ndarray, sigma_s: float = SIGMA_S) -> float:
    """Mean over the beats ``over`` of exp(-d^2 / 2 sigma^2), d the distance to the nearest beat in ``to``."""
    if len(over) == 0 or len(to) == 0:
        return 0.0
    d = nearest_distances(over, to)
    return float(np.mean(np.exp(-(d**2) / (2 * sigma_s**2))))


def harmonic_mean(a: float, b: float) -> float:
    return 0.0 if a + b == 0 else 2 * a * b / (a + b)


def align_beats(music_beats: np.ndarray, kinematic_beats: np.ndarray, sigma_s: float = SIGMA_S) -> BeatAlignmentFigures:
    """Both scores, their harmonic mean, chance (kinematic beats shifted by random amounts within
    +-1 music beat period) and the signed offsets per music beat."""
    music, motion = np.asarray(music_beats, float), np.asarray(kinematic_beats, float)
    music_to_motion = beat_align_score(music, motion, sigma_s)
    motion_to_music = beat_align_score(motion, music, sigma_s)
    score = harmonic_mean(music_to_motion, motion_to_music)
    chance = _chance(music, motion, sigma_s)
    offsets = nearest_distances(music, motion) * 1000 if len(motion) else np.array([])
    return BeatAlignmentFigures(
        music_to_motion=music_to_motion,
        motion_to_music=motion_to_music,
        score=score,
        chance=chance,
        score_above_chance=(score - chance) / (1 - chance) if chance < 1 else 0.0,
        offsets_ms=tuple(float(x) for x in offsets),
        mean_offset_ms=float(np.mean(offsets)) if len(offsets) else float("nan"),
        median_offset_ms=float(np.median(offsets)) if len(offsets) else float("nan"),
    )


def _chance(music: np.ndarray, motion: np.ndarray, sigma_s: float) -> float:
    if len(music) < 2 or len(motion) == 0:
        return 0.0
    period = float(np.median(np.diff(np.sort(music))))
    shifts = np.random.default_rng(CHANCE_SEED).uniform(-period, period, CHANCE_SHIFTS)
    scores = [
        harmonic_mean(beat_align_score(music, motion + s, sigma_s), beat_align_score(motion + s, music, sigma_s))
        for s in shifts
    ]
    return float(np.mean(scores))
