"""Who counts as a dancer: a person well seen for a good part of the video, not every track.

Re-linking (``pose_worker/relinking.py``) leaves one id per person, but also ids for what is not a
dancer: a bystander half out of the picture at the edge, a passer-by, a detector glitch. A track is
a dancer when its body is well seen (at least ``WELL_SEEN_KEYPOINTS`` keypoints known after gap
filling) for at least ``MIN_DANCER_S`` and at least ``MIN_DANCER_SHARE`` of the video or
``ENOUGH_S``, whichever is less.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from choreo.signals import TrackSeries, frame_rate

#: Keypoints (of 17, known after gap filling) for a body to be well seen: enough to place a person and
#: follow their movement when the face or the legs are hidden behind someone.
WELL_SEEN_KEYPOINTS = 8
#: Keypoints for a pose to be fully seen, as a comparison needs it: 13 leaves room for the face or the
#: feet turning away, not for a missing pair of limbs.
FULLY_SEEN_KEYPOINTS = 13
#: Under a second is a passer-by or a glitch, however short the video.
MIN_DANCER_S = 1.0
#: A person seen for under a tenth of the video is not one of its dancers...
MIN_DANCER_SHARE = 0.1
#: ... unless seen for this long, which makes a dancer of anyone in a long video.
ENOUGH_S = 10.0


def seen_frames(track: TrackSeries, keypoints: int = WELL_SEEN_KEYPOINTS) -> int:
    """Frames in which at least ``keypoints`` of the track's keypoints are known."""
    return int(np.sum(np.sum(~np.isnan(track.keypoints[:, :, 0]), axis=1) >= keypoints))


def well_seen_s(track: TrackSeries) -> float:
    """Seconds in which the track's body is well seen."""
    return seen_frames(track) / frame_rate(track.t)


def dancers_of(tracks: Sequence[TrackSeries], video_duration_s: float) -> list[TrackSeries]:
    """The tracks that count as dancers, in the order given."""
    needed = max(MIN_DANCER_S, min(MIN_DANCER_SHARE * video_duration_s, ENOUGH_S))
    return [track for track in tracks if well_seen_s(track) >= needed]
