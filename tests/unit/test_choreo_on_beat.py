"""On the beat: the beat clock, locking to it with its chance level, hits' asynchrony, the tempo a dancer
recognises, and who counts as a dancer, on movement with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.beat_clock import beat_phase, steady_beats
from choreo.dancers import dancers_of
from choreo.entrainment import asynchrony, beat_locking, limb_hits, movement_velocities, rayleigh_p
from choreo.music import MusicBeats
from choreo.report import build_report
from choreo.signals import tracks_from_frames
from tests.dance_series import bouncing_dancer, frames_of, improvised_dancer, poses_document

FPS = 30.0


def track_of(keypoints: np.ndarray, t: np.ndarray):
    (track,) = tracks_from_frames(frames_of(t, keypoints))
    return track


def locking_of(keypoints: np.ndarray, t: np.ndarray, beats: np.ndarray):
    return beat_locking(movement_velocities(track_of(keypoints, t), t), t, steady_beats(beats))


def test_steady_beats_keep_the_pulse_and_drop_the_trackers_wobble():
    pulse = np.arange(0, 20, 0.5)
    wobbly = pulse + np.random.default_rng(0).normal(0, 0.02, len(pulse))
    steady = steady_beats(wobbly)
    assert np.std(steady - pulse) < 0.7 * np.std(wobbly - pulse)
    slowing = np.cumsum(np.linspace(0.45, 0.55, 40))  # a ritardando is kept
    assert np.abs(steady_beats(slowing) - slowing).max() < 0.01  # within 2 % of a beat


def test_the_beat_phase_counts_beats_from_the_first():
    beats = np.array([1.0, 1.5, 2.0, 3.0])
    phase = beat_phase(np.array([0.5, 1.0, 1.25, 2.5, 2.99, 3.0]), beats)
    assert np.isnan(phase[0]) and np.isnan(phase[-1])
    assert phase[1:5] == pytest.approx([0.0, 0.5, 2.5, 2.99])


@pytest.mark.parametrize(("period_s", "level"), [(0.5, 1.0), (1.0, 0.5), (0.25, 2.0)])
def test_movement_repeating_with_the_beat_is_locked_at_its_level(period_s, level):
    t = np.arange(0, 16, 1 / FPS)
    beats = np.arange(0.2, 16, 0.5)  # 120 BPM
    locking = locking_of(bouncing_dancer(t, period_s, phase_s=0.2, noise_px=1.0), t, beats)
    assert locking.level == level
    assert locking.locked and locking.z > 5
    assert locking.strength > 0.6 and locking.score_above_chance > 0.5


def test_a_dancer_at_100_bpm_over_120_bpm_music_is_not_locked():
    t = np.arange(0, 16, 1 / FPS)
    locking = locking_of(bouncing_dancer(t, 0.6, noise_px=1.0), t, np.arange(0.1, 16, 0.5))
    assert not locking.locked and locking.score_above_chance < 0.1


def wandering_dancer(t: np.ndarray, seed: int) -> np.ndarray:
    """A dancer whose joints wander smoothly at random (Gaussian-smoothed noise): movement with no rhythm."""
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(seed)
    dancer = improvised_dancer(t, seed=seed, amplitude_px=0.0)
    dancer[:, :, :2] += gaussian_filter1d(rng.normal(0, 60, (len(t), 17, 2)), sigma=0.15 * FPS, axis=0)
    return dancer


@pytest.mark.parametrize("seed", range(4))
def test_movement_without_a_rhythm_is_not_locked(seed):
    t = np.arange(0, 20, 1 / FPS)
    locking = locking_of(wandering_dancer(t, seed), t, np.arange(0.3, 20, 60 / 112))
    assert not locking.locked


def test_too_few_beats_give_no_measure():
    t = np.arange(0, 4, 1 / FPS)
    assert locking_of(bouncing_dancer(t, 0.5), t, np.arange(0.2, 3.0, 0.5)) is None


@pytest.mark.parametrize("late_ms", [0, 60, -40])
def test_hits_on_the_beat_cluster_and_their_mean_asynchrony_is_the_delay(late_ms):
    t = np.arange(0, 16, 1 / FPS)
    beats = np.arange(0.2, 16, 0.5)
    # A bounce stops twice a beat, at the top (on the beat) and at the landing: timed on a half-beat clock.
    track = track_of(bouncing_dancer(t, 0.5, phase_s=0.2 + late_ms / 1000, noise_px=0.5), t)
    timing = asynchrony(*limb_hits(track, t), steady_beats(beats), 2.0)
    assert timing.hits >= 25
    assert timing.vector_strength > 0.9 and timing.rayleigh_p < 1e-6
    assert timing.mean_ms == pytest.approx(late_ms, abs=12)


def test_the_rayleigh_test_is_near_one_for_spread_phases_and_tiny_for_clustered_ones():
    assert rayleigh_p(0.05, 50) > 0.8
    assert rayleigh_p(0.9, 50) < 1e-10


def report_with_music(dancer: np.ndarray, t: np.ndarray, beats: np.ndarray) -> dict:
    music = MusicBeats(bpm=60 / float(np.median(np.diff(beats))), confidence=0.9, beats=beats)
    return build_report(poses_document(frames_of(t, dancer), FPS), has_audio=True, music=music)


def test_a_dancer_on_the_beat_has_the_musics_tempo_and_a_high_on_beat_figure():
    t = np.arange(0, 16, 1 / FPS)
    report = report_with_music(bouncing_dancer(t, 0.5, phase_s=0.2, noise_px=1.0), t, np.arange(0.2, 16, 0.5))
    assert report["tempo"]["motion_bpm"] == pytest.approx(120, abs=0.5) and report["tempo"]["motion_source"] == "beat"
    on_beat = report["on_beat"]
    assert on_beat["locked"] and on_beat["score_above_chance"] > 0.5
    assert on_beat["mean_asynchrony_ms"] == pytest.approx(0, abs=15)
    assert report["dancers"][0]["on_beat"]["locked"]


def test_a_dancer_at_100_bpm_over_120_bpm_music_is_reported_near_100_with_a_low_on_beat_figure():
    t = np.arange(0, 16, 1 / FPS)
    report = report_with_music(bouncing_dancer(t, 0.6, noise_px=1.0), t, np.arange(0.1, 16, 0.5))
    assert report["tempo"]["motion_bpm"] == pytest.approx(100, abs=1.5) and report["tempo"]["motion_source"] == "movement"
    assert not report["on_beat"]["locked"] and report["on_beat"]["score_above_chance"] < 0.1


def test_a_bystander_barely_seen_and_a_passer_by_are_not_dancers():
    t = np.arange(0, 20, 1 / FPS)
    dancer = bouncing_dancer(t, 0.5)
    bystander = bouncing_dancer(t, 0.5, x_px=400)
    bystander[:, :12, 2] = 0.1  # only the legs are ever seen: half out of the picture
    passer_by = bouncing_dancer(t, 0.5, x_px=250)
    passer_by[:, :, :][np.arange(len(t)) >= 45] = np.nan  # 1.5 s of a 20 s video
    guest = bouncing_dancer(t, 0.5, x_px=500)
    guest[np.arange(len(t)) < 420] = np.nan  # the last 6 s: more than a tenth of the video
    tracks = tracks_from_frames(frames_of(t, dancer, bystander, passer_by, guest))
    assert [track.track_id for track in dancers_of(tracks, 20.0)] == [1, 4]
