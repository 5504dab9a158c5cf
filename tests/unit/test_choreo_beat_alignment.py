"""The Beat Align Score both ways and signed offsets, on beat trains whose answer is known."""
from __future__ import annotations

import math

import numpy as np
import pytest

from choreo.beat_alignment import align_beats, beat_align_score

MUSIC = np.arange(0.5, 20.0, 0.5)  # 120 BPM
FRAME_60 = 1 / 60


def test_identical_beats_score_one_with_no_offset():
    result = align_beats(MUSIC, MUSIC)
    assert result.music_to_motion == result.motion_to_music == result.score == pytest.approx(1.0)
    assert result.mean_offset_ms == pytest.approx(0.0) and result.median_offset_ms == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("frames", "expected"),
    [pytest.param(1, 0.946, id="1"), pytest.param(2, 0.801, id="2"), pytest.param(3, 0.607, id="3"),
     pytest.param(6, 0.135, id="6")],
)
def test_a_constant_offset_scores_the_gaussian_of_it(frames, expected):
    # sigma is 3 frames at 60 fps (50 ms), as in both papers.
    assert beat_align_score(MUSIC, MUSIC + frames * FRAME_60) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize("shift_s", [pytest.param(-0.04, id="early"), pytest.param(0.03, id="late")])
def test_offsets_are_negative_when_the_movement_comes_before_the_beat(shift_s):
    result = align_beats(MUSIC, MUSIC + shift_s)
    assert result.mean_offset_ms == pytest.approx(shift_s * 1000)
    assert all(offset == pytest.approx(shift_s * 1000) for offset in result.offsets_ms)
    assert result.score == pytest.approx(math.exp(-(shift_s**2) / (2 * 0.05**2)))


def test_motion_beats_twice_as_dense_score_one_way_and_half_the_other():
    dense = np.arange(0.25, 20.0, 0.25)
    result = align_beats(MUSIC, dense)
    assert result.music_to_motion == pytest.approx(1.0)
    assert result.motion_to_music == pytest.approx(0.5, abs=0.01)


def test_beats_on_time_score_well_above_chance_and_random_ones_do_not():
    on_time = align_beats(MUSIC, MUSIC)
    assert 0.1 < on_time.chance < 0.5 and on_time.score_above_chance == pytest.approx(1.0)
    random_beats = np.sort(np.random.default_rng(1).uniform(0, 20, len(MUSIC)))
    assert align_beats(MUSIC, random_beats).score_above_chance < 0.3


def test_no_kinematic_beats_scores_zero_without_failing():
    result = align_beats(MUSIC, np.array([]))
    assert result.score == 0.0 and math.isnan(result.mean_offset_ms) and result.offsets_ms == ()
