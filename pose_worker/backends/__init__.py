"""Inference backends: the bundled ONNX pose model run by ONNX Runtime or by OpenVINO Runtime.

Both read the same ``.onnx`` file and give the same raw output to within rounding (``float32``);
``PoseModel.load`` picks one with ``DANCE_INFERENCE_BACKEND``. Each backend lives in its own
module, imported only when chosen, so a worker never loads the runtime it does not use.
"""
from __future__ import annotations

from pathlib import Path

from infra.settings import Settings
from pose_worker.backends.base import InferenceBackend

__all__ = ["BACKENDS", "InferenceBackend", "load_backend"]

#: The values ``DANCE_INFERENCE_BACKEND`` takes.
BACKENDS = ("onnxruntime", "openvino")


def load_backend(path: Path, settings: Settings) -> InferenceBackend:
    """The backend ``settings.inference_backend`` names, with the model at ``path`` loaded (slow: once)."""
    if settings.inference_backend == "openvino":
        from pose_worker.backends.openvino_backend import OpenVinoBackend

        return OpenVinoBackend.load(path, settings)
    from pose_worker.backends.onnxruntime_backend import OnnxRuntimeBackend

    return OnnxRuntimeBackend.load(path, settings)
