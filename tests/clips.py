"""Short real video clips made from the photographs in ``../shared/media`` (people the model finds)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

MEDIA_DIR = Path(__file__).resolve().parents[2] / "shared" / "media"
PHOTOS = ("zidane.jpg", "bus.jpg")


def load_photo(name: str) -> np.ndarray:
    image = cv2.imread(str(MEDIA_DIR / name))
    if image is None:
        raise FileNotFoundError(f"{MEDIA_DIR / name} is missing: tests need ../shared/media beside the repo")
    return image


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
