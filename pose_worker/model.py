"""The ONNX Runtime session of the pose model and one-frame prediction."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from common.errors import ModelUnavailable
from common.settings import Settings
from pose_worker.decode import Person, decode_people
from pose_worker.letterbox import Letterbox, letterbox_frame, plan_letterbox

log = logging.getLogger(__name__)

#: The model shipped with the project (see README for provenance and licence).
BUNDLED_MODEL = Path(__file__).resolve().parent / "models" / "yolo11n-pose.onnx"


def session_options(settings: Settings) -> ort.SessionOptions:
    """One intra-op thread per core, no inter-op pool, and no spinning.

    Spinning threads would burn the core the frame decoder runs on while they wait.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = settings.inference_threads or (os.cpu_count() or 1)
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


class PoseModel:
    """A loaded pose model with the decoding thresholds it is used with."""

    name = "yolo11n-pose"

    def __init__(self, session: ort.InferenceSession, settings: Settings) -> None:
        self._session = session
        self._input_name = session.get_inputs()[0].name
        self.threads = session.get_session_options().intra_op_num_threads
        self._size = settings.inference_size
        self._confidence = settings.confidence_threshold
        self._iou = settings.iou_threshold

    @classmethod
    def load(cls, settings: Settings) -> PoseModel:
        """Create the ONNX Runtime session (slow: call once, at start-up)."""
        path = settings.model_path or BUNDLED_MODEL
        providers = choose_providers(settings.execution_providers)
        try:
            session = ort.InferenceSession(str(path), session_options(settings), providers=providers)
        except Exception as exc:  # onnxruntime raises several unrelated types for a bad file
            raise ModelUnavailable(f"cannot load pose model {path}: {exc}") from exc
        log.info("loaded pose model %s with %s", path, ", ".join(session.get_providers()))
        return cls(session, settings)

    def plan(self, frame_width: int, frame_height: int) -> Letterbox:
        return plan_letterbox(frame_width, frame_height, self._size)

    def infer(self, tensor: np.ndarray) -> np.ndarray:
        """The raw model output ``[56, anchors]`` for one letterboxed input ``[1, 3, H, W]``."""
        (output,) = self._session.run(None, {self._input_name: tensor})
        return output[0]

    def detect(self, tensor: np.ndarray, box: Letterbox) -> list[Person]:
        """People in one letterboxed input, in original frame pixels."""
        return decode_people(self.infer(tensor), box, self._confidence, self._iou)

    def predict(self, frame_bgr: np.ndarray, box: Letterbox) -> list[Person]:
        """People in one BGR frame, in frame pixels."""
        return self.detect(letterbox_frame(frame_bgr, box), box)
