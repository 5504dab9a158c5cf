"""GPU batching: frames/s of the pose model with ONNX Runtime's CUDA provider, batch 1, 8 and 32.

Two figures per batch size, fp32 and fp16 (the bundled model converted at run time, inputs and
outputs kept float32):

- model only: ``session.run`` on real letterboxed 720p frames (host to device and back included);
- end to end: what a worker does, ``estimate_poses`` on a 720p clip (decode, letterbox in
  ``prepare_threads`` threads, infer in batches, decode people, track, write poses.json; no overlay).

Needs ``onnxruntime-gpu`` and an NVIDIA GPU; without them it says so and measures nothing.
``python -m bench.gpu_batching [--seconds 60] [--batches 1,8,32]``
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from infra.settings import Settings
from pose_worker.frame_pipeline import FramePipeline
from pose_worker.letterbox import letterbox_frame, plan_letterbox
from pose_worker.model import BUNDLED_MODEL, PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses, prepare_threads_for
from pose_worker.video import VideoReader
from tests.clips import load_photo, make_clip

CUDA = "CUDAExecutionProvider"
#: Model-only timing: warm-up runs, then runs for at least this long.
WARM_UP_RUNS = 5
MODEL_ONLY_S = 3.0


def fp16_copy(model: Path, out: Path) -> Path:
    """The model with float16 weights and arithmetic, float32 at its input and output."""
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    onnx.save(convert_float_to_float16(onnx.load(str(model)), keep_io_types=True), str(out))
    return out


def model_only_fps(model_path: Path, batch: int, frame: np.ndarray) -> float:
    settings = Settings(model_path=model_path, execution_providers=f"{CUDA},CPUExecutionProvider", batch_size=batch)
    model = PoseModel.load(settings)
    height, width = frame.shape[:2]
    tensors = [letterbox_frame(frame, model.plan(width, height))] * batch
    for _ in range(WARM_UP_RUNS):
        model.infer_batch(tensors)
    runs, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < MODEL_ONLY_S:
        model.infer_batch(tensors)
        runs += 1
    return runs * batch / elapsed


def end_to_end_fps(model_path: Path, batch: int, clip: Path, providers: str, work: Path, warm_up: Path) -> tuple[float, int]:
    settings = Settings(model_path=model_path, execution_providers=providers, batch_size=batch)
    model = PoseModel.load(settings)
    out = work / f"run-{batch}-{model_path.stem}-{providers[:4]}"
    out.mkdir()
    # A short warm-up clip first: CUDA kernels and cuDNN's algorithm search are one-off costs.
    estimate_poses(warm_up, out, "warm-up", model, lambda done: None, options=PoseOptions(overlay=False))
    started = time.perf_counter()
    summary = estimate_poses(clip, out, "bench", model, lambda done: None, options=PoseOptions(overlay=False))
    return summary.frames / (time.perf_counter() - started), summary.frames


def decode_fps(clip: Path) -> float:
    """Frames/s of decoding alone: the ceiling of everything after it."""
    started, frames = time.perf_counter(), 0
    with VideoReader(clip) as video:
        for _ in video:
            frames += 1
    return frames / (time.perf_counter() - started)


def prepared_fps(clip: Path, threads: int) -> float:
    """Frames/s of decoding and letterboxing (``threads`` letterbox at once), without inference."""
    started, frames = time.perf_counter(), 0
    with VideoReader(clip) as video, FramePipeline(video, lambda w, h: plan_letterbox(w, h, 640), prepare_threads=threads) as pipeline:
        for _ in pipeline:
            frames += 1
    return frames / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the 720p clip at 30 fps")
    parser.add_argument("--batches", default="1,8,16,32")
    parser.add_argument("--cpu-seconds", type=float, default=5.0, help="clip length for the CPU baseline")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    if hasattr(ort, "preload_dlls"):
        ort.preload_dlls()  # CUDA and cuDNN from the nvidia-* wheels, where they are installed
    if CUDA not in ort.get_available_providers():
        print(f"no {CUDA} in this onnxruntime ({ort.__version__}): install onnxruntime-gpu on a machine with a GPU")
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fp16 = fp16_copy(BUNDLED_MODEL, work / "yolo11n-pose-fp16.onnx")
        frame = load_photo("bus.jpg")
        frame = np.ascontiguousarray(np.resize(frame, (720, 1280, 3)))
        clip = make_clip(work / "dance-720p.mp4", seconds=args.seconds, size=(1280, 720))
        short = make_clip(work / "dance-720p-short.mp4", seconds=args.cpu_seconds, size=(1280, 720))
        warm_up = make_clip(work / "warm-up.mp4", seconds=2.0, size=(1280, 720))
        print(f"onnxruntime {ort.__version__}, providers {ort.get_available_providers()}, {os.cpu_count()} CPU cores")
        print(f"clip: 1280x720, {args.seconds:g} s at 30 fps (mp4v); model input 640x384 (letterboxed)")
        print(f"decode only: {decode_fps(clip):8.1f} frames/s; decode + letterbox: "
              + ", ".join(f"{prepared_fps(clip, n):.1f} ({n} threads)" for n in (1, 4, 8)), flush=True)
        cpu_fps, _ = end_to_end_fps(BUNDLED_MODEL, 1, short, "CPUExecutionProvider", work, warm_up)
        print(f"CPU provider, batch 1, end to end: {cpu_fps:8.1f} frames/s  ({args.cpu_seconds:g} s clip)")
        print(f"{'model':6} {'batch':>5} {'model only f/s':>15} {'end to end f/s':>15} {'prepare threads':>16}")
        for name, path in (("fp32", BUNDLED_MODEL), ("fp16", fp16)):
            for batch in batches:
                only = model_only_fps(path, batch, frame)
                e2e, frames = end_to_end_fps(path, batch, clip, f"{CUDA},CPUExecutionProvider", work, warm_up)
                print(f"{name:6} {batch:5d} {only:15.1f} {e2e:15.1f} {prepare_threads_for(batch):16d}", flush=True)
        print(f"(end to end over {frames} frames; ratios against the CPU line above are on this machine only)")


if __name__ == "__main__":
    main()
