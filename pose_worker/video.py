"""Frames in: open a video file with OpenCV and yield its decoded frames, upright, with timestamps.

What comes in and what happens to it:

- MP4 and MOV (ISO base media / QuickTime) and AVI, any codec the bundled FFmpeg decodes.
- Anything else ends with ``InvalidVideo`` before FFmpeg sees it: FFmpeg would otherwise "decode"
  a text file (its tty demuxer renders it as ANSI art) or a JPEG (a one-frame video).
- A file with no video stream (an audio file, a song with its cover picture) ends with ``InvalidVideo``
  saying what it holds instead (``pose_worker/stream_probe.py``).
- A rotation tag (phone videos) is applied, so frames and ``VideoInfo`` have the upright size.
- Timestamps are the container's presentation times, so variable frame rate videos keep their timing.
- A truncated upload whose index (an MP4's ``moov``) is lost cannot be opened: ``InvalidVideo``.
  One whose index survived (``faststart`` MP4, AVI) decodes the frames that arrived and then ends
  as if the video ended there; only a file with no decodable frame at all is ``InvalidVideo``.
  ``cut_off_warning`` tells such a file by its last frame ending well before the length its
  container states.
- With ``start_s``, decoding starts at the frame shown at that time (FFmpeg seeks to the keyframe
  before it and decodes forward, so the frames and timestamps are those a reading from the start gives).
- With ``max_duration_s``, a video longer than that ends with ``VideoTooLong``: up front when the
  container's length (frame count / fps) is over it, and, for containers that understate or omit
  their length, while decoding, at the first frame whose timestamp reaches the limit.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from infra.errors import InvalidVideo, VideoTooLong
from pose_worker.stream_probe import no_video_message, stream_kinds

#: FFmpeg options OpenCV passes to every capture it opens (it reads the variable at each open). Over
#: HTTP (a chunk reading its range from the bucket): reconnect at the same byte where a connection
#: ends early (a slow reader's connection was closed under it, measured), and give up on a read stalled
#: for a minute; files ignore them. An operator's own OPENCV_FFMPEG_CAPTURE_OPTIONS wins.
FFMPEG_CAPTURE_OPTIONS = "reconnect;1|reconnect_on_network_error;1|reconnect_delay_max;10|rw_timeout;60000000"
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", FFMPEG_CAPTURE_OPTIONS)

#: Box types an MP4 or MOV file may open with; QuickTime files need not start with ``ftyp``.
ISO_MEDIA_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
#: The containers the gateway accepts, named as a rejected upload's message names them.
ACCEPTED_CONTAINERS = "MP4, MOV or AVI"
#: Frame periods by which the last frame may end before the container's stated length with the file still
#: whole: variable frame rate clips end up to about 3 average frame periods off it (measured on the test
#: clips; the real clips in ../shared/media/real end exactly on it), a cut-off upload far more.
CUT_OFF_TOLERANCE_FRAMES = 5
#: The same as a share of the stated length, for a container whose frame count is an estimate.
CUT_OFF_TOLERANCE_SHARE = 0.01


@dataclass(frozen=True)
class VideoProperties:
    width: int  # upright, as frames come out
    height: int
    #: Frames per second as the container states it (the average for variable frame rate video).
    fps: float
    #: The container's frame count; an estimate for some formats, used for progress only.
    frame_count_hint: int
    #: Frame count / fps; None when the container does not say.
    duration_s: float | None = None
    #: Clockwise degrees (0, 90, 180, 270) the stored frames are turned to come out upright.
    rotation: int = 0


@dataclass(frozen=True)
class Frame:
    index: int
    t: float  # seconds, from the container's timestamps
    image: np.ndarray  # BGR, upright


class VideoReader:
    """An open video; iterate it for its frames. Raises ``InvalidVideo`` or ``VideoTooLong`` (see the module doc)."""

    def __init__(self, source: Path | str, *, max_duration_s: float | None = None, start_s: float = 0.0) -> None:
        """``source``: a file, or an http(s) URL (FFmpeg then reads only the byte ranges it needs);
        a URL's container is not checked here: it must be a file that was checked when downloaded."""
        if not is_url(source):
            check_container(Path(source))
            missing = no_video_message(stream_kinds(Path(source)))
            if missing is not None:
                raise InvalidVideo(missing)
        self._max_duration_s = max_duration_s
        self._start_s = start_s
        # Pinned to FFmpeg: the default order would let the image-sequence backend take a lone picture.
        self._capture = cv2.VideoCapture(str(source), cv2.CAP_FFMPEG)
        if not self._capture.isOpened():
            raise InvalidVideo("the video could not be opened: its container is damaged or incomplete (a cut-off upload?)")
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        capture = self._capture
        # Phone videos carry a rotation; FFmpeg-backed OpenCV applies it, so frames come out upright.
        capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        fps = capture.get(cv2.CAP_PROP_FPS)
        fps = float(fps) if fps and fps > 0 else 0.0
        frame_count = max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
        duration_s = frame_count / fps if frame_count and fps else None
        limit = self._max_duration_s
        if limit is not None and duration_s is not None and duration_s > limit:
            raise VideoTooLong(f"the video is {duration_s:.1f} s long, over the {limit:g} s limit")
        self._first_index = round(self._start_s * fps)
        if self._start_s > 0:
            capture.set(cv2.CAP_PROP_POS_MSEC, self._start_s * 1000)
        ok, first = capture.read()
        if not ok or first is None:
            raise InvalidVideo("the video contains no decodable frame (truncated, or a codec that cannot be decoded)")
        self._first = first
        self._first_t = self._timestamp(self._first_index)
        self.info = VideoProperties(
            width=first.shape[1],
            height=first.shape[0],
            fps=fps,
            frame_count_hint=frame_count,
            duration_s=duration_s,
            rotation=int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360,
        )

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(self._first_index, self._first_t, self._first)
        limit = self._max_duration_s
        index = self._first_index + 1
        while True:
            ok, image = self._capture.read()
            if not ok or image is None:
                return
            t = self._timestamp(index)
            # The backstop for containers that understate their length or do not state it.
            if limit is not None and t >= limit:
                raise VideoTooLong(f"the video runs past {t:.1f} s, over the {limit:g} s limit")
            yield Frame(index, t, image)
            index += 1

    def _timestamp(self, index: int) -> float:
        millis = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        if millis is None or millis < 0 or (millis == 0 and index > 0):
            fps = self._capture.get(cv2.CAP_PROP_FPS) or 0
            return index / fps if fps > 0 else 0.0
        return millis / 1000.0

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def is_url(source: Path | str) -> bool:
    """Whether ``source`` is an http(s) URL (a presigned one, for a chunk) rather than a file."""
    return str(source).startswith(("http://", "https://"))


