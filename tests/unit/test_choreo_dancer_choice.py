"""The dancer a comparison takes by default: the one seen well for longest, not the longest first-to-last span."""
from __future__ import annotations

import numpy as np
import pytest

from choreo.dancer_choice import MOST_VISIBLE, REQUEST, most_visible, requested
from choreo.dancer_choice import visibility as visibility_of_tracks
from choreo.signals import tracks_from_frames
from tests.dance_series import STANDING

FPS = 30.0


def person(track_id: int, seen: int = 17, height: float = 340.0) -> dict:
    """A person record ``height`` px tall with ``seen`` of 17 keypoints above the confidence threshold."""
    keypoints = np.concatenate([STANDING * height / 340.0, np.full((17, 1), 0.9)], axis=1)
    keypoints[seen:, 2] = 0.1
    return {"track_id": track_id, "score": 0.9, "box": [100, 50, 300, 50 + height], "keypoints": keypoints.tolist()}


def frames(people_per_frame: list[list[dict]]) -> list[dict]:
    return [{"index": i, "t": i / FPS, "people": people} for i, people in enumerate(people_per_frame)]


def visibility(video: list[dict]):
    return visibility_of_tracks(tracks_from_frames(video))


def test_a_dancer_seen_well_for_longer_wins_over_a_longer_span_of_few_poses():
    # Dancer 1 crosses the picture at the start and the end only (span 99 frames); dancer 2 dances frames 10-69.
    video = frames([[person(1)] if i in (0, 1, 98, 99) else [person(2)] if 10 <= i < 70 else [] for i in range(100)])
    choice = most_visible(visibility(video), [1, 2])
    assert choice.track_id == 2 and choice.chosen_by == MOST_VISIBLE
    assert choice.well_seen_s == pytest.approx(60 / FPS) and choice.dancers == 2
    assert "most visible of 2 dancers" in choice.reason and "dancer 1" in choice.reason


def test_poses_missing_several_keypoints_do_not_count_as_well_seen():
    # Dancer 1 is in every frame but half hidden (10 of 17 keypoints); dancer 2 is whole in half the frames.
    video = frames([[person(1, seen=10)] + ([person(2)] if i < 30 else []) for i in range(60)])
    seen = visibility(video)
    assert seen[1].well_seen_frames == 0 and seen[2].well_seen_frames == 30
    assert most_visible(seen, [1, 2]).track_id == 2


def test_a_tie_goes_to_the_dancer_larger_on_screen_then_to_the_lower_id():
    video = frames([[person(1, height=200.0), person(2, height=400.0), person(3, height=400.0)] for _ in range(30)])
    assert most_visible(visibility(video), [1, 2, 3]).track_id == 2


def test_a_dancer_asked_for_is_taken_and_said_to_be_asked_for():
    video = frames([[person(1), person(2, seen=5)] for _ in range(30)])
    choice = requested(visibility(video), 2, dancers=2)
    assert (choice.track_id, choice.chosen_by, choice.well_seen_s) == (2, REQUEST, 0.0)
    assert choice.reason.startswith("asked for")
