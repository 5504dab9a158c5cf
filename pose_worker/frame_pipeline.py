"""Decode and letterbox frames in a background thread, a few frames ahead of inference.

OpenCV's decoder and resize release the GIL, as does ONNX Runtime, so decoding the next frame
overlaps with inference on the current one instead of adding to it.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pose_worker.letterbox import Letterbox, letterbox_frame
from pose_worker.video import Frame, VideoReader

#: Frames prepared ahead of inference: enough to absorb a slow decode, few enough to bound memory.
PIPELINE_DEPTH = 4
#: How often a blocked producer checks whether the consumer has gone away.
PUT_POLL_S = 0.1


@dataclass(frozen=True)
class PreparedFrame:
    frame: Frame
    box: Letterbox
    tensor: np.ndarray  # the model input, [1, 3, H, W] float32


_END = object()


class FramePipeline:
    """Iterate for ``PreparedFrame``s in order; errors in the decoding thread are re-raised here."""

    def __init__(self, video: VideoReader, plan: Callable[[int, int], Letterbox], depth: int = PIPELINE_DEPTH) -> None:
        self._video = video
        self._plan = plan
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="frame-decoder", daemon=True)

    def __iter__(self) -> Iterator[PreparedFrame]:
        self._thread.start()
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop the decoding thread (if the consumer leaves early) and wait for it."""
        self._closed.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> FramePipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _produce(self) -> None:
        boxes: dict[tuple[int, int], Letterbox] = {}
        try:
            for frame in self._video:
                size = (frame.image.shape[1], frame.image.shape[0])
                box = boxes.get(size) or boxes.setdefault(size, self._plan(*size))
                if not self._put(PreparedFrame(frame, box, letterbox_frame(frame.image, box))):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it in its own thread
            self._put(exc)

    def _put(self, item: object) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=PUT_POLL_S)
                return True
            except queue.Full:
                continue
        return False
