"""Comparing an attempt with a reference: alignment (by soundtrack or poses), score, mirror, segments and feedback,
with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.comparison import compare
from choreo.comparison_segments import FEEDBACK_BELOW, feedback, segment_bounds
from choreo.signals import TrackSeries, tracks_from_frames
from choreo.soundtrack import soundtrack_of
from tests.dance_series import frames_of, improvised_dancer, mirrored
from tests.music_series import later, song

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


def test_segments_follow_8_beat_phrases_and_only_the_phrase_danced_wrong_gets_feedback_naming_the_joint():
    beats = np.arange(0.0, 12.0, 0.5)  # 120 BPM: phrases of 4 s
    attempt = noisy(REFERENCE)
    phrase_2, legs = (T >= 4) & (T < 8), [13, 14, 15, 16]
    # In phrase 2 the legs move the opposite way (each point reflected through its average place), and the left
    # ankle is pulled 60 px in: the left knee differs most.
    centre = REFERENCE[:, legs, :2].mean(axis=0)
    attempt[np.ix_(phrase_2, legs, [0, 1])] = 2 * centre - attempt[np.ix_(phrase_2, legs, [0, 1])]
    attempt[phrase_2, 15, 0] -= 60
    result = compare(track(REFERENCE), track(attempt), reference_beats=beats)
    assert [(s.start_s, s.end_s, s.eight) for s in result.segments][:2] == [(0.0, 4.0, 1), (4.0, 8.0, 2)]
    (worst,) = result.worst_segments  # the other phrases score above the feedback threshold
    assert (worst.start_s, worst.end_s, worst.eight) == (4.0, 8.0, 2)
    assert worst.score < FEEDBACK_BELOW and worst.body_parts["legs"] == 0.0
    assert worst.worst_body_part == "legs"
    assert worst.feedback.startswith("left knee")
    assert all(s.feedback is None for s in result.segments if s is not worst)


def test_phrases_fall_on_the_musics_counts_of_eight_even_when_the_dance_starts_mid_phrase():
    # The music's first beat is 1 s before the compared dance: its eights start at -1, 3, 7 and 11 s, so the
    # segments break there (on the page's counts of 1) and are numbered as the page counts them.
    beats = np.arange(-1.0, 14.0, 0.5)
    bounds = segment_bounds(T, beats)
    placed = [(round(b.start_s, 3), round(b.end_s, 3), b.eight) for b in bounds]
    assert placed == [(0.0, 3.0, 1), (3.0, 7.0, 2), (7.0, 11.967, 3)]  # the last 0.97 s joins the third eight
    # No beats: time windows, not eights.
    assert {b.eight for b in segment_bounds(T, None)} == {None}
    # A dance that starts before the music: that part belongs to no eight.
    late_music = segment_bounds(T, np.arange(2.5, 14.0, 0.5))
    assert (late_music[0].start_s, late_music[0].eight) == (0.0, None) and late_music[1].eight == 1


def test_a_dance_compared_with_itself_has_no_worst_segments_and_no_feedback():
    result = compare(track(REFERENCE), track(noisy(REFERENCE)))
    assert result.worst_segments == []
    assert all(s.feedback is None and s.score >= 95 for s in result.segments)


def test_a_pose_held_by_both_is_scored_by_its_shape_and_standing_still_through_a_dance_scores_0():
    held = np.repeat(REFERENCE[:1], len(T), axis=0)
    assert compare(track(held), track(noisy(held, px=0.5))).score >= 95  # pose-model jitter is not movement
    assert compare(track(REFERENCE), track(noisy(held, px=0.5))).score == 0.0


@pytest.mark.parametrize(
    ("differences", "words"),
    [
        pytest.param({"left_knee": np.full(60, -35.0)}, "left knee bent 35° more", id="held-bent-more"),
        pytest.param({"right_elbow": np.full(60, 20.0)}, "right elbow bent 20° less", id="held-straighter"),
        pytest.param({"right_shoulder": 40 * np.sin(np.linspace(0, 6 * np.pi, 60))},
                     "right arm moves differently, about 28° apart", id="moving-differently"),
        pytest.param({"left_knee": np.full(60, 0.4), "left_elbow": np.full(60, -9.0)},
                     "the legs move differently from the reference's", id="no-joint-worth-a-word"),
    ],
)
def test_feedback_names_the_joint_that_differs_most_in_a_dancers_words_and_never_0_degrees(differences, words):
    assert feedback(differences, "legs") == words


def test_a_reference_longer_than_the_attempt_is_compared_without_error():
    # The attempt danced only 3-9 s of the reference's 12 s (librosa's subsequence DTW swapped the path's
    # columns for a reference longer than the attempt: IndexError, or frames paired the wrong way round).
    excerpt = noisy(REFERENCE[(T >= 3) & (T < 9)])
    result = compare(track(REFERENCE), track(excerpt))
    assert result.offset_s == pytest.approx(-3.0, abs=1 / FPS)
    assert result.tempo_ratio == pytest.approx(1.0, abs=0.02)
    assert result.alignment.method == "poses"
    assert len(result.path_s) == len(REFERENCE)  # by poses, every reference frame is compared


def test_without_beats_segments_are_2_second_windows():
    result = compare(track(REFERENCE), track(REFERENCE))
    assert [round(s.end_s - s.start_s, 3) for s in result.segments[:-1]] == [2.0] * (len(result.segments) - 1)


def test_a_sliver_of_a_window_at_the_end_joins_the_last_window():
    t = np.arange(0, 12.3, 1 / FPS)  # windows of 2 s, and 0.27 s over
    dancer = improvised_dancer(t)
    result = compare(track(dancer), track(dancer))
    assert [s.start_s for s in result.segments] == pytest.approx([0, 2, 4, 6, 8, 10])
    assert result.segments[-1].end_s == pytest.approx(t[-1])


def test_a_long_video_is_aligned_in_a_band_with_the_same_answer():
    t = np.arange(0, 200, 1 / FPS)  # 6,000 frames: the two-resolution path
    reference = improvised_dancer(t, seed=3)
    late = np.concatenate([np.repeat(reference[:1], 45, axis=0), reference])
    result = compare(track(reference), track(noisy(late)))
    assert result.offset_s == pytest.approx(1.5, abs=1 / FPS)
    assert result.score >= 95


PERIOD_S = 2.0
SONG = song(16.0, seed=1)


def repeating_dancer(t: np.ndarray) -> np.ndarray:
    """A dance that repeats every ``PERIOD_S``: its poses alone cannot tell a shift by a period apart."""
    return improvised_dancer(3.0 * np.sin(2 * np.pi * t / PERIOD_S))


def test_the_soundtracks_find_a_repeating_dance_started_2_5_s_earlier_where_its_poses_cannot():
    # The attempt's video starts 2.5 s earlier in the song: attempt time = reference time + 2.5 s.
    ref_t, att_t = np.arange(0, 12, 1 / FPS), np.arange(0, 14.5, 1 / FPS)
    reference, attempt = track(repeating_dancer(ref_t + 2.5)), track(noisy(repeating_dancer(att_t)))
    by_music = compare(reference, attempt, reference_soundtrack=soundtrack_of(later(SONG, 2.5)),
                       attempt_soundtrack=soundtrack_of(SONG))
    assert by_music.alignment.method == "soundtrack" and by_music.alignment.match.correlation > 0.9
    assert by_music.offset_s == pytest.approx(2.5, abs=0.03)
    assert by_music.tempo_ratio == pytest.approx(1.0, abs=0.002)
    assert by_music.score >= 95 and by_music.worst_segments == []
    assert all(abs(s.timing_ms) <= 1000 / FPS for s in by_music.segments)


def test_with_music_only_the_part_of_the_reference_the_attempt_is_on_screen_for_is_compared():
    # The attempt's dancer is on screen for song time 4-10 s of the reference's 0-12 s.
    ref_t, att_t = np.arange(0, 12, 1 / FPS), np.arange(0, 6, 1 / FPS)
    reference, attempt = track(REFERENCE), track(noisy(improvised_dancer(att_t + 4.0)))
    result = compare(reference, attempt, reference_soundtrack=soundtrack_of(SONG[: 12 * 22050]),
                     attempt_soundtrack=soundtrack_of(later(SONG, 4.0)[: 6 * 22050]))
    assert result.alignment.method == "soundtrack"
    assert result.offset_s == pytest.approx(-4.0, abs=0.03)  # the attempt video starts 4 s into the song
    assert result.reference_t[0] == pytest.approx(4.0, abs=1 / FPS)
    assert result.reference_t[-1] == pytest.approx(10.0, abs=2 / FPS)
    assert result.score >= 95


def test_a_mirror_image_is_recognised_along_the_soundtracks_line_too():
    result = compare(track(REFERENCE), track(noisy(mirrored(REFERENCE))),
                     reference_soundtrack=soundtrack_of(SONG), attempt_soundtrack=soundtrack_of(SONG))
    assert result.alignment.method == "soundtrack" and result.mirrored is True and result.score >= 95


@pytest.mark.parametrize(
    ("reference_sound", "attempt_sound", "reason"),
    [
        pytest.param(None, SONG, "the reference job has no soundtrack features", id="made-before-soundtracks"),
        pytest.param(SONG, np.zeros(16 * 22050, np.float32), "the attempt video has no sound", id="silent"),
        pytest.param(SONG, song(16.0, seed=2), "the soundtracks are different music", id="different-songs"),
    ],
)
def test_without_one_shared_recording_the_poses_align_alone_and_the_result_says_why(reference_sound, attempt_sound, reason):
    late = np.concatenate([np.repeat(REFERENCE[:1], 12, axis=0), REFERENCE])
    result = compare(
        track(REFERENCE), track(noisy(late)),
        reference_soundtrack=soundtrack_of(reference_sound) if reference_sound is not None else None,
        attempt_soundtrack=soundtrack_of(attempt_sound),
    )
    assert result.alignment.method == "poses" and result.alignment.reason.startswith(reason)
    assert result.offset_s == pytest.approx(12 / FPS, abs=1 / FPS) and result.score >= 95


def test_dancers_on_screen_at_different_moments_of_one_recording_are_aligned_by_poses():
    # The same song, but the attempt's video starts 11 s later in it: 1 s of the reference left to compare.
    result = compare(track(REFERENCE), track(noisy(REFERENCE)), reference_soundtrack=soundtrack_of(SONG),
                     attempt_soundtrack=soundtrack_of(later(SONG, 11.0)))
    assert result.alignment.method == "poses" and "on screen together for only" in result.alignment.reason
    assert result.score >= 95
