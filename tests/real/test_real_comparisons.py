"""Comparisons of real dancers (``../shared/media/real``, poses from the pose pipeline): every ordered pair of
the six clips compares without error and with sane figures; the student, dancing the teacher's choreography
to the same recording, is aligned by the soundtrack and scores well above the teacher against any other clip."""
from __future__ import annotations

import itertools
import json

import librosa
import numpy as np
import pytest

from choreo.comparison import DanceComparison, compare
from choreo.comparison_report import comparison_document, result_fields
from choreo.comparison_segments import FEEDBACK_BELOW
from choreo.dancer_choice import most_visible
from choreo.music import music_beats
from choreo.soundtrack import soundtrack_of
from choreo.soundtrack_alignment import match_soundtracks
from pose_worker.audio import read_audio
from tests.real_clips import CLIPS, STUDENT, STUDENT_STARTS_S, TEACHER, RealClip, real_clips  # noqa: F401 (fixture)

PAIRS = list(itertools.permutations(CLIPS, 2))
#: How close the soundtrack must put the student to where she is in the song, and to the song's tempo.
OFFSET_TOLERANCE_S = 0.15
TEMPO_TOLERANCE = 0.05
#: How far the student must score above the teacher compared with any other dance.
SCORE_MARGIN = 15.0


def dancer(clip: RealClip):
    """The clip's default dancer, as the compare worker takes it."""
    choice = most_visible(clip.seen, [track.track_id for track in clip.tracks])
    return next(track for track in clip.tracks if track.track_id == choice.track_id)


def compared(clips: dict[str, RealClip], reference: str, attempt: str) -> DanceComparison:
    return compare(
        dancer(clips[reference]), dancer(clips[attempt]),
        reference_soundtrack=clips[reference].soundtrack, attempt_soundtrack=clips[attempt].soundtrack,
    )


@pytest.fixture(scope="module")
def comparisons(real_clips) -> dict[tuple[str, str], DanceComparison]:  # noqa: F811 (the fixture)
    return {(reference, attempt): compared(real_clips, reference, attempt) for reference, attempt in PAIRS}


def duration_s(clip: RealClip) -> float:
    return float(clip.poses["video"]["duration_s"])


@pytest.mark.parametrize(("reference", "attempt"), PAIRS, ids=[f"{r}-vs-{a}" for r, a in PAIRS])
def test_every_ordered_pair_of_real_clips_compares_with_sane_figures(real_clips, comparisons, reference, attempt):  # noqa: F811
    result = comparisons[(reference, attempt)]
    assert 0.0 <= result.score <= 100.0 and 0.0 <= result.pose_similarity <= 100.0
    assert 0.25 <= result.tempo_ratio <= 4.0
    assert abs(result.offset_s) <= duration_s(real_clips[reference]) + duration_s(real_clips[attempt])
    assert result.segments and all(s.score is None or 0.0 <= s.score <= 100.0 for s in result.segments)
    assert all(s.score < FEEDBACK_BELOW for s in result.worst_segments)
    assert all(s.feedback and " 0°" not in s.feedback for s in result.worst_segments)
    document = comparison_document(result, {"comparison_id": "real"})
    json.dumps(document, allow_nan=False)  # what the worker stores: no NaN anywhere
    assert result_fields(result)["aligned_by"] in ("soundtrack", "poses")


def test_only_the_student_and_the_teacher_share_a_recording_and_are_aligned_by_it(comparisons):
    by_soundtrack = {pair for pair, result in comparisons.items() if result.alignment.method == "soundtrack"}
    assert by_soundtrack == {(TEACHER, STUDENT), (STUDENT, TEACHER)}
    assert comparisons[(TEACHER, STUDENT)].alignment.match.correlation > 0.8


def test_the_student_is_found_where_she_is_in_the_teachers_song_at_the_songs_tempo(comparisons):
    student = comparisons[(TEACHER, STUDENT)]
    assert student.offset_s == pytest.approx(-STUDENT_STARTS_S, abs=OFFSET_TOLERANCE_S)
    assert student.tempo_ratio == pytest.approx(1.0, abs=TEMPO_TOLERANCE)
    teacher = comparisons[(STUDENT, TEACHER)]
    assert teacher.offset_s == pytest.approx(STUDENT_STARTS_S, abs=OFFSET_TOLERANCE_S)
    assert teacher.tempo_ratio == pytest.approx(1.0, abs=TEMPO_TOLERANCE)


