"""Synthetic dancers with known rhythm, as poses.json frames: the known answers the choreo tests use."""
from __future__ import annotations

import numpy as np

#: A standing person in pixels (COCO order), torso length 100 px, feet at y = 400.
STANDING = np.array([
    [200, 60], [190, 50], [210, 50], [180, 55], [220, 55],   # nose, eyes, ears
    [160, 100], [240, 100], [150, 160], [250, 160],           # shoulders, elbows
    [145, 220], [255, 220], [175, 200], [225, 200],           # wrists, hips
    [175, 300], [225, 300], [175, 400], [225, 400],           # knees, ankles
], dtype=float)


def bounce(t: np.ndarray, period_s: float, phase_s: float = 0.0, height_px: float = 40.0) -> np.ndarray:
    """Height of a body bouncing once per ``period_s``: at the top, where it stops (a kinematic beat),
    at t = phase_s + k * period_s; off the floor, at full speed, half a period later."""
    return height_px * np.abs(np.cos(np.pi * (t - phase_s) / period_s))


def bouncing_dancer(
    t: np.ndarray, period_s: float, phase_s: float = 0.0, noise_px: float = 0.0, seed: int = 0, x_px: float = 0.0
) -> np.ndarray:
    """Keypoints (frames, 17, 3) of a dancer whose whole body bounces; confidence 0.9."""
    return moving_dancer(bounce(t, period_s, phase_s), noise_px=noise_px, seed=seed, x_px=x_px)


def moving_dancer(lift_px: np.ndarray, noise_px: float = 0.0, seed: int = 0, x_px: float = 0.0) -> np.ndarray:
    """Keypoints (frames, 17, 3) of a dancer lifted by ``lift_px`` in each frame; confidence 0.9."""
    rng = np.random.default_rng(seed)
    points = np.repeat(STANDING[None] + [x_px, 0.0], len(lift_px), axis=0)
    points[:, :, 1] -= np.asarray(lift_px)[:, None]
    points += rng.normal(0, noise_px, points.shape) if noise_px else 0.0
    return np.concatenate([points, np.full((len(lift_px), 17, 1), 0.9)], axis=-1)


def frames_of(t: np.ndarray, *dancers: np.ndarray, track_ids: list[int] | None = None) -> list[dict]:
    """poses.json frames holding each dancer's keypoints (frames, 17, 3); NaN rows are left out."""
    ids = track_ids or list(range(1, len(dancers) + 1))
    frames = []
    for index, time in enumerate(t):
        people = [
            {"track_id": tid, "score": 0.9, "box": [0, 0, 1, 1], "keypoints": d[index].tolist()}
            for tid, d in zip(ids, dancers)
            if not np.isnan(d[index]).any()
        ]
        frames.append({"index": index, "t": float(time), "people": people})
    return frames


def poses_document(frames: list[dict], fps: float, job_id: str = "job") -> dict:
    return {
        "job_id": job_id,
        "video": {"width": 640, "height": 480, "fps": fps, "frames": len(frames), "duration_s": len(frames) / fps},
        "frames": frames,
    }


def improvised_dancer(t: np.ndarray, seed: int = 0, amplitude_px: float = 25.0) -> np.ndarray:
    """Keypoints (frames, 17, 3) of a dancer whose every joint sways on its own mix of slow
    rhythms (0.2-1.5 Hz): a dance with no repeating pattern, so an alignment has one right answer."""
    rng = np.random.default_rng(seed)
    points = np.repeat(STANDING[None], len(t), axis=0)
    for keypoint in range(17):
        for axis in range(2):
            phases, freqs = rng.uniform(0, 2 * np.pi, 3), rng.uniform(0.2, 1.5, 3)
            points[:, keypoint, axis] += sum(amplitude_px * np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phases))
    return np.concatenate([points, np.full((len(t), 17, 1), 0.9)], axis=-1)


def mirrored(keypoints: np.ndarray, width_px: float = 640.0) -> np.ndarray:
    """What the pose model reports for the same dancer filmed in a mirror: x flipped, sides swapped."""
    order = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    flipped = keypoints[:, order].copy()
    flipped[..., 0] = width_px - flipped[..., 0]
    return flipped
