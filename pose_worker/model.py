"""The pose model on its inference backend (pose_worker/backends/), and prediction for one frame or a batch."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from infra.settings import Settings
from pose_worker.backends import InferenceBackend, load_backend
from pose_worker.decode import Person, decode_people
from pose_worker.letterbox import Letterbox, letterbox_frame, plan_letterbox

log = logging.getLogger(__name__)

#: Providers that run the model on a GPU, where frames are worth sending in batches.
GPU_PROVIDERS = frozenset({"CUDAExecutionProvider", "TensorrtExecutionProvider"})
#: Frames per inference on a GPU when DANCE_BATCH_SIZE is 0 (auto); a CPU takes them one by one. On an
#: H200 with CUDA, batches of 8 ran the model at 1,111 frames/s, of 32 at 986, one by one at 260.
AUTO_GPU_BATCH = 8

#: The model shipped with the project (see docs/development.md for provenance and licence).
BUNDLED_MODEL = Path(__file__).resolve().parent / "models" / "yolo11n-pose.onnx"


class PoseModel:
    """A loaded pose model with the decoding thresholds it is used with."""

    name = "yolo11n-pose"

    def __init__(self, backend: InferenceBackend, settings: Settings) -> None:
        self._backend = backend
        self.threads = backend.threads
        #: Frames (or batches) worth inferring at once, each from its own thread.
        self.streams = backend.streams
        self._size = settings.inference_size
        self._confidence = settings.confidence_threshold
        self._iou = settings.iou_threshold
        on_gpu = bool(GPU_PROVIDERS & set(backend.providers))
        #: Frames per inference: DANCE_BATCH_SIZE, or with 0 (auto) 8 on a GPU and 1 on a CPU.
        self.batch_size = settings.batch_size or (AUTO_GPU_BATCH if on_gpu else 1)
        #: Whether the backend letterboxes decoded frames itself (DANCE_DEVICE_LETTERBOX): then the frame
        #: pipeline hands over frames as decoded, and ``detect`` takes them instead of letterboxed inputs.
        self.takes_frames = backend.takes_frames

    @classmethod
    def load(cls, settings: Settings) -> PoseModel:
        """Load the model into the backend ``DANCE_INFERENCE_BACKEND`` names (slow: call once, at start-up)."""
        path = settings.model_path or BUNDLED_MODEL
        backend = load_backend(path, settings)
        log.info("loaded pose model %s (input %d) with %s", path, settings.inference_size, backend.description)
        return cls(backend, settings)

    def plan(self, frame_width: int, frame_height: int) -> Letterbox:
        return plan_letterbox(frame_width, frame_height, self._size)

    def infer(self, tensor: np.ndarray) -> np.ndarray:
        """The raw model output ``[56, anchors]`` for one letterboxed input ``[1, 3, H, W]``."""
        return self._backend.infer(tensor)[0]

    def infer_batch(self, tensors: list[np.ndarray]) -> np.ndarray:
        """The raw outputs ``[N, 56, anchors]`` of N letterboxed inputs ``[1, 3, H, W]`` of one size, in one run."""
        return self._backend.infer(np.concatenate(tensors))

    def detect(self, tensor: np.ndarray, box: Letterbox) -> list[Person]:
        """People in one letterboxed input (or, where ``takes_frames``, one decoded frame), in frame pixels."""
        if self.takes_frames:
            return self.detect_batch([tensor], [box])[0]
        return decode_people(self.infer(tensor), box, self._confidence, self._iou)

    def detect_batch(self, tensors: list[np.ndarray], boxes: list[Letterbox]) -> list[list[Person]]:
        """People in each of several letterboxed inputs (or decoded frames) of one size, inferred together."""
        if self.takes_frames:
            outputs = self._backend.infer_frames(np.stack(tensors), boxes[0])
        elif len(tensors) == 1:
            return [self.detect(tensors[0], boxes[0])]
        else:
            outputs = self.infer_batch(tensors)
        return [decode_people(output, box, self._confidence, self._iou) for output, box in zip(outputs, boxes)]

    def predict(self, frame_bgr: np.ndarray, box: Letterbox) -> list[Person]:
        """People in one BGR frame, in frame pixels."""
        return self.detect(letterbox_frame(frame_bgr, box), box)
