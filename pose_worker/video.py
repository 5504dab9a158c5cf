"""Frames in: open a video file with OpenCV and yield its decoded frames with timestamps."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from common.errors import InvalidVideo


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    #: The container's frame count; an estimate for some formats, used for progress only.
    frame_count_hint: int


@dataclass(frozen=True)
class Frame:
    index: int
    t: float  # seconds, from the container's timestamps
    image: np.ndarray  # BGR, upright


class VideoReader:
    """An open video; iterate it for its frames. Raises ``InvalidVideo`` when it cannot be decoded."""

    def __init__(self, path: Path) -> None:
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise InvalidVideo("the file could not be opened as a video (unsupported or corrupt container)")
        # Phone videos carry a rotation; OpenCV applies it when asked, so frames come out upright.
        self._capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        ok, first = self._capture.read()
        if not ok or first is None:
            self.close()
            raise InvalidVideo("the video contains no decodable frame")
        self._first = first
        self._first_t = self._timestamp(0)
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.info = VideoInfo(
            width=first.shape[1],
            height=first.shape[0],
            fps=float(fps) if fps and fps > 0 else 0.0,
            frame_count_hint=max(int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0),
        )

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, self._first_t, self._first)
        index = 1
        while True:
            ok, image = self._capture.read()
            if not ok or image is None:
                return
            yield Frame(index, self._timestamp(index), image)
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
