"""Benchmark: pose worker speed on a 720p clip, against the model's inference-only limit.

``make bench-pose`` (``python -m bench.pose_speed``). In one run it measures:
- inference-only frames/s: ONNX Runtime on an already letterboxed 640x384 input, nothing else;
- the worker's end-to-end frames/s (decode, letterbox, inference, NMS, tracking, poses.json),
  without and with the overlay video;
- the fast mode (a smaller model input) and how well it agrees with the exact mode.
Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from common.settings import Settings
from pose_worker.pose_estimation import PoseOptions, estimate_poses
from pose_worker.model import PoseModel
from pose_worker.video import VideoReader
from tests.clips import make_clip

#: Sizes tried as the fast mode (the model takes any multiple of 32).
FAST_SIZES = (480, 416, 320)


def inference_only_fps(model: PoseModel, frame: np.ndarray, runs: int) -> float:
    from pose_worker.letterbox import letterbox_frame

    box = model.plan(frame.shape[1], frame.shape[0])
    tensor = letterbox_frame(frame, box)
    for _ in range(5):
        model.infer(tensor)
    started = time.perf_counter()
    for _ in range(runs):
        model.infer(tensor)
    return runs / (time.perf_counter() - started)


def end_to_end_fps(model: PoseModel, clip: Path, overlay: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        summary = estimate_poses(clip, Path(out), "bench", model, lambda _: None, options=PoseOptions(overlay=overlay))
        return summary.frames / (time.perf_counter() - started), summary.frames


def agreement(exact: PoseModel, fast: PoseModel, frames: list[np.ndarray]) -> tuple[float, float, float]:
    """Share of exact-mode people the fast mode also finds (box IoU >= 0.5), share of fast-mode
    people that are real, and the median keypoint offset relative to the person's box diagonal."""
    found = total_exact = matched_fast = total_fast = 0
    offsets: list[float] = []
    for frame in frames:
        a = exact.predict(frame, exact.plan(frame.shape[1], frame.shape[0]))
        b = fast.predict(frame, fast.plan(frame.shape[1], frame.shape[0]))
        total_exact, total_fast = total_exact + len(a), total_fast + len(b)
        used: set[int] = set()
        for person in a:
            ious = [(_iou(person.box, other.box), j) for j, other in enumerate(b) if j not in used]
            best = max(ious, default=(0.0, -1))
            if best[0] >= 0.5:
                used.add(best[1])
                found += 1
                other = b[best[1]]
                visible = (person.keypoints[:, 2] > 0.5) & (other.keypoints[:, 2] > 0.5)
                diagonal = float(np.hypot(person.box[2] - person.box[0], person.box[3] - person.box[1]))
                distance = np.linalg.norm(person.keypoints[visible, :2] - other.keypoints[visible, :2], axis=1)
                offsets.extend((distance / diagonal).tolist())
        matched_fast += len(used)
    return found / max(total_exact, 1), matched_fast / max(total_fast, 1), float(np.median(offsets)) if offsets else 0.0


def _iou(a, b) -> float:
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=200, help="inference-only repetitions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", seconds=args.seconds, size=(1280, 720), fps=30.0)
        with VideoReader(clip) as video:
            frames = [frame.image for frame in video]
        exact = PoseModel.load(Settings())
        print(f"720p clip, {len(frames)} frames; model input 640x384; {exact.threads} ORT threads")
        limit = inference_only_fps(exact, frames[0], args.runs)
        e2e, _ = end_to_end_fps(exact, clip, overlay=False)
        e2e_overlay, _ = end_to_end_fps(exact, clip, overlay=True)
        print(f"  inference only           {limit:7.1f} frames/s")
        print(f"  worker end to end        {e2e:7.1f} frames/s  ({e2e / limit:.2f} of inference-only)")
        print(f"  ... with overlay video   {e2e_overlay:7.1f} frames/s  ({e2e_overlay / limit:.2f})")
        sample = frames[:: max(len(frames) // 30, 1)]
        for size in FAST_SIZES:
            fast = PoseModel.load(Settings(inference_size=size))
            fast_limit = inference_only_fps(fast, frames[0], args.runs)
            fast_e2e, _ = end_to_end_fps(fast, clip, overlay=False)
            recall, precision, offset = agreement(exact, fast, sample)
            box = fast.plan(1280, 720)
            print(
                f"  fast mode {box.input_width}x{box.input_height}: inference {fast_limit:6.1f} f/s, end to end {fast_e2e:6.1f} f/s; "
                f"finds {recall:.0%} of exact-mode people, {precision:.0%} of its people are exact-mode ones, "
                f"median keypoint offset {offset:.1%} of the box diagonal"
            )


if __name__ == "__main__":
    main()
