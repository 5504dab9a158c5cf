"""Music beats from audio samples, and the assembled analysis document, on inputs with known answers."""
from __future__ import annotations

import json

import numpy as np
import pytest

from choreo.music import SAMPLE_RATE, MusicBeats, bpm_from_beats, music_beats, onset_envelope
from choreo.report import DEFINITIONS, build_report, summary_of
from tests.dance_series import bouncing_dancer, frames_of, moving_dancer, poses_document
from tests.music_series import song


def click_track(bpm: float, seconds: float, first_s: float = 0.25) -> np.ndarray:
    samples = np.zeros(int(seconds * SAMPLE_RATE), np.float32)
    click = np.sin(2 * np.pi * 1000 * np.arange(400) / SAMPLE_RATE) * np.hanning(400)
    for start in np.arange(first_s, seconds - 0.1, 60 / bpm):
        at = int(start * SAMPLE_RATE)
        samples[at : at + 400] += click.astype(np.float32)
    return samples


@pytest.mark.parametrize("bpm", [100, 120, 140])
def test_a_click_track_gives_its_tempo_and_beats_on_the_clicks(bpm):
    result = music_beats(click_track(bpm, 12.0))
    assert result.bpm == pytest.approx(bpm, rel=0.03)
    clicks = np.arange(0.25, 11.9, 60 / bpm)
    nearest = np.abs(result.beats[:, None] - clicks[None]).min(axis=1)
    assert len(result.beats) >= 0.8 * len(clicks)
    assert np.median(nearest) < 0.005 and nearest.max() < 0.02  # on the attack, not ~25 ms after it
    assert result.confidence > 0.5


def test_long_audio_is_read_in_chunks_that_join_without_a_seam():
    samples = click_track(120, 12.0) + np.random.default_rng(0).normal(0, 0.01, int(12.0 * SAMPLE_RATE)).astype(np.float32)
    whole = onset_envelope(samples, SAMPLE_RATE)
    chunked = onset_envelope(samples, SAMPLE_RATE, chunk_s=2.5)
    assert chunked.shape == whole.shape
    assert np.corrcoef(whole, chunked)[0, 1] > 0.99
    clicks = set(np.argsort(whole)[-24:])  # the 24 clicks' frames
    assert len(clicks & set(np.argsort(chunked)[-24:])) >= 22


def test_silence_has_no_beat():
    result = music_beats(np.zeros(5 * SAMPLE_RATE, np.float32))
    assert result.bpm is None and len(result.beats) == 0


@pytest.mark.parametrize("seed", range(3))
def test_a_songs_beat_is_clear_and_noise_or_bursts_at_random_times_have_only_a_faint_one(seed):
    # librosa's tracker places beats in anything; the pulse clarity tells a beat one can dance to from none.
    heard = music_beats(song(20, seed))
    assert heard.bpm == pytest.approx(120, rel=0.02) and heard.clear and heard.confidence > 0.25
    noise = music_beats(np.random.default_rng(seed).normal(0, 0.1, 20 * SAMPLE_RATE).astype(np.float32))
    bursts = music_beats(song(20, seed, beat_level=0.0))  # the song's bursts between beats, without its beat
    for faint in (noise, bursts):
        assert not faint.clear and faint.confidence < 0.15


def test_a_faint_beat_is_said_in_the_document_and_its_summary():
    t = np.arange(0, 10, 1 / 30)
    faint = MusicBeats(bpm=120.0, confidence=0.05, beats=np.arange(0.5, 10, 0.5))
    report = report_of(bouncing_dancer(t, 0.6, noise_px=1.0), t=t, music=faint)
    assert report["music"]["clear_beat"] is False and summary_of(report)["clear_beat"] is False
    assert report["tempo"]["music_confidence"] == 0.05
    clear = report_of(bouncing_dancer(t, 0.6, noise_px=1.0), t=t, music=MusicBeats(120.0, 0.5, faint.beats))
    assert clear["music"]["clear_beat"] is True


def test_the_tempo_comes_from_the_steady_beat_intervals():
    beats = np.array([0.0, 0.5, 1.0, 1.5, 2.5, 3.0, 3.5])  # one beat skipped
    assert bpm_from_beats(beats) == pytest.approx(120.0)
    assert bpm_from_beats(beats[:2]) is None