@pytest.fixture(scope="module")
def soundtracks(real_clips) -> dict[str, np.ndarray]:  # noqa: F811 (the fixture)
    """Each clip's decoded audio (None without sound)."""
    return {name: read_audio(clip.path) for name, clip in real_clips.items()}


@pytest.mark.parametrize("speed", [0.75, 1.1, 1.3])
def test_the_student_practising_at_another_speed_is_found_by_the_soundtrack(real_clips, soundtracks, speed):  # noqa: F811
    # Time-stretched, pitch kept, as practice apps play a song: attempt time = (-0.81 + reference time) / speed.
    stretched = librosa.effects.time_stretch(soundtracks[STUDENT], rate=speed)
    match = match_soundtracks(real_clips[TEACHER].soundtrack, soundtrack_of(stretched))
    assert match.shared, match
    assert match.tempo_ratio == pytest.approx(1 / speed, rel=0.01)
    assert match.offset_s == pytest.approx(-STUDENT_STARTS_S / speed, abs=OFFSET_TOLERANCE_S)


WITH_MUSIC = [name for name in CLIPS if name != "sports2d_demo_8s"]
#: Ordered pairs of clips with different songs (the student dances to the teacher's recording).
DIFFERENT_SONGS = [pair for pair in itertools.permutations(WITH_MUSIC, 2) if set(pair) != {TEACHER, STUDENT}]


@pytest.mark.parametrize("speed", [0.8, 1.25])
def test_different_songs_played_slower_or_faster_are_not_taken_for_one_recording(real_clips, soundtracks, speed):  # noqa: F811
    stretched = {name: soundtrack_of(librosa.effects.time_stretch(soundtracks[name], rate=speed)) for name in WITH_MUSIC}
    taken = [(reference, attempt) for reference, attempt in DIFFERENT_SONGS
             if match_soundtracks(real_clips[reference].soundtrack, stretched[attempt]).shared]
    assert len(DIFFERENT_SONGS) == 18 and taken == []


def test_the_student_scores_well_above_the_teacher_compared_with_any_other_dance(comparisons):
    others = {attempt: comparisons[(TEACHER, attempt)].score for attempt in CLIPS if attempt not in (TEACHER, STUDENT)}
    student = comparisons[(TEACHER, STUDENT)].score
    assert student >= max(others.values()) + SCORE_MARGIN, (student, others)


def test_a_real_dance_compared_with_itself_scores_100_with_no_worst_segments(real_clips):  # noqa: F811
    teacher = real_clips[TEACHER]
    result = compare(dancer(teacher), dancer(teacher), reference_soundtrack=teacher.soundtrack,
                     attempt_soundtrack=teacher.soundtrack)
    assert result.score == pytest.approx(100.0) and result.offset_s == pytest.approx(0.0, abs=1e-6)
    assert result.worst_segments == [] and all(s.feedback is None for s in result.segments)


@pytest.mark.parametrize("name", [TEACHER, STUDENT])
def test_the_default_dancer_of_a_solo_clip_is_seen_well_for_most_of_it(real_clips, name):  # noqa: F811
    clip = real_clips[name]
    choice = most_visible(clip.seen, [track.track_id for track in clip.tracks])
    assert choice.well_seen_s >= 0.5 * duration_s(clip)
    assert choice.well_seen_s == max(v.well_seen_s for v in clip.seen.values())
    assert np.isfinite(dancer(clip).keypoints).any()


def test_the_students_segments_are_the_teachers_counts_of_eight_and_her_weak_ones_are_named_by_them(real_clips):  # noqa: F811
    """As the compare worker runs it, with the teacher's music beats: the segments break on every 8th beat
    from the music's first (the page's counts of 1) and are numbered one after another."""
    teacher, student = real_clips[TEACHER], real_clips[STUDENT]
    beats = music_beats(read_audio(teacher.path)).beats
    result = compare(
        dancer(teacher), dancer(student), reference_soundtrack=teacher.soundtrack,
        attempt_soundtrack=student.soundtrack, reference_beats=beats,
    )
    eights = [segment.eight for segment in result.segments]
    assert None not in eights and eights == list(range(eights[0], eights[0] + len(eights))), eights
    counts_of_one = beats[::8]
    for segment in result.segments[1:]:
        assert np.min(np.abs(counts_of_one - segment.start_s)) < 1e-6, (segment.start_s, counts_of_one)
    assert result.worst_segments and all(segment.eight in eights for segment in result.worst_segments)
