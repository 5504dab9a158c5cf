"""Which reading of the music's beat the dancers follow (``choreo/metre.py``): the tracker's own, or the
music read at 3/2 or 2/3 of its tempo, on inputs with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.music import MusicBeats, music_beats
from choreo.report import build_report, summary_of
from tests.dance_series import bouncing_dancer, frames_of, poses_document
from tests.music_series import song

SECONDS = 20.0


def music_read_at_100_bpm(other_readings_confidence: float = 0.5) -> MusicBeats:
    """A tracker's reading at 100 BPM of music that also pulses at 150 and at 66.7 BPM."""

    def beats(bpm: float) -> np.ndarray:
        return np.arange(0.3, SECONDS, 60 / bpm)

    others = tuple(
        MusicBeats(bpm=bpm, confidence=other_readings_confidence, beats=beats(bpm), tracker_bpm=100.0)
        for bpm in (150.0, 200 / 3)
    )
    return MusicBeats(bpm=100.0, confidence=0.5, beats=beats(100.0), alternatives=others)


def report_of(period_s: float, music: MusicBeats) -> dict:
    t = np.arange(0, SECONDS, 1 / 30)
    document = poses_document(frames_of(t, bouncing_dancer(t, period_s, noise_px=1.0)), 30.0)
    return build_report(document, has_audio=True, music=music)


def test_dancers_who_follow_the_music_read_at_3_2_of_the_trackers_tempo_are_measured_against_that_reading():
    report = report_of(0.4, music_read_at_100_bpm())
    assert report["tempo"]["music_bpm"] == pytest.approx(150) and report["music"]["tracker_bpm"] == pytest.approx(100)
    assert report["music"]["beats"][:3] == pytest.approx([0.3, 0.7, 1.1])
    assert report["on_beat"]["locked"] and report["dancers"][0]["on_beat"]["locked"]
    assert report["tempo"]["motion_source"] == "beat" and report["tempo"]["motion_bpm"] == pytest.approx(150)
    assert summary_of(report)["tracker_bpm"] == pytest.approx(100) and summary_of(report)["music_bpm"] == pytest.approx(150)


def test_the_trackers_reading_stays_when_the_dancers_follow_it():
    report = report_of(0.6, music_read_at_100_bpm())
    assert report["tempo"]["music_bpm"] == pytest.approx(100) and report["music"]["tracker_bpm"] == pytest.approx(100)
    assert report["on_beat"]["locked"] and report["tempo"]["motion_bpm"] == pytest.approx(100)


def test_a_reading_the_music_hardly_pulses_at_is_not_taken():
    report = report_of(0.4, music_read_at_100_bpm(other_readings_confidence=0.05))
    assert report["tempo"]["music_bpm"] == pytest.approx(100) and report["music"]["tracker_bpm"] == pytest.approx(100)
    assert not report["on_beat"]["locked"]
    assert report["tempo"]["motion_source"] == "movement" and report["tempo"]["motion_bpm"] == pytest.approx(150, rel=0.02)


def test_a_dancer_at_a_tempo_of_neither_reading_is_not_on_the_beat_of_either():
    report = report_of(0.53, music_read_at_100_bpm())  # 113 BPM
    assert report["tempo"]["music_bpm"] == pytest.approx(100) and not report["on_beat"]["locked"]
    assert report["tempo"]["motion_bpm"] == pytest.approx(113.2, rel=0.02)


def test_a_song_that_pulses_only_at_its_beat_is_read_at_3_2_and_2_3_of_it_with_faint_pulses_there():
    heard = music_beats(song(20, 0, bpm=120.0))
    assert heard.bpm == pytest.approx(120, rel=0.02) and heard.clear and heard.tracker_bpm is None
    assert [other.bpm for other in heard.alternatives] == pytest.approx([180, 80], rel=0.05)
    assert all(other.tracker_bpm == heard.bpm and not other.alternatives for other in heard.alternatives)
    assert not any(other.clear for other in heard.alternatives)


@pytest.mark.parametrize("seed", range(3))
def test_in_a_song_that_pulses_at_two_levels_the_dancers_choose_the_beat_the_tracker_did_not(seed):
    # Drums at 100 BPM and 150 BPM together: the tracker's prior picks 150, the dancer bounces at 100.
    samples = song(SECONDS, seed, bpm=100.0, extras_per_s=1.0) + song(SECONDS, seed + 10, bpm=150.0, extras_per_s=0.0)
    heard = music_beats(samples)
    assert heard.bpm == pytest.approx(150, rel=0.01)
    report = report_of(0.6, heard)
    assert report["tempo"]["music_bpm"] == pytest.approx(100, rel=0.01)
    assert report["music"]["tracker_bpm"] == pytest.approx(150, rel=0.01) and report["music"]["clear_beat"]
    assert report["on_beat"]["locked"] and report["tempo"]["motion_source"] == "beat"
    # A dancer at the tracker's 150 keeps it.
    kept = report_of(0.4, heard)
    assert kept["tempo"]["music_bpm"] == kept["music"]["tracker_bpm"] == pytest.approx(150, rel=0.01)
    assert kept["on_beat"]["locked"]
