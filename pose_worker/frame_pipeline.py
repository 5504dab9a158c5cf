"""Decode and letterbox frames in a background thread, a few frames ahead of inference.

OpenCV's decoder and resize release the GIL, as does ONNX Runtime, so decoding the next frame
overlaps with inference on the current one instead of adding to it. For a GPU, which takes frames
faster than one thread letterboxes them, ``prepare_threads`` letterbox several at once (in order).
"""
from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from pose_worker.letterbox import Letterbox, letterbox_frame
from pose_worker.video import Frame, VideoReader

T = TypeVar("T")

#: Frames prepared ahead of inference: enough to absorb a slow decode, few enough to bound memory.
PIPELINE_DEPTH = 4
#: How often a blocked producer checks whether the consumer has gone away.
PUT_POLL_S = 0.1


@dataclass(frozen=True)
class PreparedFrame:
    frame: Frame
    box: Letterbox
    tensor: np.ndarray  # the model input, [1, 3, H, W] float32; or the decoded frame, where the device letterboxes


_END = object()


class FramePipeline:
    """Iterate for ``PreparedFrame``s in order; errors in the decoding thread are re-raised here."""

    def __init__(
        self, video: VideoReader, plan: Callable[[int, int], Letterbox], depth: int = PIPELINE_DEPTH, prepare_threads: int = 1,
        letterbox: bool = True,
    ) -> None:
        """With ``letterbox`` False the frames go on as decoded (the inference device letterboxes them)."""
        self._video = video
        self._plan = plan
        self._prepare = prepare if letterbox else as_decoded
        prepare_threads = prepare_threads if letterbox else 1
        self._pool = ThreadPoolExecutor(prepare_threads, thread_name_prefix="letterbox") if prepare_threads > 1 else None
        self._queue: queue.Queue = queue.Queue(maxsize=max(depth, 2 * prepare_threads))
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
            yield item.result() if isinstance(item, Future) else item

    def close(self) -> None:
        """Stop the decoding thread (if the consumer leaves early) and wait for it."""
        self._closed.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

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
                prepared = self._pool.submit(self._prepare, frame, box) if self._pool is not None else self._prepare(frame, box)
                if not self._put(prepared):
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


def prepare(frame: Frame, box: Letterbox) -> PreparedFrame:
    return PreparedFrame(frame, box, letterbox_frame(frame.image, box))


def as_decoded(frame: Frame, box: Letterbox) -> PreparedFrame:
    """The frame as the decoder gave it (uint8 ``[H, W, 3]``), for a device that letterboxes it."""
    return PreparedFrame(frame, box, frame.image)


def in_batches(frames: Iterable[PreparedFrame], size: int) -> Iterator[list[PreparedFrame]]:
    """Consecutive frames in lists of up to ``size`` that share one input size (a batch is one tensor)."""
    batch: list[PreparedFrame] = []
    for prepared in frames:
        if batch and (len(batch) == size or prepared.tensor.shape != batch[0].tensor.shape):
            yield batch
            batch = []
        batch.append(prepared)
    if batch:
        yield batch


def ahead(
    batches: Iterable[list[PreparedFrame]], work: Callable[[list[PreparedFrame]], T], depth: int, threads: int = 1
) -> Iterator[tuple[list[PreparedFrame], T]]:
    """Each batch with ``work(batch)``, in order, computed by ``threads`` threads up to ``depth`` batches
    ahead: a GPU infers the next batch while the caller tracks and writes this one, a CPU infers a
    frame per stream at once (0: no thread, in turn)."""
    if depth == 0:
        for batch in batches:
            yield batch, work(batch)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="infer") as pool:
        pending: deque[tuple[list[PreparedFrame], Future[T]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(work, batch)))
            if len(pending) > depth:
                done, result = pending.popleft()
                yield done, result.result()
        while pending:
            done, result = pending.popleft()
            yield done, result.result()
