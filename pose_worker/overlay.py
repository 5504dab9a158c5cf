"""The skeleton overlay video: each dancer drawn in their track's colour, encoded for browsers.

H.264 in MP4 plays in every browser; OpenCV's bundled FFmpeg cannot encode it, so frames are
piped to the ffmpeg binary shipped by the ``imageio-ffmpeg`` package. Without it, OpenCV's
MPEG-4 Part 2 encoder is used (plays in VLC and most desktop players, not in browsers).
"""
from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import cv2
import numpy as np

from infra.errors import WorkInterrupted
from pose_worker.decode import Person
from pose_worker.poses_file import person_of
from pose_worker.video import VideoProperties, VideoReader

log = logging.getLogger(__name__)

#: COCO-17 limbs as keypoint index pairs: face, arms, torso, legs.
SKELETON = (
    (0, 1), (0, 2), (1, 3), (2, 4),
    (5, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (5, 11), (6, 12), (11, 12),
    (11, 13), (13, 15), (12, 14), (14, 16),
)
#: Keypoints less visible than this are not drawn: they are guesses.
MIN_VISIBILITY = 0.5
#: The page's colours (gateway/web/colours.js, held equal by a unit test), as hex: track id 1 is the
#: first, and ids start again after the last, so a dancer has one colour on the page and in the video.
PALETTE_HEX = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#ffe119", "#469990", "#dcbeff", "#9a6324", "#fabed4", "#800000", "#aaffc3", "#808000",
)
#: People the tracker gave no id (white, as on the page).
UNTRACKED_HEX = "#ffffff"
#: Taller frames are scaled down to this many lines: what a browser that cannot decode the original (HEVC)
#: shows instead of it, sharp on a 1000 px tall window and a phone. A 720p or 576x1280 phone video keeps its
#: size; on a 2-core host it renders as fast as at 720 lines (the decode dominates; the resize it saves pays
#: for the larger encode), at about twice the file size (bench figures in docs/performance.md).
MAX_OVERLAY_HEIGHT = 1280
#: x264 speed/quality: the overlay must not slow the worker down much.
X264_ARGS = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p", "-movflags", "+faststart")


def bgr_of_hex(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as OpenCV's (blue, green, red)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return blue, green, red


#: The palette as OpenCV draws it, parsed once: ``track_colour`` runs for every person of every frame.
PALETTE_BGR = tuple(bgr_of_hex(colour) for colour in PALETTE_HEX)
UNTRACKED_BGR = bgr_of_hex(UNTRACKED_HEX)


def track_colour(track_id: int | None) -> tuple[int, int, int]:
    """The BGR colour of ``track_id``, the one the page gives it (``colourOf`` in colours.js)."""
    if track_id is None:
        return UNTRACKED_BGR
    return PALETTE_BGR[(track_id - 1) % len(PALETTE_BGR)]


def draw_people(image: np.ndarray, people: list[Person], track_ids: list[int | None], scale: float = 1.0) -> np.ndarray:
    """Draw each person's limbs, joints and id onto ``image`` (in place) and return it."""
    thickness = max(2, int(round(image.shape[0] / 240)))
    for person, track_id in zip(people, track_ids):
        colour = track_colour(track_id)
        points = person.keypoints[:, :2] * scale
        visible = person.keypoints[:, 2] >= MIN_VISIBILITY
        for a, b in SKELETON:
            if visible[a] and visible[b]:
                cv2.line(image, _pt(points[a]), _pt(points[b]), colour, thickness, cv2.LINE_AA)
        for point, shown in zip(points, visible):
            if shown:
                cv2.circle(image, _pt(point), thickness + 1, colour, -1, cv2.LINE_AA)
        x1, y1 = (int(v * scale) for v in person.box[:2])
        label = f"#{track_id}" if track_id is not None else ""
        cv2.putText(image, label, (x1, max(y1 - 6, 12)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, 2, cv2.LINE_AA)
    return image


def _pt(point: np.ndarray) -> tuple[int, int]:
    return int(round(float(point[0]))), int(round(float(point[1])))


class OverlayWriter:
    """Writes overlay frames to an MP4 file; ``write`` takes the original frame, ``close`` finishes."""

    def __init__(self, path: Path, width: int, height: int, fps: float) -> None:
        self.path = path
        self.scale = min(1.0, MAX_OVERLAY_HEIGHT / height)
        # Even sizes: yuv420p needs them.
        self.size = (int(width * self.scale) // 2 * 2, int(height * self.scale) // 2 * 2)
        fps = fps if fps > 0 else 30.0
        self.codec = "h264"
        self._ffmpeg = _start_ffmpeg(path, self.size, fps)
        self._cv_writer = None
        if self._ffmpeg is None:
            self.codec = "mpeg4"
            self._cv_writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, self.size)

    def write(self, image: np.ndarray, people: list[Person], track_ids: list[int | None]) -> None:
        if (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        else:
            image = image.copy()  # never draw on a frame someone else may still read
        draw_people(image, people, track_ids, self.scale)
        if self._ffmpeg is not None:
            assert self._ffmpeg.stdin is not None
            self._ffmpeg.stdin.write(image.tobytes())
        else:
            self._cv_writer.write(image)

    def close(self) -> None:
        if self._ffmpeg is not None:
            assert self._ffmpeg.stdin is not None
            self._ffmpeg.stdin.close()
            if self._ffmpeg.wait() != 0:
                raise RuntimeError(f"ffmpeg failed to encode the overlay (exit {self._ffmpeg.returncode})")
        elif self._cv_writer is not None:
            self._cv_writer.release()

    def abort(self) -> None:
        """Stop without a usable file (the analysis failed or was interrupted)."""
        if self._ffmpeg is not None:
            self._ffmpeg.kill()
            self._ffmpeg.wait()
        elif self._cv_writer is not None:
            self._cv_writer.release()


def _start_ffmpeg(path: Path, size: tuple[int, int], fps: float) -> subprocess.Popen | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        log.warning("imageio-ffmpeg is not installed: the overlay is MPEG-4 Part 2, which browsers do not play")
        return None
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{size[0]}x{size[1]}", "-r", f"{fps:.6f}", "-i", "-",
        "-threads", "1", *X264_ARGS, str(path),
    ]
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def render_overlay(
    video_path: Path, frames: Iterable[Mapping], info: VideoProperties, path: Path, on_progress: Callable[[float], None],
    should_stop: Callable[[], bool], max_duration_s: float | None, frame_count: int,
) -> Path:
    """The skeleton overlay of ``frames`` (``poses.json`` records with their final track ids, in
    decoding order) drawn over the video's frames, decoded again."""
    overlay = OverlayWriter(path, info.width, info.height, info.fps)
    try:
        with VideoReader(video_path, max_duration_s=max_duration_s) as video:
            for number, (image, frame) in enumerate(zip(video, frames)):
                if should_stop():
                    raise WorkInterrupted(f"overlay interrupted at {frame['t']:.2f} s")
                people = [person_of(record) for record in frame["people"]]
                overlay.write(image.image, people, [record["track_id"] for record in frame["people"]])
                on_progress(number / max(frame_count, 1))
    except BaseException:
        overlay.abort()
        raise
    overlay.close()
    return overlay.path
