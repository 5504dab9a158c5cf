"""OpenVINO Runtime: reads the same ONNX file and compiles it for the CPU.

A video's frames all letterbox to one input size, so the model is compiled for that exact shape
(a static shape lets OpenVINO plan memory and pick kernels once), at start-up for the usual
shapes and otherwise the first time one is seen, and kept for the next frames and videos.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import openvino as ov

from infra.errors import ModelUnavailable
from infra.settings import Settings
from pose_worker.backends.base import InferenceBackend
from pose_worker.backends.thread_plan import plan_threads
from pose_worker.letterbox import plan_letterbox

log = logging.getLogger(__name__)

#: Compiled shapes kept: a worker sees a handful of frame sizes (landscape, portrait, square).
COMPILED_SHAPES_KEPT = 8
#: Frame sizes compiled for at start-up (any 16:9 video letterboxes alike): phones and cameras film
#: these; another shape is compiled when first seen (about a second).
WARM_FRAME_SIZES = ((1280, 720), (720, 1280))
#: LATENCY: one inference request at a time, all threads on it, for a worker that runs frames one by
#: one; THROUGHPUT with as many streams as the worker keeps frames in flight, which splits the threads.
def performance_hint(streams: int) -> str:
    return "LATENCY" if streams == 1 else "THROUGHPUT"

#: Off: the frame decoder shares the cores, and pinned inference threads cannot step aside for it
#: (measured on 2 cores: level end to end either way, 0.95-1.1x without).
CPU_PINNING = False
#: OpenVINO's precision names for ``DANCE_INFERENCE_PRECISION``.
PRECISIONS = {"fp32": "f32", "bf16": "bf16"}


class OpenVinoBackend(InferenceBackend):
    """The model compiled for ``CPU``, once per input shape; an inference request per thread and shape
    (a request runs one inference at a time, and a worker may run jobs in several threads)."""

    def __init__(
        self,
        core: ov.Core,
        model: ov.Model,
        *,
        threads: int,
        streams: int = 1,
        precision: str = "fp32",
        static_shapes: bool = True,
    ) -> None:
        self._core = core
        self._model = model
        self._threads = threads
        self.streams = streams
        self._precision = precision
        self._static = static_shapes
        self._compiled: OrderedDict[tuple[int, ...], ov.CompiledModel] = OrderedDict()
        self._compiling = threading.Lock()
        self._local = threading.local()

    @classmethod
    def load(cls, path: Path, settings: Settings, *, static_shapes: bool = True) -> OpenVinoBackend:
        """Read the model and compile it for the usual inputs: 16:9 landscape and portrait (slow: once)."""
        core = ov.Core()
        try:
            model = core.read_model(str(path))
        except RuntimeError as exc:  # OpenVINO reports unreadable and malformed files alike
            raise ModelUnavailable(f"cannot load pose model {path}: {exc}") from exc
        plan = plan_threads(settings)
        backend = cls(
            core,
            model,
            threads=plan.threads,
            streams=plan.streams,
            precision=settings.inference_precision,
            static_shapes=static_shapes,
        )
        for width, height in WARM_FRAME_SIZES:
            box = plan_letterbox(width, height, settings.inference_size)
            backend._compiled_for((1, 3, box.input_height, box.input_width))
        return backend

    def infer(self, batch: np.ndarray) -> np.ndarray:
        request = self._request_for(batch.shape)
        # share_inputs: no copy of the frame in; the output is copied out, the request reuses its buffer.
        return request.infer({0: batch}, share_inputs=True, share_outputs=False)[0]

    @property
    def providers(self) -> list[str]:
        return ["OpenVINO:CPU"]

    @property
    def threads(self) -> int:
        return self._threads

    @property
    def description(self) -> str:
        shapes = "static shapes" if self._static else "dynamic shapes"
        hint = performance_hint(self.streams)
        return f"OpenVINO {ov.get_version()} on CPU, {self._threads} threads in {self.streams} streams, {self._precision}, {hint}, {shapes}"

    def _request_for(self, shape: tuple[int, ...]) -> ov.InferRequest:
        requests = self._local.__dict__.setdefault("requests", {})  # key -> (compiled model, its request)
        key = tuple(shape) if self._static else ()
        compiled = self._compiled_for(key)
        made_by, request = requests.get(key, (None, None))
        if made_by is not compiled:  # first use in this thread, or compiled anew since
            request = compiled.create_infer_request()
            requests[key] = (compiled, request)
        return request

    def _compiled_for(self, key: tuple[int, ...]) -> ov.CompiledModel:
        with self._compiling:
            compiled = self._compiled.get(key)
            if compiled is not None:
                self._compiled.move_to_end(key)
                return compiled
            model = self._model
            if key:
                model = self._model.clone()
                model.reshape({0: ov.PartialShape(list(key))})
            config = {
                "PERFORMANCE_HINT": performance_hint(self.streams),
                "NUM_STREAMS": self.streams,
                "INFERENCE_NUM_THREADS": self._threads,
                "ENABLE_CPU_PINNING": CPU_PINNING,
                # Without it OpenVINO computes in bf16 wherever the CPU can (AVX512_BF16, AMX): faster, but
                # keypoints move by pixels. fp32 unless asked.
                "INFERENCE_PRECISION_HINT": PRECISIONS[self._precision],
            }
            try:
                compiled = self._core.compile_model(model, "CPU", config)
            except RuntimeError as exc:
                raise ModelUnavailable(f"OpenVINO cannot compile the pose model for input {list(key)}: {exc}") from exc
            log.info("OpenVINO compiled the pose model for input %s", list(key) or "of any shape")
            self._compiled[key] = compiled
            if len(self._compiled) > COMPILED_SHAPES_KEPT:
                self._compiled.popitem(last=False)
            return compiled
