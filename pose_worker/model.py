"""The ONNX Runtime session of the pose model and one-frame prediction."""
from __future__ import annotations

import logging
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


class PoseModel:
    """A loaded pose model with the decoding thresholds it is used with."""

    name = "yolo11n-pose"

    def __init__(self, session: ort.InferenceSession, settings: Settings) -> None:
        self._session = session
        self._input_name = session.get_inputs()[0].name
        self._size = settings.inference_size
        self._confidence = settings.confidence_threshold
        self._iou = settings.iou_threshold

    @classmethod
    def load(cls, settings: Settings) -> PoseModel:
        """Create the ONNX Runtime session (slow: call once, at start-up)."""
        path = settings.model_path or BUNDLED_MODEL
        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.inference_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises several unrelated types for a bad file
            raise ModelUnavailable(f"cannot load pose model {path}: {exc}") from exc
        log.info("loaded pose model %s", path)
        return cls(session, settings)

    def plan(self, frame_width: int, frame_height: int) -> Letterbox:
        return plan_letterbox(frame_width, frame_height, self._size)

    def predict(self, frame_bgr: np.ndarray, box: Letterbox) -> list[Person]:
        """People in one BGR frame, in frame pixels."""
        (output,) = self._session.run(None, {self._input_name: letterbox_frame(frame_bgr, box)})
        return decode_people(output[0], box, self._confidence, self._iou)
