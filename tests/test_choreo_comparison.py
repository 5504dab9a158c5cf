"""Comparing an attempt with a reference: alignment, score, mirror, segments and feedback, with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.comparison import compare
from choreo.signals import TrackSeries, tracks_from_frames
from tests.dance_series import frames_of, improvised_dancer, mirrored

FPS = 30.0
T = np.arange(0, 12, 1 / FPS)


def track(keypoints: np.ndarray, fps: float = FPS) -> TrackSeries:
    (series,) = tracks_from_frames(frames_of(np.arange(len(keypoints)) / fps, keypoints))
    return series


def noisy(keypoints: np.ndarray, px: float = 1.0, seed: int = 1) -> np.ndarray:
    out = keypoints.copy()
    out[..., :2] += np.random.default_rng(seed).normal(0, px, out[..., :2].shape)
    return out


REFERENCE = improvised_dancer(T)


def test_a_dance_compared_with_itself_scores_100_with_no_offset():
    result = compare(track(REFERENCE), track(REFERENCE))
    assert result.score == pytest.approx(100.0)
    assert result.offset_s == pytest.approx(0.0) and result.tempo_ratio == pytest.approx(1.0, abs=1e-3)
    assert result.mirrored is False
    assert all(part == pytest.approx(100.0) for part in result.body_parts.values())


def test_a_copy_started_12_frames_late_is_found_12_frames_late_and_scores_high():
    late = np.concatenate([np.repeat(REFERENCE[:1], 12, axis=0), REFERENCE])  # stands still, then dances
    result = compare(track(REFERENCE), track(noisy(late)))
    assert result.offset_s == pytest.approx(12 / FPS, abs=1 / FPS)
    assert result.score >= 95
    assert all(abs(s.timing_ms) <= 1000 / FPS for s in result.segments)


def test_a_copy_danced_20_percent_slower_has_tempo_ratio_1_2():
    slow_t = np.arange(0, 12 * 1.2, 1 / FPS)
    slow = improvised_dancer(slow_t / 1.2)  # the same dance, stretched in time
    late_and_slow = np.concatenate([np.repeat(slow[:1], 15, axis=0), slow])  # and started 0.5 s late
    result = compare(track(REFERENCE), track(noisy(late_and_slow)))
    assert result.tempo_ratio == pytest.approx(1.2, abs=0.02)
    assert result.offset_s == pytest.approx(0.5, abs=2 / FPS)  # the start, not the drift
    assert result.score >= 95
    assert result.segments[-1].timing_ms > result.segments[0].timing_ms  # falling behind


def test_a_mirrored_recording_is_recognised_with_auto_and_scores_low_without():
    mirror_image = track(noisy(mirrored(REFERENCE)))
    assert compare(track(REFERENCE), mirror_image, mirror="off").score < 80
    automatic = compare(track(REFERENCE), mirror_image, mirror="auto")
    assert automatic.mirrored is True and automatic.score >= 95
    assert compare(track(REFERENCE), mirror_image, mirror="on").score == pytest.approx(automatic.score)


def test_an_unrelated_dance_scores_far_lower():
    other = compare(track(REFERENCE), track(improvised_dancer(T, seed=7)))
    assert other.score < 80
    assert other.score < compare(track(REFERENCE), track(noisy(REFERENCE))).score - 15


def test_segments_follow_8_beat_phrases_and_the_worst_names_the_joint_in_words():
    beats = np.arange(0.0, 12.0, 0.5)  # 120 BPM: phrases of 4 s
    attempt = noisy(REFERENCE)
    knee_bent = (T >= 4) & (T < 8)
    attempt[knee_bent, 15, 0] -= 60  # left ankle pulled in: the left knee bends more in phrase 2
    result = compare(track(REFERENCE), track(attempt), reference_beats=beats)
    assert [(s.start_s, s.end_s) for s in result.segments][:2] == [(0.0, 4.0), (4.0, 8.0)]
    worst = result.worst_segments[0]
    assert (worst.start_s, worst.end_s) == (4.0, 8.0)
    assert worst.worst_body_part == "legs"
    assert worst.feedback.startswith("left knee bent") and worst.feedback.endswith("more")
    assert len(result.worst_segments) == 3


def test_without_beats_segments_are_2_second_windows():
    result = compare(track(REFERENCE), track(REFERENCE))
    assert [round(s.end_s - s.start_s, 3) for s in result.segments[:-1]] == [2.0] * (len(result.segments) - 1)


def test_a_long_video_is_aligned_in_a_band_with_the_same_answer():
    t = np.arange(0, 200, 1 / FPS)  # 6,000 frames: the two-resolution path
    reference = improvised_dancer(t, seed=3)
    late = np.concatenate([np.repeat(reference[:1], 45, axis=0), reference])
    result = compare(track(reference), track(noisy(late)))
    assert result.offset_s == pytest.approx(1.5, abs=1 / FPS)
    assert result.score >= 95
