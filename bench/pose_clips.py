"""The clips the pose benchmarks run on: made from the photos in ``../shared/media``, each a different test.

- ``photos-720p``: two photos in turn, people large and close, slowly zooming (``tests.clips.make_clip``);
- ``portrait-720x1280``: the same as a phone films it, upright;
- ``sway-720p``: one photo turning and stretching, so poses change every frame;
- ``distant-1080p``: both photos shrunk to 30 %, drifting over a large textured floor: small,
  distant dancers, the case a smaller model input loses first.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.clips import load_photo, make_clip, make_swaying_clip

#: Scale of the photos in the distant clip: two of its people end up 160-200 px tall in 1080p (about 60 px
#: in the 640 model input), those by the bus too small for any setting to find.
DISTANT_SCALE = 0.3


def make_bench_clips(folder: Path, seconds: float, fps: float = 30.0) -> dict[str, Path]:
    """Write the four clips into ``folder``; name -> path."""
    return {
        "photos-720p": make_clip(folder / "photos.mp4", seconds=seconds, fps=fps, size=(1280, 720)),
        "portrait-720x1280": make_clip(folder / "portrait.mp4", seconds=seconds, fps=fps, size=(720, 1280)),
        "sway-720p": make_swaying_clip(folder / "sway.mp4", seconds=seconds, fps=fps, size=(1280, 720)),
        "distant-1080p": make_distant_clip(folder / "distant.mp4", seconds=seconds, fps=fps),
    }


def make_distant_clip(
    path: Path, *, seconds: float, fps: float = 30.0, size: tuple[int, int] = (1920, 1080), scale: float = DISTANT_SCALE
) -> Path:
    """Both photos shrunk by ``scale``, drifting slowly across a large grey, textured canvas."""
    width, height = size
    rng = np.random.default_rng(15)
    floor = cv2.GaussianBlur(rng.integers(70, 150, (height, width, 3), dtype=np.uint8), (0, 0), 3)
    photos = [cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for image in map(load_photo, ("zidane.jpg", "bus.jpg"))]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    frames = int(round(seconds * fps))
    for index in range(frames):
        canvas = floor.copy()
        drift = index / max(frames - 1, 1)
        spots = [(int(0.15 * width + 0.2 * width * drift), int(0.55 * height)), (int(0.7 * width - 0.15 * width * drift), int(0.3 * height))]
        for photo, (x, y) in zip(photos, spots):
            canvas[y : y + photo.shape[0], x : x + photo.shape[1]] = photo
        writer.write(canvas)
    writer.release()
    return path
