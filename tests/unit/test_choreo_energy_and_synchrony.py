"""Energy windows, pairwise lead/lag, pose similarity and group synchrony, with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.energy import energy
from choreo.pose_similarity import keypoint_similarity, normalise_poses, oks
from choreo.report import build_report
from choreo.synchrony import envelope_lag, group_synchrony
from tests.dance_series import STANDING, bouncing_dancer, frames_of, poses_document


def test_energy_is_the_mean_squared_joint_speed_per_one_second_window():
    t = np.arange(0.5, 3.5, 0.1)
    speeds = np.where(t[:, None] < 2, 2.0, 1.0) * np.ones((len(t), 17))
    result = energy(t, speeds)
    assert result.start_s == 0.0 and result.window_s == 1.0
    assert result.series == pytest.approx((4.0, 4.0, 1.0, 1.0))
    assert result.peak == 4.0
    assert result.mean == pytest.approx(np.mean(np.where(t < 2, 4.0, 1.0)))


def test_energy_windows_with_no_measured_frame_are_null():
    t = np.arange(0, 3, 0.25)
    speeds = np.ones((len(t), 17))
    speeds[4:8] = np.nan
    assert energy(t, speeds).series == (1.0, None, 1.0)


def smooth_noise(samples: int, seed: int) -> np.ndarray:
    raw = np.random.default_rng(seed).normal(size=samples + 20)
    return np.convolve(raw, np.ones(5) / 5, mode="same")[10:-10] + 3.0


def test_a_copy_delayed_five_frames_lags_five_frames_behind_its_leader():
    leader = smooth_noise(300, 0)
    follower = np.concatenate([np.full(5, leader[0]), leader[:-5]])
    lag = envelope_lag(leader, follower, rate=30)
    assert lag.samples == 5 and lag.score > 0.95
    assert envelope_lag(follower, leader, rate=30).samples == -5


def test_unrelated_dancers_correlate_weakly_and_too_short_an_overlap_gives_nothing():
    assert envelope_lag(smooth_noise(600, 1), smooth_noise(600, 2), rate=30).score < 0.3
    a, b = smooth_noise(300, 3), smooth_noise(300, 4)
    a[40:], b[:250] = np.nan, np.nan
    assert envelope_lag(a, b, rate=30) is None


def phase_locked(samples: int, rate: float, bpm: float, phase: float, seed: int) -> np.ndarray:
    t = np.arange(samples) / rate
    wobble = np.random.default_rng(seed).normal(0, 0.05, samples)
    return 1.5 + np.cos(2 * np.pi * bpm / 60 * t + phase) + wobble


def test_six_dancers_in_phase_have_an_order_parameter_near_one():
    envelopes = np.array([phase_locked(600, 30, 120, 0.0, seed) for seed in range(6)])
    group = group_synchrony(envelopes, 30, 120)
    assert group.R > 0.95
    assert group.chance == pytest.approx(1 / np.sqrt(6))


def test_dancers_on_independent_tempi_stay_near_chance():
    rng = np.random.default_rng(5)
    envelopes = np.array([phase_locked(900, 30, bpm, rng.uniform(0, 6), k) for k, bpm in enumerate((100, 113, 127, 141))])
    group = group_synchrony(envelopes, 30, 120)
    assert group.R < group.chance + 0.2


def test_only_time_with_two_dancers_on_screen_counts():
    envelopes = np.array([phase_locked(600, 30, 120, 0.0, 0), phase_locked(600, 30, 120, 0.0, 1)])
    envelopes[1, :300] = np.nan
    assert group_synchrony(envelopes, 30, 120).R > 0.95
    assert group_synchrony(envelopes[:1], 30, 120) is None



@pytest.mark.parametrize(
    ("rate", "bpm"),
    [
        pytest.param(30, -16.48, id="negative-tempo"),
        pytest.param(30, 0.0, id="zero-tempo"),
        pytest.param(30, float("nan"), id="nan-tempo"),
        pytest.param(30, 1500.0, id="tempo-above-the-nyquist-frequency"),
        pytest.param(2, 120.0, id="envelopes-sampled-too-slowly-for-the-tempo"),
    ],
)
def test_group_synchrony_around_a_tempo_no_band_pass_can_hold_is_null_not_an_error(rate, bpm):
    envelopes = np.array([phase_locked(600, 30, 120, 0.0, seed) for seed in range(2)])
    assert group_synchrony(envelopes, rate, bpm) is None


def test_two_dancers_moving_together_just_under_the_tempo_band_keep_their_whole_analysis():
    # The known bad input: 53.5 BPM over 8 s once gave a tempo of -16 BPM, and the group's band-pass
    # raised "filter critical frequencies must be greater than 0", costing the job all its analysis.
    t = np.arange(0, 8, 1 / 30)
    dancers = [bouncing_dancer(t, 60 / 53.5), bouncing_dancer(t, 60 / 53.5, x_px=300)]
    report = build_report(poses_document(frames_of(t, *dancers), 30), has_audio=False, music=None)
    assert 60 <= report["tempo"]["motion_bpm"] <= 180
    assert len(report["dancers"]) == 2
    assert report["synchrony"]["group"]["R"] > 0.9

def test_identical_poses_anywhere_in_the_frame_and_at_any_size_have_oks_one():
    pose = STANDING[None]
    moved = pose * 2 + [300, 50]
    a = normalise_poses(pose, np.array([100.0]))
    b = normalise_poses(moved, np.array([200.0]))
    assert oks(a, b) == pytest.approx([1.0])


def test_a_wrist_astray_costs_less_than_an_eye_astray_by_the_same_distance():
    base = normalise_poses(STANDING[None], np.array([100.0]))
    shifted = base.copy()
    shifted[0, 9, 0] += 0.3  # wrist, 0.3 torso lengths
    shifted[0, 1, 0] += 0.3  # eye
    per_keypoint = keypoint_similarity(base, shifted)[0]
    assert per_keypoint[9] > per_keypoint[1]
    assert oks(base, shifted)[0] == pytest.approx(per_keypoint.mean())


def test_keypoints_missing_in_either_pose_do_not_count():
    base = normalise_poses(STANDING[None], np.array([100.0]))
    other = base.copy()
    other[0, 9] = np.nan
    assert oks(base, other) == pytest.approx([1.0])
