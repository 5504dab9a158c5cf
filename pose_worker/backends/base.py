"""What every inference backend offers: raw model output for a batch of letterboxed frames."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

#: The input's name in the bundled model (Ultralytics' export names it so).
INPUT_NAME = "images"


@dataclass(frozen=True)
class InputInfo:
    name: str


@dataclass(frozen=True)
class ThreadOptions:
    intra_op_num_threads: int


class InferenceBackend(ABC):
    """One loaded model. ``infer`` keeps the batch dimension, so batching works on every backend.

    ``PoseModel`` was written against ``onnxruntime.InferenceSession`` and calls four of its
    methods (``run``, ``get_inputs``, ``get_providers``, ``get_session_options``); every backend
    offers those too, built on ``infer``, so the model code does not care which runtime it drives.
    """

    input_name = INPUT_NAME

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
        """Threads one inference uses."""

    @property
    def description(self) -> str:
        """One line for the logs: runtime, device and the settings that matter for speed."""
        return f"{type(self).__name__} on {', '.join(self.providers)}, {self.threads} threads"

    # --- the slice of onnxruntime.InferenceSession that PoseModel calls -----------------------
    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [self.infer(feeds[self.input_name])]

    def get_inputs(self) -> list[InputInfo]:
        return [InputInfo(self.input_name)]

    def get_providers(self) -> list[str]:
        return list(self.providers)

    def get_session_options(self) -> ThreadOptions:
        return ThreadOptions(self.threads)
