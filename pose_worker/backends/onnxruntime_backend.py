"""ONNX Runtime: the default backend, and the only one with GPU execution providers."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort

from infra.errors import ModelUnavailable
from infra.settings import Settings
from pose_worker.backends.base import InferenceBackend
from pose_worker.backends.fused_graph import FRAMES_INPUT, fused_model
from pose_worker.letterbox import Letterbox
from pose_worker.backends.thread_plan import plan_threads

log = logging.getLogger(__name__)


def session_options(threads: int) -> ort.SessionOptions:
    """``threads`` intra-op threads (a stream's share of the cores), no inter-op pool, no spinning,
    every graph optimisation. Frames in flight at once each run on their caller's thread.

    Spinning threads would burn the core the frame decoder runs on while they wait (measured
    0.5-0.6x with spinning on a busy 2-core machine). The other knobs were measured too and left
    at ONNX Runtime's defaults: lower optimisation levels (0.8x), no memory arena or pattern
    (0.6-0.7x), denormals as zero (no change). See docs/performance.md, "Speed and scale".
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def choose_providers(wanted: str) -> list[str]:
    """The wanted execution providers this onnxruntime build has, in order; CPU is the last resort."""
    available = set(ort.get_available_providers())
    chosen = [name.strip() for name in wanted.split(",") if name.strip() in available]
    skipped = [name.strip() for name in wanted.split(",") if name.strip() and name.strip() not in available]
    if skipped:
        log.warning("execution providers not available in this onnxruntime build: %s", ", ".join(skipped))
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


class OnnxRuntimeBackend(InferenceBackend):
    """An ``onnxruntime.InferenceSession`` over the model file; with ``device_letterbox``, also one session
    per frame size over the model behind its letterbox (``fused_graph``), made when that size first comes."""

    def __init__(
        self, session: ort.InferenceSession, streams: int = 1, *, model_path: Path | None = None, device_letterbox: bool = False,
    ) -> None:
        self._session = session
        self.input_name = session.get_inputs()[0].name
        self.streams = streams
        self.takes_frames = device_letterbox and model_path is not None
        self._model_path = model_path
        self._fused: dict[tuple[int, int], ort.InferenceSession] = {}
        self._fused_lock = threading.Lock()

    @classmethod
    def load(cls, path: Path, settings: Settings) -> OnnxRuntimeBackend:
        """Create the session (slow: once, at start-up)."""
        providers = choose_providers(settings.execution_providers)
        plan = plan_threads(settings)
        if settings.inference_precision != "fp32":
            log.warning("inference precision %s is OpenVINO's: ONNX Runtime runs the model in fp32", settings.inference_precision)
        try:
            session = ort.InferenceSession(str(path), session_options(plan.threads_per_stream), providers=providers)
        except Exception as exc:  # onnxruntime raises several unrelated types for a bad file
            raise ModelUnavailable(f"cannot load pose model {path}: {exc}") from exc
        device_letterbox = settings.device_letterbox if settings.device_letterbox is not None else settings.on_gpu
        return cls(session, plan.streams, model_path=path, device_letterbox=device_letterbox)

    def infer(self, batch: np.ndarray) -> np.ndarray:
        (output,) = self._session.run(None, {self.input_name: batch})
        return output

    def infer_frames(self, frames: np.ndarray, box: Letterbox) -> np.ndarray:
        (candidates,) = self._fused_session(box).run(None, {FRAMES_INPUT: frames})
        return candidates

    def _fused_session(self, box: Letterbox) -> ort.InferenceSession:
        """The session for ``box``'s frame size: the model with its letterbox, built once per size."""
        size = (box.frame_width, box.frame_height)
        with self._fused_lock:
            session = self._fused.get(size)
            if session is None:
                import onnx

                graph = fused_model(onnx.load(str(self._model_path)), box)
                session = ort.InferenceSession(
                    graph.SerializeToString(), self._session.get_session_options(), providers=self._session.get_providers(),
                )
                self._fused[size] = session
                log.info("letterbox on the device for %dx%d frames (%s)", *size, ", ".join(session.get_providers()))
            return session

    @property
    def providers(self) -> list[str]:
        return self._session.get_providers()

    @property
    def threads(self) -> int:
        return self.streams * self._session.get_session_options().intra_op_num_threads
