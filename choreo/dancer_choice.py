"""Which dancer of a video a comparison takes when none is asked for: the one seen well for longest.

A track's first-to-last span says little: a tracker that loses someone and finds them again, or a
passer-by at both ends of a video, makes long spans of few poses. What a comparison needs is poses it
can use, so a track counts the frames where its pose is fully seen (``choreo.dancers.FULLY_SEEN_KEYPOINTS``
of 17 keypoints known). Ties go to the dancer larger on screen (median torso length, pixels: nearer the
camera, seen in more detail), then the lower id.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from choreo.dancers import FULLY_SEEN_KEYPOINTS, seen_frames
from choreo.signals import TrackSeries, frame_rate

REQUEST = "request"
MOST_VISIBLE = "most_visible"


@dataclass(frozen=True)
class Visibility:
    track_id: int
    #: Frames with a fully seen pose.
    well_seen_frames: int
    #: The same in seconds (frames x the median frame interval).
    well_seen_s: float
    #: Median torso length, pixels.
    torso_px: float


@dataclass(frozen=True)
class ChosenDancer:
    track_id: int
    #: ``REQUEST`` (named in the request) or ``MOST_VISIBLE``.
    chosen_by: str
    well_seen_s: float
    #: Tracks in the video.
    dancers: int
    #: Why this one, in a sentence.
    reason: str


def visibility(tracks: Iterable[TrackSeries]) -> dict[int, Visibility]:
    """How well each track is seen."""
    seen = {}
    for track in tracks:
        frames = seen_frames(track, FULLY_SEEN_KEYPOINTS)
        seen[track.track_id] = Visibility(track.track_id, frames, frames / frame_rate(track.t), float(np.median(track.torso_length)))
    return seen


def most_visible(seen: Mapping[int, Visibility], candidates: Iterable[int]) -> ChosenDancer:
    """The best seen of ``candidates`` (track ids), with the reason."""
    ranked = sorted(
        (seen.get(track_id, Visibility(track_id, 0, 0.0, 0.0)) for track_id in candidates),
        key=lambda v: (-v.well_seen_frames, -v.torso_px, v.track_id),
    )
    best = ranked[0]
    if len(ranked) == 1:
        reason = f"the only dancer, seen well for {best.well_seen_s:.1f} s"
    else:
        reason = (
            f"the most visible of {len(ranked)} dancers: seen well for {best.well_seen_s:.1f} s "
            f"(next: dancer {ranked[1].track_id}, {ranked[1].well_seen_s:.1f} s)"
        )
    return ChosenDancer(best.track_id, MOST_VISIBLE, best.well_seen_s, len(ranked), reason)


def requested(seen: Mapping[int, Visibility], track_id: int, dancers: int) -> ChosenDancer:
    """The dancer the request named."""
    well_seen_s = seen[track_id].well_seen_s if track_id in seen else 0.0
    return ChosenDancer(track_id, REQUEST, well_seen_s, dancers, f"asked for; seen well for {well_seen_s:.1f} s")
