"""What every inference backend offers: raw model output for a batch of letterboxed frames."""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

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
