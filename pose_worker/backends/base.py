"""What every inference backend offers: raw model output for a batch of letterboxed frames."""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from pose_worker.letterbox import Letterbox

#: The input's name in the bundled model (Ultralytics' export names it so).
INPUT_NAME = "images"


class InferenceBackend(ABC):
    """One loaded model. ``infer`` keeps the batch dimension, so batching works on every backend;
    ``PoseModel`` calls ``infer``, ``providers`` and ``threads`` and does not care which runtime runs."""

    input_name = INPUT_NAME
    #: Calls to ``infer`` worth making at once, from as many threads (pose_worker/backends/thread_plan.py).
    streams = 1

    @abstractmethod
    def infer(self, batch: np.ndarray) -> np.ndarray:
        """The raw output ``[N, 56, anchors]`` float32 for letterboxed inputs ``[N, 3, H, W]`` float32."""

    #: Whether ``infer_frames`` takes decoded frames and letterboxes them itself (on the device).
    takes_frames = False

    def infer_frames(self, frames: np.ndarray, box: Letterbox) -> np.ndarray:
        """Candidates ``[N, 56, k]`` for decoded BGR frames ``[N, H, W, 3]`` uint8 of ``box``'s frame size,
        letterboxed by the backend (``pose_worker/backends/fused_graph.py``); only where ``takes_frames``."""
        raise NotImplementedError(f"{type(self).__name__} takes letterboxed inputs only")

    @property
    @abstractmethod
    def providers(self) -> list[str]:
        """What runs the model, most preferred first (ONNX Runtime's provider names, or ``OpenVINO:CPU``)."""

    @property
    @abstractmethod
    def threads(self) -> int:
        """Threads all streams use together."""

    @property
    def description(self) -> str:
        """One line for the logs: runtime, device and the settings that matter for speed."""
        return f"{type(self).__name__} on {', '.join(self.providers)}, {self.threads} threads in {self.streams} streams"
