"""Soundtrack features and aligning two soundtracks by them, on synthetic songs with known offsets and speeds."""
from __future__ import annotations

from dataclasses import replace

import librosa
import numpy as np
import pytest

from choreo.music import SAMPLE_RATE
from choreo.soundtrack import soundtrack_document, soundtrack_from_document, soundtrack_of
from choreo.soundtrack_alignment import MIN_CHROMA_CORRELATION, match_soundtracks
from tests.music_series import later, played_at, song, tonal_song

SONG = song(20.0, seed=1)
#: One envelope frame (512 samples at 22,050 Hz): the offset's resolution.
FRAME_S = 512 / SAMPLE_RATE


def test_the_onset_envelope_peaks_at_each_burst_and_is_scaled_to_1():
    clicks = np.zeros(4 * SAMPLE_RATE, np.float32)
    clicks[[SAMPLE_RATE, 2 * SAMPLE_RATE, 3 * SAMPLE_RATE]] = 1.0
    soundtrack = soundtrack_of(clicks)
    assert soundtrack.silent is False and soundtrack.onsets.max() == 1.0
    peaks = np.flatnonzero(soundtrack.onsets > 0.5) / soundtrack.rate
    assert all(np.min(np.abs(peaks - t)) <= 2 * FRAME_S for t in (1.0, 2.0, 3.0))


@pytest.mark.parametrize(
    "samples",
    [pytest.param(None, id="no-audio-track"), pytest.param(np.zeros(5 * SAMPLE_RATE, np.float32), id="all-zeros"),
     pytest.param(SONG[: SAMPLE_RATE], id="one-second")],
)
def test_no_sound_or_too_little_of_it_is_a_silent_soundtrack_that_matches_nothing(samples):
    silent = soundtrack_of(samples)
    assert silent.silent is True
    assert match_soundtracks(soundtrack_of(SONG), silent) is None


def test_the_document_round_trips_to_the_same_soundtrack():
    soundtrack = soundtrack_of(SONG)
    again = soundtrack_from_document(soundtrack_document(soundtrack))
    assert again.rate == soundtrack.rate and again.silent is False
    np.testing.assert_array_equal(again.onsets, soundtrack.onsets)
    assert again.chroma_rate == soundtrack.chroma_rate == pytest.approx(SAMPLE_RATE / 2048)
    assert again.chroma.shape == (12, pytest.approx(20 * again.chroma_rate, abs=2))
    np.testing.assert_array_equal(again.chroma, soundtrack.chroma)


def test_a_document_kept_before_the_chroma_reads_without_it():
    document = soundtrack_document(soundtrack_of(SONG))
    for key in ("chroma", "chroma_rate"):
        del document[key]
    document["version"] = 1
    old = soundtrack_from_document(document)
    assert old.chroma is None and old.chroma_rate is None and old.silent is False


def test_the_chroma_hears_which_notes_sound():
    a_minor_chord = sum(np.sin(2 * np.pi * hertz * np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE) for hertz in (220.0, 261.63, 329.63))
    chroma = soundtrack_of(a_minor_chord.astype(np.float32)).chroma
    loudest = set(np.argsort(-chroma.mean(axis=1))[:3])
    assert loudest == {9, 0, 4}  # A, C, E


def test_a_video_started_0_81_s_into_the_song_is_found_0_81_s_earlier_at_the_same_speed():
    match = match_soundtracks(soundtrack_of(SONG), soundtrack_of(later(SONG, 0.81)))
    assert match.offset_s == pytest.approx(-0.81, abs=FRAME_S)
    assert match.tempo_ratio == pytest.approx(1.0, abs=0.002)
    assert match.correlation > 0.9 and match.shared


def test_the_reference_started_later_gives_a_positive_offset():
    match = match_soundtracks(soundtrack_of(later(SONG, 1.5)), soundtrack_of(SONG))
    assert match.offset_s == pytest.approx(1.5, abs=FRAME_S) and match.shared