def cut_off_warning(info: VideoProperties, last_frame_t: float) -> str | None:
    """What to tell when the decoded frames (the last at ``last_frame_t`` seconds) end well before the
    length the container states, as an upload cut short whose index survived does; None when they
    reach it, within the tolerances above, or when the container states no length."""
    if info.duration_s is None or info.fps <= 0:
        return None
    ends_s = last_frame_t + 1 / info.fps
    tolerance_s = max(CUT_OFF_TOLERANCE_FRAMES / info.fps, CUT_OFF_TOLERANCE_SHARE * info.duration_s)
    if info.duration_s - ends_s <= tolerance_s:
        return None
    return (
        f"the video file ends at {ends_s:.1f} s of the {info.duration_s:.1f} s its container announces "
        "(a cut-off upload?); poses and analysis cover only that part"
    )


def check_container(path: Path) -> None:
    """Raise ``InvalidVideo`` unless the file starts like an MP4, MOV or AVI file."""
    with path.open("rb") as file:
        head = file.read(12)
    if not head:
        raise InvalidVideo("the file is empty (0 bytes)")
    is_avi = head[:4] == b"RIFF" and head[8:12] == b"AVI "
    if not (is_avi or head[4:8] in ISO_MEDIA_FIRST_BOXES):
        raise InvalidVideo(f"the file is not a video: its contents are not {ACCEPTED_CONTAINERS}")
