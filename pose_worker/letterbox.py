"""Letterboxing exactly as Ultralytics does it, and mapping model coordinates back to the frame."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Ultralytics pads with this grey; the model was trained on it.
PAD_VALUE = (114, 114, 114)
#: The model's largest stride: input sides must be multiples of it.
MODEL_STRIDE = 32


@dataclass(frozen=True)
class Letterbox:
    """How one frame size maps into the model input (and back)."""

    frame_width: int
    frame_height: int
    resized_width: int
    resized_height: int
    pad_left: int
    pad_top: int
    input_width: int
    input_height: int

    @property
    def gain(self) -> float:
        # Ultralytics' scale_boxes recomputes the gain from the two shapes; so do we.
        return min(self.input_height / self.frame_height, self.input_width / self.frame_width)

    @property
    def offset(self) -> tuple[int, int]:
        """The padding Ultralytics subtracts when scaling back, (x, y)."""
        gain = self.gain
        return (
            round((self.input_width - self.frame_width * gain) / 2 - 0.1),
            round((self.input_height - self.frame_height * gain) / 2 - 0.1),
        )


def plan_letterbox(frame_width: int, frame_height: int, size: int = 640, stride: int = MODEL_STRIDE) -> Letterbox:
    """Scale to fit ``size``, then pad each side only up to a multiple of ``stride`` (1280x720 -> 640x384)."""
    ratio = min(size / frame_height, size / frame_width)
    resized_width, resized_height = int(round(frame_width * ratio)), int(round(frame_height * ratio))
    half_pad_w = ((size - resized_width) % stride) / 2
    half_pad_h = ((size - resized_height) % stride) / 2
    left, right = int(round(half_pad_w - 0.1)), int(round(half_pad_w + 0.1))
    top, bottom = int(round(half_pad_h - 0.1)), int(round(half_pad_h + 0.1))
    return Letterbox(
        frame_width=frame_width,
        frame_height=frame_height,
        resized_width=resized_width,
        resized_height=resized_height,
        pad_left=left,
        pad_top=top,
        input_width=resized_width + left + right,
        input_height=resized_height + top + bottom,
    )


def letterbox_frame(frame_bgr: np.ndarray, box: Letterbox) -> np.ndarray:
    """The model input for one BGR frame: float32 ``[1, 3, H, W]``, RGB, 0..1."""
    if (frame_bgr.shape[1], frame_bgr.shape[0]) != (box.resized_width, box.resized_height):
        frame_bgr = cv2.resize(frame_bgr, (box.resized_width, box.resized_height), interpolation=cv2.INTER_LINEAR)
    padded = cv2.copyMakeBorder(
        frame_bgr,
        box.pad_top,
        box.input_height - box.resized_height - box.pad_top,
        box.pad_left,
        box.input_width - box.resized_width - box.pad_left,
        cv2.BORDER_CONSTANT,
        value=PAD_VALUE,
    )
    rgb_chw = padded[:, :, ::-1].transpose(2, 0, 1)
    return (np.ascontiguousarray(rgb_chw, dtype=np.float32) / np.float32(255.0))[np.newaxis]


def to_frame_coordinates(points_xy: np.ndarray, box: Letterbox) -> np.ndarray:
    """Map ``[..., 2]`` model-input coordinates back to frame pixels, clipped to the frame."""
    offset_x, offset_y = box.offset
    out = np.empty_like(points_xy)
    out[..., 0] = np.clip((points_xy[..., 0] - offset_x) / box.gain, 0, box.frame_width)
    out[..., 1] = np.clip((points_xy[..., 1] - offset_y) / box.gain, 0, box.frame_height)
    return out