@pytest.mark.parametrize("speed", [pytest.param(0.8, id="slower"), pytest.param(1.25, id="faster")])
def test_a_recording_played_slower_or_faster_has_its_speed_as_the_tempo_ratio(speed):
    match = match_soundtracks(soundtrack_of(SONG), soundtrack_of(played_at(later(SONG, 1.0), speed)))
    assert match.tempo_ratio == pytest.approx(1 / speed, rel=0.01)
    # Attempt time = offset + ratio x reference time: the song's second 1.0 is the attempt's start.
    assert match.offset_s == pytest.approx(-1.0 / speed, abs=2 * FRAME_S)
    assert match.shared


def test_two_songs_are_not_taken_for_one_recording():
    match = match_soundtracks(soundtrack_of(SONG), soundtrack_of(song(20.0, seed=2)))
    assert match.chroma_correlation < MIN_CHROMA_CORRELATION and not match.shared


def test_without_chroma_two_songs_are_told_apart_by_their_onsets_alone():
    # Soundtracks kept before the chroma: the blunter search, and the onsets decide.
    kept_before = [replace(soundtrack_of(samples), chroma=None, chroma_rate=None) for samples in (SONG, song(20.0, seed=2))]
    match = match_soundtracks(*kept_before)
    assert match.chroma_correlation is None
    assert match.correlation < 0.5 and not match.shared


def test_two_songs_on_one_beat_with_different_melodies_are_told_apart_by_their_notes():
    first, second = tonal_song(20.0, seed=6), tonal_song(20.0, seed=7)
    match = match_soundtracks(soundtrack_of(first), soundtrack_of(second))
    assert match.chroma_correlation < MIN_CHROMA_CORRELATION and not match.shared
    same = match_soundtracks(soundtrack_of(first), soundtrack_of(later(first, 0.6)))
    assert same.shared and same.chroma_correlation > 0.8 and same.offset_s == pytest.approx(-0.6, abs=FRAME_S)


@pytest.mark.parametrize("speed", [1.1, 1.3])
def test_a_song_time_stretched_faster_as_practice_apps_do_is_found_at_its_speed(speed):
    # Tempo changed, pitch kept (a phase vocoder): the onsets blur, the notes stay.
    melody = tonal_song(20.0, seed=6)
    stretched = librosa.effects.time_stretch(later(melody, 1.0), rate=speed)
    match = match_soundtracks(soundtrack_of(melody), soundtrack_of(stretched))
    assert match.shared and match.tempo_ratio == pytest.approx(1 / speed, rel=0.01)
    assert match.offset_s == pytest.approx(-1.0 / speed, abs=2 * FRAME_S)


def test_a_song_resampled_faster_has_its_notes_moved_and_is_still_found():
    # Played faster by resampling (pitch up by 12 log2(1.25) = 3.9 semitones): the notes agree once moved back.
    melody = tonal_song(20.0, seed=6)
    match = match_soundtracks(soundtrack_of(melody), soundtrack_of(played_at(later(melody, 1.0), 1.25)))
    assert match.shared and match.tempo_ratio == pytest.approx(0.8, rel=0.01)
    assert match.chroma_correlation > 0.5


def test_two_songs_whose_strong_beats_coincide_are_not_taken_for_one_recording():
    # Loud identical beats, little else: r is high wherever the beats coincide, at every shift by a beat.
    first, second = (song(20.0, seed, beat_level=3.0, extras_per_s=1.0) for seed in (4, 5))
    match = match_soundtracks(soundtrack_of(first), soundtrack_of(second))
    assert match.correlation >= 0.5
    assert match.correlation - match.sidelobe < 0.05 and not match.shared
    same = match_soundtracks(soundtrack_of(first), soundtrack_of(later(first, 1.3)))
    assert same.shared and same.offset_s == pytest.approx(-1.3, abs=FRAME_S)
