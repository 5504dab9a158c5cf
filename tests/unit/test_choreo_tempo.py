"""Tempo of movement from its spectrum (one series or the keypoints' velocities), and kinematic beats, on
bouncing and swinging dancers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.kinematic_beats import kinematic_beats
from choreo.report import build_report
from choreo.signals import frame_rate, tracks_from_frames
from choreo.tempo import MAX_BPM, MIN_BPM, spectral_tempo
from tests.dance_series import bouncing_dancer, frames_of, poses_document


def envelope_of(t: np.ndarray, dancer: np.ndarray) -> np.ndarray:
    (track,) = tracks_from_frames(frames_of(t, dancer))
    return track.speed_envelope


@pytest.mark.parametrize("fps", [25, 30])
@pytest.mark.parametrize("bpm", [120, 108, 180])
def test_a_dancer_bouncing_once_per_beat_gives_that_tempo(fps, bpm):
    t = np.arange(0, 10, 1 / fps)
    tempo = spectral_tempo(envelope_of(t, bouncing_dancer(t, 60 / bpm, noise_px=0.5)), fps)
    assert tempo.bpm == pytest.approx(bpm, abs=1.0)
    assert tempo.confidence > 0.8


def test_a_slow_tempo_is_not_doubled_nor_a_fast_one_halved():
    # Autocorrelation-based estimators jump an octave here; the spectrum's peak does not.
    t = np.arange(0, 12, 1 / 30)
    assert spectral_tempo(envelope_of(t, bouncing_dancer(t, 1.0)), 30).bpm == pytest.approx(60, abs=1.0)
    assert spectral_tempo(envelope_of(t, bouncing_dancer(t, 60 / 144)), 30).bpm == pytest.approx(144, abs=1.0)


@pytest.mark.parametrize("seed", range(5))
def test_movement_without_a_beat_has_low_confidence(seed):
    noise = np.random.default_rng(seed).normal(1.0, 0.3, 900)  # 30 s at 30 fps
    assert spectral_tempo(noise, 30).confidence < 0.3


def test_too_short_or_flat_movement_has_no_tempo():
    assert spectral_tempo(np.ones(300), 30).bpm is None
    assert spectral_tempo(np.random.default_rng(0).random(60), 30).bpm is None



@pytest.mark.parametrize(
    ("bpm", "seconds"),
    [
        # What the parabola through the band's edge bin made of them before it kept to local maxima.
        pytest.param(53.5, 8, id="53.5-bpm-over-8-s-once-read-as-minus-16"),
        pytest.param(56.0, 12, id="56-bpm-over-12-s-once-read-as-40"),
        pytest.param(186.0, 8, id="186-bpm-over-8-s-once-read-as-207"),
    ],
)
def test_a_beat_just_outside_the_band_gives_a_tempo_inside_it_never_one_extrapolated_past_it(bpm, seconds):
    t = np.arange(0, seconds, 1 / 30)
    tempo = spectral_tempo(envelope_of(t, bouncing_dancer(t, 60 / bpm)), 30)
    assert MIN_BPM <= tempo.bpm <= MAX_BPM


def test_kinematic_beats_fall_where_the_bounce_stops():
    t = np.arange(0, 10, 1 / 30)
    beats = kinematic_beats(t, envelope_of(t, bouncing_dancer(t, 0.5, phase_s=0.1)), 30)
    expected = np.arange(0.6, 9.5, 0.5)
    inner = beats[(beats > 0.4) & (beats < 9.5)]
    assert len(inner) == len(expected)
    assert np.abs(inner - expected).max() < 1 / 30


def test_a_flat_minimum_two_frames_long_is_one_beat():
    envelope = np.array([5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5], float)
    grid = np.arange(len(envelope)) / 30
    beats = kinematic_beats(grid, np.repeat(envelope, 1), 30)
    assert len(beats) == 2


def test_no_beat_is_reported_where_the_dancer_is_not_measured():
    t = np.arange(0, 6, 1 / 30)
    envelope = envelope_of(t, bouncing_dancer(t, 0.5))
    envelope[60:120] = np.nan
    beats = kinematic_beats(t, envelope, frame_rate(t))
    assert not np.any((beats > 2.05) & (beats < 3.95))


def swinging_arms(t: np.ndarray, period_s: float, reach_px: float = 60.0) -> np.ndarray:
    """Keypoints of a dancer standing still but for the arms, swung side to side once per ``period_s``."""
    dancer = bouncing_dancer(t, period_s, noise_px=0.5)
    dancer[:, :, 1] = bouncing_dancer(t[:1], period_s)[0, :, 1]  # no bounce: only the arms move
    swing = reach_px * np.sin(2 * np.pi * t / period_s)
    dancer[:, [7, 8], 0] += swing[:, None] / 2  # elbows
    dancer[:, [9, 10], 0] += swing[:, None]  # wrists
    return dancer


def test_a_swing_is_counted_once_per_cycle_not_at_each_end():
    # The arms stop at both ends of each swing, so their speed (and a whole-body speed envelope) repeats
    # twice a cycle: 200 BPM, outside the band, leaving it no tempo to find. Their velocities repeat once.
    t = np.arange(0, 12, 1 / 30)
    frames = frames_of(t, swinging_arms(t, 0.6))
    report = build_report(poses_document(frames, 30), has_audio=False, music=None)
    assert report["tempo"]["motion_bpm"] == pytest.approx(100, abs=1.0)
    assert report["tempo"]["motion_confidence"] > 0.8
    assert report["dancers"][0]["motion_bpm"] == pytest.approx(100, abs=1.0)
    (track,) = tracks_from_frames(frames)
    assert spectral_tempo(track.speed_envelope, 30).bpm != pytest.approx(100, abs=5.0)
