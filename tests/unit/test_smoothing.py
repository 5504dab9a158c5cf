"""One Euro smoothing of keypoints, on synthetic signals with known truth."""
from __future__ import annotations

import numpy as np
import pytest

from pose_worker.decode import NUM_KEYPOINTS
from pose_worker.smoothing import KeypointSmoother

JITTER_PX = 3.0


def pose(x: float | np.ndarray, y: float | np.ndarray = 300.0, visibility: float = 0.9) -> np.ndarray:
    """A [17, 3] pose with every keypoint at (x, y)."""
    keypoints = np.empty((NUM_KEYPOINTS, 3))
    keypoints[:, 0], keypoints[:, 1], keypoints[:, 2] = x, y, visibility
    return keypoints


def noisy(keypoints: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    keypoints = keypoints.copy()
    keypoints[:, :2] += rng.normal(0, JITTER_PX, (NUM_KEYPOINTS, 2))
    return keypoints


def regular_times(fps: float, seconds: float) -> np.ndarray:
    return np.arange(round(fps * seconds)) / fps


def irregular_times(seconds: float, seed: int = 3) -> np.ndarray:
    """Timestamps of a variable-frame-rate phone video: steps anywhere between 1/60 and 1/15 s."""
    steps = np.random.default_rng(seed).uniform(1 / 60, 1 / 15, round(seconds * 40))
    times = np.concatenate([[0.0], np.cumsum(steps)])
    return times[times <= seconds]


def still_jitter(times: np.ndarray, smoother: KeypointSmoother) -> tuple[float, float]:
    """Std of raw and smoothed x for a keypoint that does not move, after half a second of warm-up."""
    rng = np.random.default_rng(11)
    raw, smoothed = [], []
    for t in times:
        sample = noisy(pose(500.0), rng)
        raw.append(sample[:, 0])
        smoothed.append(smoother.smooth(1, t, sample)[:, 0])
    settled = times >= 0.5
    return float(np.std(np.array(raw)[settled])), float(np.std(np.array(smoothed)[settled]))


def mean_lag(times: np.ndarray, smoother: KeypointSmoother, speed: float) -> float:
    """Mean distance (px) behind a keypoint moving at ``speed`` px/s, once it has moved for 0.5 s."""
    rng = np.random.default_rng(5)
    errors = [
        np.abs(smoother.smooth(1, t, noisy(pose(100 + speed * t), rng))[:, 0] - (100 + speed * t)).mean()
        for t in times
    ]
    return float(np.mean(np.array(errors)[times >= 0.5]))


@pytest.mark.parametrize(
    "times",
    [
        pytest.param(regular_times(30, 4), id="30fps"),
        pytest.param(regular_times(60, 4), id="60fps"),
        pytest.param(irregular_times(4), id="variable-frame-rate"),
    ],
)
def test_jitter_of_a_still_keypoint_drops_by_more_than_half(times):
    raw, smoothed = still_jitter(times, KeypointSmoother())
    assert raw == pytest.approx(JITTER_PX, rel=0.15)
    assert smoothed < 0.5 * raw


@pytest.mark.parametrize(
    "times",
    [
        pytest.param(regular_times(30, 2), id="30fps"),
        pytest.param(irregular_times(2), id="variable-frame-rate"),
    ],
)
def test_fast_motion_is_followed_with_little_lag_thanks_to_beta(times):
    speed = 1000.0  # a swinging arm, px/s
    lag = mean_lag(times, KeypointSmoother(), speed)
    lag_without_beta = mean_lag(times, KeypointSmoother(beta=0.0), speed)
    assert lag < 12.0  # a few frames of jitter-sized error, not a trailing limb
    assert lag < lag_without_beta / 10


def test_the_time_step_comes_from_timestamps_so_lag_does_not_depend_on_frame_rate():
    # beta = 0 leaves a plain low-pass: a filter counting frames instead of seconds would lag
    # twice as far at 15 fps as at 30, and half as far at 60.
    lags = [mean_lag(regular_times(fps, 2), KeypointSmoother(beta=0.0), 600.0) for fps in (15, 30, 60)]
    assert max(lags) < 1.1 * min(lags)


def test_input_is_never_modified_and_a_new_array_is_returned():
    smoother = KeypointSmoother()
    rng = np.random.default_rng(1)
    for t in regular_times(30, 0.3):
        sample = noisy(pose(200.0 + 300 * t), rng)
        before = sample.copy()
        out = smoother.smooth(4, t, sample)
        assert np.array_equal(sample, before)
        assert not np.shares_memory(out, sample)
    assert not np.allclose(out[:, :2], sample[:, :2])  # and it did filter something


def test_visibility_passes_through_unchanged():
    smoother = KeypointSmoother()
    rng = np.random.default_rng(2)
    for i, t in enumerate(regular_times(30, 0.5)):
        sample = noisy(pose(400.0), rng)
        sample[:, 2] = np.linspace(0.0, 1.0, NUM_KEYPOINTS) * (i % 3) / 2
        assert np.array_equal(smoother.smooth(1, t, sample)[:, 2], sample[:, 2])


def test_first_sample_of_a_track_and_of_a_forgotten_track_is_returned_as_is():
    smoother = KeypointSmoother()
    first = noisy(pose(100.0), np.random.default_rng(3))
    assert np.array_equal(smoother.smooth(9, 0.0, first), first)
    smoother.smooth(9, 0.033, pose(150.0))
    smoother.forget(9)
    again = pose(900.0)
    assert 9 not in smoother.track_ids
    assert np.array_equal(smoother.smooth(9, 0.066, again), again)


def test_a_detection_without_a_track_is_returned_unfiltered_and_leaves_no_state():
    smoother = KeypointSmoother()
    rng = np.random.default_rng(6)
    samples = [noisy(pose(250.0), rng) for _ in range(3)]
    outputs = [smoother.smooth(None, 0.033 * i, sample) for i, sample in enumerate(samples)]
    assert all(np.array_equal(out, sample) for out, sample in zip(outputs, samples))
    assert smoother.track_ids == set()


def test_tracks_are_filtered_independently():
    alone, together = KeypointSmoother(), KeypointSmoother()
    rng = np.random.default_rng(4)
    for t in regular_times(30, 0.5):
        sample = noisy(pose(300.0), rng)
        expected = alone.smooth(1, t, sample)
        together.smooth(2, t, pose(1200.0 - 500 * t))
        assert np.array_equal(together.smooth(1, t, sample), expected)


@pytest.mark.parametrize(
    "repeated_t",
    [
        pytest.param(0.1, id="duplicated-timestamp"),
        pytest.param(0.05, id="timestamp-going-back"),
    ],
)
def test_a_timestamp_that_does_not_advance_reuses_the_last_step(repeated_t):
    smoother = KeypointSmoother()
    for t in (0.0, 0.05, 0.1):
        smoother.smooth(1, t, pose(100.0))
    out = smoother.smooth(1, repeated_t, pose(130.0))
    reference = KeypointSmoother()
    for t in (0.0, 0.05, 0.1, 0.15):  # the same sample, one ordinary step later
        expected = reference.smooth(1, t, pose(100.0 if t < 0.15 else 130.0))
    assert np.all(np.isfinite(out))
    assert np.allclose(out, expected)
    assert 100.0 < out[0, 0] < 130.0
    # The clock did not go back: the next real frame is one ordinary step after 0.1 s.
    assert np.allclose(smoother.smooth(1, 0.15, pose(130.0)), reference.smooth(1, 0.2, pose(130.0)))


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"min_cutoff": 0.0}, id="zero-min-cutoff"),
        pytest.param({"d_cutoff": -1.0}, id="negative-d-cutoff"),
        pytest.param({"beta": -0.1}, id="negative-beta"),
    ],
)
def test_impossible_filter_settings_are_refused(settings):
    with pytest.raises(ValueError, match="cutoff"):
        KeypointSmoother(**settings)
