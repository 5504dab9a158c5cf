"""Where to cut a long video so several workers can estimate its poses at once.

A video longer than twice ``DANCE_CHUNK_S`` is cut into chunks of about that length, each cut on
a keyframe near its nominal place. Each chunk starts decoding ``OVERLAP_S`` before its own first
frame: the tracker is warm at the cut, and the people seen in both chunks tell which track
continues which (``pose_worker/stitching.py``).
"""
from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

from domain.jobs import ChunkPlan, ChunkRecord
from infra.errors import InvalidVideo
from pose_worker.tracking import TRACK_BUFFER_S
from pose_worker.video import VideoProperties, VideoReader, cut_off_warning

log = logging.getLogger(__name__)

#: Seconds a chunk decodes before its own range: the tracker's buffer, so a dancer hidden at the cut
#: is still known to both chunks, and about 30 frames of shared people to match tracks on.
OVERLAP_S = TRACK_BUFFER_S
#: How far (share of a chunk) a cut may move to land on a keyframe.
KEYFRAME_REACH = 0.25
#: Listing the keyframes decodes only them; even an hour of 1080p takes seconds.
KEYFRAME_PROBE_TIMEOUT_S = 300
#: How much of its end a long video decodes to show that its frames reach it (plus the GOP before it).
END_CHECK_S = 2.0
_PTS_TIME = re.compile(r"pts_time:\s*(-?[0-9.]+)")


def plan_chunk_starts(duration_s: float | None, chunk_s: float, keyframes_s: list[float]) -> list[float] | None:
    """Seconds at which each chunk's own range starts (the first is 0); None when the video stays whole.

    A video is split when ``chunk_s`` > 0 and it lasts more than twice ``chunk_s`` (chunks shorter than
    twice the overlap are lengthened to that). It gets ``floor(duration / chunk_s)`` chunks of equal
    nominal length; each cut moves to the nearest keyframe within a quarter chunk, if there is one.
    """
    if chunk_s <= 0 or duration_s is None:
        return None
    chunk_s = max(chunk_s, 2 * OVERLAP_S)
    if duration_s <= 2 * chunk_s:
        return None
    count = int(duration_s // chunk_s)
    length = duration_s / count
    starts = [0.0]
    for k in range(1, count):
        nominal = k * length
        near = [t for t in keyframes_s if abs(t - nominal) <= KEYFRAME_REACH * length]
        cut = min(near, key=lambda t: abs(t - nominal)) if near else nominal
        starts.append(round(cut, 6))
    return starts


def chunk_starts(video_path: Path, chunk_s: float, max_duration_s: float, job_id: str) -> list[float] | None:
    """Seconds at which each chunk of the video at ``video_path`` starts (``plan_chunk_starts``, cut at its
    keyframes); None when it stays whole: short, or cut off before the length it states."""
    with VideoReader(video_path, max_duration_s=max_duration_s) as video:
        info = video.info
    if plan_chunk_starts(info.duration_s, chunk_s, []) is None:
        return None  # short: no need to list keyframes
    if not reaches_stated_end(video_path, info):
        log.info("job %s: the video ends before its stated %.1f s (cut off?): it runs whole", job_id, info.duration_s)
        return None
    return plan_chunk_starts(info.duration_s, chunk_s, list_keyframes(video_path))


def reaches_stated_end(path: Path, info: VideoProperties) -> bool:
    """Whether the file's frames run to the length its container states (``info.duration_s``).

    An upload cut off with its index intact states more than it holds: chunks planned on the stated
    length would start past its end and fail as broken reads. Such a video runs whole instead, and the
    whole run's warning (``cut_off_warning``) says where it ends.
    """
    if info.duration_s is None:
        return True
    last_t = None
    try:
        with VideoReader(path, start_s=max(info.duration_s - END_CHECK_S, 0.0)) as video:
            for frame in video:
                last_t = frame.t
    except InvalidVideo:  # nothing decodes near the stated end
        return False
    return last_t is not None and cut_off_warning(info, last_t) is None


def chunk_plan_of(starts: list[float]) -> ChunkPlan:
    """The job record's plan for chunks starting at ``starts`` (seconds)."""
    ends: list[float | None] = [*starts[1:], None]
    return ChunkPlan(
        chunks=[
            ChunkRecord(start_s=start, end_s=end, decode_from_s=round(max(0.0, start - OVERLAP_S), 6))
            for start, end in zip(starts, ends)
        ]
    )


def list_keyframes(path: Path) -> list[float]:
    """Seconds of the video's keyframes, from the first frame; [] when ffmpeg is missing or cannot tell.

    Uses the ffmpeg binary of ``imageio-ffmpeg`` with ``-skip_frame nokey``: only keyframes are decoded.
    """
    try:
        import imageio_ffmpeg
    except ImportError:
        return []
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-skip_frame", "nokey", "-i", str(path),
        "-map", "0:v:0", "-an", "-vf", "showinfo", "-f", "null", "-",
    ]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=KEYFRAME_PROBE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("keyframes of %s not listed, cutting at nominal times: %r", path.name, exc)
        return []
    times = [float(t) for t in _PTS_TIME.findall(finished.stderr)]
    if not times:
        return []
    return [round(t - times[0], 6) for t in times]
