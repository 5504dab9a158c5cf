"""Cleaning keypoint series: confidence, gaps, torso lengths and timing, with known answers."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.entrainment import movement_velocities
from choreo.signals import MAX_GAP_FRAMES, tracks_from_frames
from tests.dance_series import STANDING, bouncing_dancer, frames_of


def still_frames(count: int, fps: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(count) / fps
    return t, np.concatenate([np.repeat(STANDING[None], count, 0), np.full((count, 17, 1), 0.9)], axis=-1)


def test_keypoints_under_the_confidence_threshold_are_dropped():
    t, points = still_frames(30)
    points[:, 9, 2] = 0.29  # left wrist never confident
    points[:, 10, 2] = 0.30  # right wrist just enough
    (track,) = tracks_from_frames(frames_of(t, points))
    assert np.isnan(track.keypoints[:, 9]).all()
    assert not np.isnan(track.keypoints[:, 10]).any()


@pytest.mark.parametrize(("gap", "filled"), [(MAX_GAP_FRAMES, True), (MAX_GAP_FRAMES + 1, False)])
def test_short_gaps_are_interpolated_in_time_and_longer_ones_stay_missing(gap, filled):
    t, points = still_frames(40)
    points[:, 9, 0] = np.arange(40) * 2.0  # wrist moving right 2 px per frame
    points[10 : 10 + gap, 9, 2] = 0.1
    (track,) = tracks_from_frames(frames_of(t, points))
    middle = track.keypoints[10 : 10 + gap, 9, 0]
    if filled:
        assert middle == pytest.approx(np.arange(10, 10 + gap) * 2.0)
    else:
        assert np.isnan(middle).all()


def test_a_track_missing_from_whole_frames_keeps_the_video_frames_in_between():
    t, points = still_frames(30)
    points[12:14] = np.nan  # not detected at all in two frames
    (track,) = tracks_from_frames(frames_of(t, points))
    assert len(track.t) == 30 and not np.isnan(track.keypoints).any()


def test_speeds_are_in_torso_lengths_per_second_whatever_the_size_in_the_frame():
    t = np.arange(0, 4, 1 / 30)
    small = bouncing_dancer(t, 0.5)
    large = small.copy()
    large[..., :2] *= 3
    (a,), (b,) = tracks_from_frames(frames_of(t, small)), tracks_from_frames(frames_of(t, large))
    assert np.median(a.torso_length) == pytest.approx(100.0)
    assert np.nanmean(a.speed_envelope) == pytest.approx(np.nanmean(b.speed_envelope), rel=1e-6)


def test_keypoints_that_stand_still_do_not_move_when_the_scale_changes_wherever_the_dancer_stands():
    # A dancer straightening up: head, shoulders and arms rise 40 px over 2 s, the torso grows from 100 to
    # 140 px (the scale follows), hips and feet stay put; once at the image's corner, once 900 px right and
    # 600 px down from it. Movement is measured the same at both places, and the feet do not move.
    t = np.arange(0, 6, 1 / 30)
    _, corner = still_frames(len(t))
    corner[:, :11, 1] -= np.clip((t - 2) / 2, 0, 1)[:, None] * 40
    away = corner.copy()
    away[..., :2] += [900, 600]
    (near,), (far,) = tracks_from_frames(frames_of(t, corner)), tracks_from_frames(frames_of(t, away))
    assert far.torso_length[-1] > far.torso_length[0] * 1.3
    assert np.abs(far.velocity[:, 15:17]).max() < 1e-9
    assert far.velocity == pytest.approx(near.velocity, abs=1e-9)
    grid = np.arange(0, 6, 1 / 30)
    np.testing.assert_allclose(movement_velocities(far, grid), movement_velocities(near, grid), atol=1e-9)


def test_speeds_use_each_frames_timestamp_not_its_index():
    # A whole body moving 10 px (0.1 torso) per frame: 3 torso/s at 30 fps, 6 where frames are 1/60 s apart.
    t = np.concatenate([np.arange(0, 1, 1 / 30), 1 + np.arange(1, 31) / 60])
    _, points = still_frames(len(t))
    points[:, :, 0] += np.arange(len(t))[:, None] * 10
    (track,) = tracks_from_frames(frames_of(t, points))
    assert track.speed_envelope[10] == pytest.approx(3.0)
    assert track.speed_envelope[45] == pytest.approx(6.0)


def test_people_without_a_track_id_or_a_torso_are_left_out():
    t, points = still_frames(10)
    frames = frames_of(t, points)
    for frame in frames:
        frame["people"].append({"track_id": None, "keypoints": points[0].tolist()})
    no_torso = points.copy()
    no_torso[:, 5:7, 2] = no_torso[:, 11:13, 2] = 0.0
    frames_no_torso = frames_of(t, no_torso, track_ids=[7])
    assert [s.track_id for s in tracks_from_frames(frames)] == [1]
    assert tracks_from_frames(frames_no_torso) == []
