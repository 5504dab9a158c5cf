"""Short real video clips made from the photographs in ``../shared/media`` (people the model finds),
and the real dance videos in ``../shared/media/real``."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

MEDIA_DIR = Path(__file__).resolve().parents[2] / "shared" / "media"
PHOTOS = ("zidane.jpg", "bus.jpg")
#: Real dance videos of unknown licence: read from beside the repository, never copied into it.
REAL_DIR = MEDIA_DIR / "real"


def load_photo(name: str) -> np.ndarray:
    image = cv2.imread(str(MEDIA_DIR / name))
    if image is None:
        raise FileNotFoundError(f"{MEDIA_DIR / name} is missing: tests need ../shared/media beside the repo")
    return image


def real_clip(name: str) -> Path:
    """A video from ``../shared/media/real``; the test is skipped, saying so, when it is not there."""
    path = REAL_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: tests on real videos need ../shared/media/real beside the repo")
    return path


def make_clip(
    path: Path, *, seconds: float = 1.0, fps: float = 30.0, size: tuple[int, int] = (1280, 720), fourcc: str = "mp4v"
) -> Path:
    """A clip that cuts between the photos, each fitted to ``size`` and slowly zooming in."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {fourcc} video to {path}")
    frames = int(round(seconds * fps))
    photos = [load_photo(name) for name in PHOTOS]
    per_photo = max(frames // len(photos), 1)
    for index in range(frames):
        photo = photos[min(index // per_photo, len(photos) - 1)]
        zoom = 1.0 + 0.1 * (index % per_photo) / per_photo
        writer.write(_fit(photo, width, height, zoom))
    writer.release()
    return path


def _fit(photo: np.ndarray, width: int, height: int, zoom: float) -> np.ndarray:
    """The photo scaled to cover at least its own height in the frame, centred, on black."""
    scale = min(width / photo.shape[1], height / photo.shape[0]) * zoom
    resized = cv2.resize(photo, (int(photo.shape[1] * scale), int(photo.shape[0] * scale)))
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    rh, rw = resized.shape[:2]
    # Centre, cropping whatever overflows the canvas.
    src_y, src_x = max((rh - height) // 2, 0), max((rw - width) // 2, 0)
    dst_y, dst_x = max((height - rh) // 2, 0), max((width - rw) // 2, 0)
    h, w = min(rh, height), min(rw, width)
    canvas[dst_y : dst_y + h, dst_x : dst_x + w] = resized[src_y : src_y + h, src_x : src_x + w]
    return canvas


def make_bouncing_clip(
    path: Path, *, seconds: float, fps: float, period_s: float, phase_s: float, size: tuple[int, int] = (640, 360),
    photo: str = "zidane.jpg", height_px: float = 30.0,
) -> Path:
    """The people of one photo bouncing together once per ``period_s``: at the top, where their movement
    stops (a kinematic beat), at ``phase_s + k * period_s`` (``tests.dance_series.bounce``)."""
    from tests.dance_series import bounce

    width, height = size
    image = load_photo(photo)
    scale = (height - 2 * height_px) / image.shape[0]
    image = cv2.resize(image, (int(image.shape[1] * scale), int(image.shape[0] * scale)))
    left = (width - image.shape[1]) / 2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for index in range(int(round(seconds * fps))):
        lift = bounce(np.array([index / fps]), period_s, phase_s, height_px)[0]
        shift = np.float32([[1, 0, left], [0, 1, height_px * 1.5 - lift]])
        writer.write(cv2.warpAffine(image, shift, (width, height), flags=cv2.INTER_LINEAR))
    writer.release()
    return path


def mux_clicks(video: Path, out: Path, click_times: np.ndarray, seconds: float, sample_rate: int = 44100) -> Path:
    """``video`` with an AAC audio track of short 1 kHz clicks at ``click_times`` (seconds)."""
    import subprocess
    import wave

    import imageio_ffmpeg

    samples = np.zeros(int(seconds * sample_rate))
    click = np.sin(2 * np.pi * 1000 * np.arange(800) / sample_rate) * np.hanning(800) * 0.8
    for at in (np.asarray(click_times) * sample_rate).astype(int):
        samples[at : at + len(click)] += click[: max(len(samples) - at, 0)]
    wav = out.with_suffix(".wav")
    with wave.open(str(wav), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sample_rate)
        file.writeframes((samples * 32767).astype("<i2").tobytes())
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(video), "-i", str(wav),
         "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest", str(out)],
        check=True,
    )
    wav.unlink()
    return out


def sway_angle(t: np.ndarray) -> np.ndarray:
    """Degrees: an irregular sway (three incommensurate rhythms), so any moment of it is unlike the others."""
    return 9 * np.sin(2 * np.pi * 0.37 * t) + 6 * np.sin(2 * np.pi * 0.83 * t + 1.0) + 4 * np.sin(2 * np.pi * 1.31 * t + 2.0)


def make_swaying_clip(
    path: Path, *, seconds: float, fps: float = 30.0, delay_s: float = 0.0, size: tuple[int, int] = (640, 360),
    photo: str = "zidane.jpg", reversed_between: tuple[float, float] | None = None,
) -> Path:
    """The photo turning to and fro along ``sway_angle`` and stretching; with ``delay_s`` it holds still that long
    first: a copy of the same dance started ``delay_s`` late; with ``reversed_between`` (seconds of the dance) it
    turns the other way then: a part of the dance done wrong."""
    width, height = size
    image = load_photo(photo)
    scale = 0.8 * min(width / image.shape[1], height / image.shape[0])
    image = cv2.resize(image, (int(image.shape[1] * scale), int(image.shape[0] * scale)))
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
    canvas[top : top + image.shape[0], left : left + image.shape[1]] = image
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for index in range(int(round(seconds * fps))):
        t = max(index / fps - delay_s, 0.0)
        angle = float(sway_angle(np.array([t]))[0])
        if reversed_between is not None and reversed_between[0] <= t < reversed_between[1]:
            angle = -angle
        turn = cv2.getRotationMatrix2D((width / 2, height * 0.6), angle, 1.0)
        # Stretching across and along as well: the pose changes in three ways, not only by its angle.
        stretch = np.diag([1 + 0.12 * np.sin(2 * np.pi * 0.53 * t), 1 + 0.1 * np.sin(2 * np.pi * 0.29 * t + 0.7)])
        turn[:, :2] = stretch @ turn[:, :2]
        turn[:, 2] += (np.eye(2) - stretch) @ np.array([width / 2, height * 0.6])
        writer.write(cv2.warpAffine(canvas, turn, (width, height)))
    writer.release()
    return path


def pad_clip(path: Path, size: int) -> Path:
    """Grow a video to ``size`` bytes with an MP4 ``free`` box at the end, which decoders skip:
    a large upload that still decodes to the same frames."""
    import struct

    padding = size - path.stat().st_size
    with path.open("ab") as file:
        file.write(struct.pack(">I4s", padding, b"free"))
        file.write(bytes(padding - 8))
    return path
