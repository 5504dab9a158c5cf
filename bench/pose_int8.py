"""Benchmark: the pose model quantised to int8, against fp32 (exact) and bf16 (fast), speed and agreement.

``python -m bench.pose_int8`` (``make bench-pose`` runs it). Two quantisers, each used where it is
installed (neither is a dependency of the project; the bench skips what is missing and says so):
- ONNX Runtime's ``quantize_static`` (needs the ``onnx`` package): QDQ, int8 weights per channel,
  uint8 activations, min-max calibration; run on ONNX Runtime and on OpenVINO;
- NNCF (``pip install nncf``) on the OpenVINO model, as Ultralytics' int8 export does it.
Both leave the model's last layers (the box, class and keypoint heads and their decoding) in
float, quantise Conv/MatMul only, and calibrate on the photos in ``../shared/media`` at random
scales and places (``calibration_inputs``): nothing is downloaded. The quantised models live in a
temporary folder and are thrown away: measured here, int8 loses to bf16 on speed and accuracy
(docs/performance.md, "Speed and scale"), so the worker ships none.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
from pathlib import Path

import cv2
import numpy as np

from bench.pose_clips import make_bench_clips
from bench.pose_speed import Mode, agreement_by_clip
from bench.pose_timing import end_to_end_timer, inference_timer, interleaved, per_second
from infra.settings import Settings
from pose_worker.letterbox import letterbox_frame, plan_letterbox
from pose_worker.model import BUNDLED_MODEL, PoseModel
from pose_worker.video import VideoReader
from tests.clips import load_photo, make_clip

#: Calibration inputs: enough for stable activation ranges, few enough to calibrate in a minute.
CALIBRATION_INPUTS = 64
#: Nodes of the head (``/model.23/``) left in float, but for its inner convolutions (``cv*.*.0/1``).
HEAD = "/model.23/"


def calibration_inputs(count: int = CALIBRATION_INPUTS, size: int = 640, seed: int = 0) -> list[np.ndarray]:
    """Letterboxed inputs of the photos, flipped, scaled 0.15-1.2x and placed at random on plain frames
    of the three shapes the benchmark uses."""
    rng = np.random.default_rng(seed)
    photos = [load_photo(name) for name in ("zidane.jpg", "bus.jpg")]
    shapes = ((1280, 720), (720, 1280), (1920, 1080))
    inputs = []
    for i in range(count):
        photo = photos[i % 2][:, ::-1] if rng.random() < 0.5 else photos[i % 2]
        scale = rng.uniform(0.15, 1.2)
        image = cv2.resize(photo, None, fx=scale, fy=scale)
        width, height = shapes[i % 3]
        frame = np.full((height, width, 3), rng.integers(0, 200), np.uint8)
        x, y = rng.integers(0, max(width - image.shape[1], 0) + 1), rng.integers(0, max(height - image.shape[0], 0) + 1)
        crop = image[: height - y, : width - x]
        frame[y : y + crop.shape[0], x : x + crop.shape[1]] = crop
        inputs.append(letterbox_frame(frame, plan_letterbox(width, height, size)))
    return inputs


def quantize_with_onnxruntime(source: Path, target: Path) -> Path:
    """QDQ int8 model at ``target``, head in float."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = target.with_suffix(".prepared.onnx")
    quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    head = [
        node.name
        for node in onnx.load(str(prepared)).graph.node
        if node.name.startswith(HEAD) and not (node.op_type == "Conv" and any(f".{k}/Conv" in node.name for k in ("0/conv", "1/conv")))
    ]

    class Inputs(CalibrationDataReader):
        def __init__(self) -> None:
            self._inputs = iter(calibration_inputs())

        def get_next(self) -> dict | None:
            tensor = next(self._inputs, None)
            return None if tensor is None else {"images": tensor}

    quantize_static(
        str(prepared), str(target), Inputs(), quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["Conv", "MatMul"], nodes_to_exclude=head,
    )
    return target


def quantize_with_nncf(source: Path, target: Path) -> Path:
    """OpenVINO IR (``.xml`` + ``.bin``) with int8 weights and activations, head in float."""
    import nncf
    import openvino as ov

    head = nncf.IgnoredScope(
        patterns=[rf"{HEAD}.*(Add|Sub|Mul|Div).*", rf"{HEAD}dfl.*"], types=["Sigmoid"], validate=False
    )
    model = ov.Core().read_model(str(source))
    quantized = nncf.quantize(
        model, nncf.Dataset(calibration_inputs()), preset=nncf.QuantizationPreset.MIXED, ignored_scope=head,
        subset_size=CALIBRATION_INPUTS,
    )
    ov.save_model(quantized, str(target))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each agreement clip")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-int8-") as tmp:
        folder = Path(tmp)
        chosen = [Mode("exact", Settings(speed="exact")), Mode("fast", Settings(speed="fast"))]
        if importlib.util.find_spec("onnx"):
            qdq = quantize_with_onnxruntime(BUNDLED_MODEL, folder / "int8-qdq.onnx")
            chosen.append(Mode("int8 qdq, ort", Settings(speed="exact", model_path=qdq)))
            chosen.append(Mode("int8 qdq, openvino", Settings(speed="exact", inference_backend="openvino", model_path=qdq)))
        else:
            print("pose_int8: ONNX Runtime's quantiser skipped, the onnx package is not installed (pip install onnx)")
        if importlib.util.find_spec("nncf"):
            ir = quantize_with_nncf(BUNDLED_MODEL, folder / "int8-nncf.xml")
            chosen.append(Mode("int8 nncf, openvino", Settings(speed="exact", inference_backend="openvino", model_path=ir)))
        else:
            print("pose_int8: NNCF skipped, it is not installed (pip install nncf)")
        if len(chosen) == 2:
            return
        models = {mode.label: PoseModel.load(mode.settings) for mode in chosen}
        clip = make_clip(folder / "speed.mp4", seconds=1.0, size=(1280, 720))
        with VideoReader(clip) as video:
            first = next(iter(video)).image
        timers = {}
        for label, model in models.items():
            timers[(label, "inference")] = inference_timer(model, letterbox_frame(first, model.plan(1280, 720)))
            timers[(label, "end to end")] = end_to_end_timer(model, clip, 30)
        seconds = interleaved(timers, 3, args.rounds)
        inference = {label: seconds[(label, "inference")] for label in models}
        end_to_end = {label: seconds[(label, "end to end")] for label in models}
        agreement = agreement_by_clip(models, make_bench_clips(folder, seconds=args.seconds), reference="exact")
    print(f"int8 against exact and fast: 720p, 640 input, {args.rounds} rounds interleaved; agreement on {args.seconds:g} s clips")
    print(f"{'mode':20s} {'inference f/s':>14s} {'x exact':>15s} {'e2e f/s':>8s} {'x exact':>15s}   count agreement / mean keypoint error per clip")
    for mode in chosen:
        inf, e2e = per_second(inference[mode.label]), per_second(end_to_end[mode.label])
        inf_x = " ".join(f"{a / b:.2f}" for a, b in zip(inf, per_second(inference["exact"])))
        e2e_x = " ".join(f"{a / b:.2f}" for a, b in zip(e2e, per_second(end_to_end["exact"])))
        cells = "  ".join(f"{a.count_agreement:.3f}/{a.keypoint_error_px:.2f}px" for a in agreement[mode.label].values())
        print(f"{mode.label:20s} {statistics.median(inf):14.1f} {inf_x:>15s} {statistics.median(e2e):8.1f} {e2e_x:>15s}   {cells}")


if __name__ == "__main__":
    main()
