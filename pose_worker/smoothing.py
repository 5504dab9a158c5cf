"""Smooth each track's keypoints with the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

The filter is a low-pass whose cutoff rises with speed: ``cutoff = min_cutoff + beta * speed``.
At rest the cutoff sits at ``min_cutoff`` and detector jitter is averaged away; in fast
motion it opens up, so the output keeps up with the dancer instead of trailing.

- ``min_cutoff`` (Hz): lower it for steadier poses at rest, at the price of lag in slow motion.
- ``beta`` (1/px): raise it for less lag in fast motion, at the price of jitter let through
  whenever noise itself reads as speed. Speeds are in pixels per second, so ``beta`` suits a
  given resolution; the default is for 720p-1080p video.
- ``d_cutoff`` (Hz): smooths the speed estimate that steers the cutoff; higher reacts sooner
  to a change of speed but lets jitter open the filter.

The cutoff is steered by each keypoint's 2-D speed, so x and y are filtered alike whichever
way a limb moves. The time step comes from the frames' timestamps, so variable frame rates
are safe. A timestamp that does not move forward (a duplicated or reordered frame) is filtered
with the track's previous time step, and the track's clock does not go back.
Visibility passes through untouched, and so do the positions on a track's first frame and those of
a detection without a track (``track_id`` None).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Casiez et al.'s starting point: at rest it averages over ~5 frames at 30 fps (tau = 0.16 s),
#: so a still dancer's pose is steady yet a slow sway is followed within a fraction of a second.
MIN_CUTOFF_HZ = 1.0
#: Measured on 3 px of jitter at 30 fps: at rest std falls to ~1.2 px, and a keypoint moving
#: 1000 px/s trails by ~6 px (160 px with beta = 0); 0.05 halves that lag but keeps 1.5 px of jitter.
BETA = 0.02
#: The paper's value: the speed estimate follows real motion within a few frames.
D_CUTOFF_HZ = 1.0
#: Time step assumed when a track's second sample has a timestamp that does not move forward.
FALLBACK_DT_S = 1 / 30


@dataclass
class _TrackState:
    t: float
    dt: float
    position: np.ndarray  # [17, 2] filtered x, y
    velocity: np.ndarray  # [17, 2] filtered px/s


class KeypointSmoother:
    """One Euro filters for the x, y of every keypoint of every track, keyed by track id."""

    def __init__(self, min_cutoff: float = MIN_CUTOFF_HZ, beta: float = BETA, d_cutoff: float = D_CUTOFF_HZ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("min_cutoff and d_cutoff must be positive and beta non-negative")
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self._tracks: dict[int, _TrackState] = {}

    def smooth(self, track_id: int | None, t: float, keypoints: np.ndarray) -> np.ndarray:
        """A new [17, 3] array: ``keypoints`` with x, y filtered for ``track_id`` at time ``t`` (s)."""
        smoothed = np.array(keypoints, dtype=np.float64, copy=True)
        if track_id is None:  # a detection the tracker did not follow has no history to filter with
            return smoothed
        state = self._tracks.get(track_id)
        if state is None:
            position = smoothed[:, :2].copy()
            self._tracks[track_id] = _TrackState(t, FALLBACK_DT_S, position, np.zeros_like(position))
            return smoothed
        dt = t - state.t if t > state.t else state.dt
        raw_velocity = (smoothed[:, :2] - state.position) / dt
        state.velocity += smoothing_factor(self.d_cutoff, dt) * (raw_velocity - state.velocity)
        cutoff = self.min_cutoff + self.beta * np.linalg.norm(state.velocity, axis=1, keepdims=True)
        state.position += smoothing_factor(cutoff, dt) * (smoothed[:, :2] - state.position)
        state.t, state.dt = max(state.t, t), dt
        smoothed[:, :2] = state.position
        return smoothed

    def forget(self, track_id: int) -> None:
        """Drop a finished track's filter state; unknown ids are ignored."""
        self._tracks.pop(track_id, None)

    @property
    def track_ids(self) -> set[int]:
        """Ids of the tracks that currently hold filter state."""
        return set(self._tracks)


def smoothing_factor(cutoff_hz: float | np.ndarray, dt: float) -> float | np.ndarray:
    """Weight of the new sample in an exponential low-pass with this cutoff, for a step of ``dt``."""
    tau = 1 / (2 * math.pi * cutoff_hz)
    return 1 / (1 + tau / dt)
