"""Real video files of the kinds users upload, made with the static ffmpeg that ``imageio-ffmpeg`` ships.

OpenCV's own writer cannot set rotation tags, variable frame rates or H.264, so the clips are encoded
by ffmpeg from frames piped in raw: the photographs in ``../shared/media``, each frame numbered.
"""
from __future__ import annotations

import struct
import subprocess
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np

from tests.clips import PHOTOS, load_photo

#: Fine enough that 1/15, 1/24, 1/30 s and 1/1000 s are all whole ticks.
VFR_TIMEBASE = 90_000

H264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p")
MPEG4_PART2 = ("-c:v", "mpeg4", "-q:v", "5")
MJPEG = ("-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p")


def encode_clip(
    path: Path,
    *,
    frames: int,
    fps: Fraction | int,
    size: tuple[int, int] = (320, 240),
    codec: Sequence[str] = H264,
    output_args: Sequence[str] = (),
) -> Path:
    """``frames`` numbered frames at a constant ``fps``, encoded with ``codec`` into ``path`` (container from its suffix)."""
    return _encode(path, _numbered_frames(frames, size), fps, size, [*codec, *output_args])


def encode_vfr_clip(path: Path, segments: Sequence[tuple[int, int]], size: tuple[int, int] = (320, 240)) -> list[float]:
    """A variable frame rate H.264 clip of ``(fps, frames)`` segments back to back; returns each frame's time."""
    times, expression, start_frame, start_t = [], "", 0, Fraction(0)
    for fps, count in segments:
        times += [float(start_t + Fraction(i, fps)) for i in range(count)]
        expression += f"if(lt(N,{start_frame + count}),{start_t}+(N-{start_frame})/{fps},"
        start_frame, start_t = start_frame + count, start_t + Fraction(count, fps)
    expression += "0" + ")" * len(segments)
    timebase = f"1/{VFR_TIMEBASE}"
    # Filter, encoder and track all count in the fine time base, or ffmpeg rounds times to 1/30 s.
    setpts = f"settb={timebase},setpts='({expression})/TB'"
    output = ["-vf", setpts, "-fps_mode", "passthrough", "-enc_time_base:v", timebase, *H264]
    output += ["-video_track_timescale", str(VFR_TIMEBASE)]
    _encode(path, _numbered_frames(start_frame, size), 30, size, output)
    return times


def tag_rotation(source: Path, path: Path, clockwise_degrees: int) -> Path:
    """A copy of ``source`` (streams untouched) whose display matrix says: turn clockwise to show upright.

    The same tag phones write as ``rotate=90`` for a portrait video stored landscape.
    """
    _ffmpeg("-display_rotation:v:0", str(-clockwise_degrees), "-i", str(source), "-c", "copy", str(path))
    return path


def encode_audio_only(path: Path, *, seconds: float = 2.0, cover_picture: bool = False) -> Path:
    """An AAC tone (ffmpeg's lavfi sine source) in an MP4 with no video stream; with ``cover_picture``,
    a still picture attached as a song's cover art is."""
    tone = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds:g}"]
    if not cover_picture:
        _ffmpeg(*tone, "-c:a", "aac", str(path))
        return path
    picture = ["-f", "lavfi", "-i", "color=c=red:s=64x64:d=1"]
    _ffmpeg(*tone, *picture, "-map", "0", "-map", "1", "-frames:v", "1", "-c:a", "aac", "-c:v", "png",
            "-disposition:v:0", "attached_pic", str(path))
    return path


def truncate(source: Path, path: Path, fraction: float) -> Path:
    """The first ``fraction`` of ``source``'s bytes, as an upload cut short leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def cut_at(source: Path, path: Path, size: int) -> Path:
    """The first ``size`` bytes of ``source`` (``head -c``), as an upload cut short leaves it."""
    with source.open("rb") as file:
        path.write_bytes(file.read(size))
    return path


def cut_after_moov(source: Path, path: Path) -> Path:
    """A faststart MP4 cut right after its ``moov`` box: a complete index and no frame data."""
    data = source.read_bytes()
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        offset += size
        if kind == b"moov":
            path.write_bytes(data[: offset + 16])
            return path
    raise ValueError(f"{source} has no moov box")


def zero_avi_frame_counts(source: Path, path: Path) -> Path:
    """A copy of an AVI whose headers give no frame count, as a writer that never finalised them leaves it."""
    data = bytearray(source.read_bytes())
    avih = data.index(b"avih") + 8
    struct.pack_into("<I", data, avih + 16, 0)  # AVIMAINHEADER.dwTotalFrames
    strh = data.index(b"strh") + 8
    struct.pack_into("<I", data, strh + 32, 0)  # AVISTREAMHEADER.dwLength
    path.write_bytes(bytes(data))
    return path


def _encode(path: Path, frames: Iterator[np.ndarray], fps: Fraction | int, size: tuple[int, int], output: list[str]) -> Path:
    width, height = size
    source = ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-"]
    process = subprocess.Popen(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *source, *output, str(path)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, stderr = process.communicate(b"".join(frame.tobytes() for frame in frames))
    if process.returncode != 0:
        raise RuntimeError(f"ffmpeg could not write {path}: {stderr.decode(errors='replace')}")
    return path


def _ffmpeg(*args: str) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {completed.stderr}")


def _numbered_frames(count: int, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """The photos in turn, resized to ``size``, each frame's index written on it (no two frames alike)."""
    photos = [cv2.resize(load_photo(name), size) for name in PHOTOS]
    for index in range(count):
        frame = photos[index * len(photos) // count].copy()
        cv2.putText(frame, str(index), (10, size[1] // 3), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 255, 255), 4)
        yield frame