def report_of(*dancers, t, fps=30.0, music=None, has_audio=None):
    doc = poses_document(frames_of(t, *dancers), fps)
    return build_report(doc, has_audio=music is not None if has_audio is None else has_audio, music=music)


def test_a_dancer_on_the_beat_scores_high_and_a_late_one_shows_a_positive_offset():
    t = np.arange(0, 10, 1 / 30)
    music = MusicBeats(bpm=120.0, confidence=1.0, beats=np.arange(0.5, 10, 0.5))
    on_beat = report_of(bouncing_dancer(t, 0.5, phase_s=0.0), t=t, music=music)
    late = report_of(bouncing_dancer(t, 0.5, phase_s=0.06), t=t, music=music)
    assert on_beat["beat_alignment"]["score"] > 0.9
    assert on_beat["beat_alignment"]["score_above_chance"] > 0.8
    assert late["beat_alignment"]["mean_offset_ms"] == pytest.approx(60, abs=10)
    assert late["dancers"][0]["beat_alignment"]["median_offset_ms"] == pytest.approx(60, abs=10)
    assert on_beat["tempo"]["motion_bpm"] == pytest.approx(120, abs=1)


def test_without_audio_the_music_fields_are_null_and_the_rest_is_there():
    t = np.arange(0, 8, 1 / 25)
    report = report_of(bouncing_dancer(t, 0.5), t=t, fps=25)
    assert report["music"] == {"has_audio": False, "beats": None, "clear_beat": None, "tracker_bpm": None}
    assert report["beat_alignment"] is None and report["tempo"]["music_bpm"] is None
    assert report["dancers"][0]["beat_alignment"] is None
    assert report["synchrony"] is None  # one dancer
    assert set(report["definitions"]) == set(DEFINITIONS)


def test_a_track_shorter_than_one_second_is_not_a_dancer():
    t = np.arange(0, 6, 1 / 30)
    passer_by = bouncing_dancer(t, 0.5, x_px=300)
    passer_by[25:] = np.nan
    report = report_of(bouncing_dancer(t, 0.5), passer_by, t=t)
    assert [d["track_id"] for d in report["dancers"]] == [1]


def test_two_dancers_one_following_the_other_name_the_leader():
    t = np.arange(0, 12, 1 / 30)
    # An irregular rhythm (each bounce 0.4 to 0.7 s), so the lag is unambiguous.
    bounce_ends = np.cumsum(np.random.default_rng(3).uniform(0.4, 0.7, 30))
    lift = 40 * np.abs(np.sin(np.pi * np.interp(t, bounce_ends, np.arange(30))))
    leader = moving_dancer(lift)
    follower = moving_dancer(np.concatenate([np.full(5, lift[0]), lift[:-5]]), x_px=300)
    report = report_of(leader, follower, t=t)
    (pair,) = report["synchrony"]["pairs"]
    assert pair["leader_track_id"] == 1 and pair["lag_s"] == pytest.approx(5 / 30, abs=0.001)
    assert pair["score"] > 0.9 and pair["pose_similarity"] > 0.5


def test_the_document_is_strict_json_and_the_summary_repeats_its_headline_figures():
    t = np.arange(0, 10, 1 / 30)
    dancers = [bouncing_dancer(t, 0.5, noise_px=1, seed=k, x_px=250 * k) for k in range(3)]
    music = MusicBeats(bpm=120.0, confidence=0.9, beats=np.arange(0.5, 10, 0.5))
    report = report_of(*dancers, t=t, music=music)
    json.dumps(report, allow_nan=False)
    summary = summary_of(report)
    assert summary["dancers"] == 3 and summary["motion_bpm"] == report["tempo"]["motion_bpm"]
    assert summary["beat_alignment"]["score"] == report["beat_alignment"]["score"]
    assert summary["on_beat"] == {name: report["on_beat"][name] for name in summary["on_beat"]}
    assert set(summary["on_beat"]) == {"locked", "locking", "chance", "score_above_chance", "mean_asynchrony_ms"}
    assert summary["synchrony"]["R"] > 0.9 and len(report["synchrony"]["pairs"]) == 3
    angles = report["dancers"][0]["joint_angles"]
    assert len(angles["left_knee"]) == len(report["dancers"][0]["t"])
    assert report["dancers"][0]["range_of_motion"]["left_knee"]["max"] <= 180
