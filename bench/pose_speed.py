"""Benchmark: the pose worker's speed per backend and mode, and how far each agrees with the exact mode.

``make bench-pose`` (``python -m bench.pose_speed``). For every mode (backend, precision, model
input size) it prints, in one run with the modes interleaved (``bench.pose_timing``):
- inference-only frames/s: the model on an already letterboxed 720p frame, nothing else, with as
  many frames at once as the mode has streams (``xN`` after its input size);
- end-to-end frames/s: the worker's pose stage on a 720p clip (decode, letterbox, inference,
  people, tracking, poses.json; no overlay), its ratio to inference-only and to the exact mode;
- agreement with the exact mode (ONNX Runtime, fp32, 640) on four clips (``bench.pose_clips``):
  the share of frames with the same number of people, and the mean distance of the confident
  keypoints of the same people, in frame pixels (``bench.pose_agreement``).
Figures only, never a gate. ``bench.ultralytics_side_by_side`` compares with Ultralytics itself.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.pose_agreement import Agreement, compare_people
from bench.pose_clips import make_bench_clips
from bench.pose_timing import end_to_end_timer, inference_timer, interleaved, per_second
from infra.settings import Settings
from pose_worker.backends.thread_plan import plan_threads
from pose_worker.letterbox import letterbox_frame
from pose_worker.model import PoseModel
from pose_worker.video import VideoReader
from tests.clips import make_clip

#: Model input sizes tried below 640 (the model takes any multiple of 32).
SMALLER_SIZES = (512, 480, 416, 384, 320)


@dataclass(frozen=True)
class Mode:
    label: str
    settings: Settings

    @property
    def spec(self) -> str:
        s = self.settings
        return f"{s.inference_backend} {s.inference_precision} {s.inference_size} x{plan_threads(s).streams}"


def modes(sizes: tuple[int, ...]) -> list[Mode]:
    """Exact and fast as ``DANCE_SPEED`` sets them, each also one frame at a time (one stream with
    every thread, as before streams), exact's twin on OpenVINO, then each smaller input."""
    chosen = [
        Mode("exact", Settings(speed="exact")),
        Mode("exact 1 stream", Settings(speed="exact", inference_streams=1)),
        Mode("exact-openvino", Settings(speed="exact", inference_backend="openvino")),
        Mode("fast", Settings(speed="fast")),
        Mode("fast 1 stream", Settings(speed="fast", inference_streams=1)),
    ]
    for size in sizes:
        chosen.append(Mode(f"onnxruntime {size}", Settings(speed="exact", inference_size=size)))
        chosen.append(Mode(f"fast {size}", Settings(speed="fast", inference_size=size)))
    return chosen


def cpu_line() -> str:
    flags: set[str] = set()
    name = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    has = [flag for flag in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16") if flag in flags]
    return f"{name}, {os.cpu_count()} cores, {' '.join(has)}; load average {os.getloadavg()[0]:.1f}"


def agreement_by_clip(models: dict[str, PoseModel], clips: dict[str, Path], reference: str) -> dict[str, dict[str, Agreement]]:
    """mode -> clip -> agreement with the reference mode's people, frame by frame."""
    result: dict[str, dict[str, Agreement]] = {label: {} for label in models}
    for clip, path in clips.items():
        with VideoReader(path) as video:
            frames = [frame.image for frame in video]
        people = {}
        for label, model in models.items():
            box = model.plan(frames[0].shape[1], frames[0].shape[0])
            people[label] = [model.predict(frame, box) for frame in frames]
        for label in models:
            result[label][clip] = compare_people(people[reference], people[label])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each agreement clip")
    parser.add_argument(
        "--repeats", type=int, default=3, help="turns per mode and round: 5 inference-only calls, one end-to-end run of a 1 s clip"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SMALLER_SIZES)), help="smaller inputs to try, comma-separated")
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(",") if size.strip())
    chosen = modes(sizes)
    print(cpu_line())
    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp:
        folder = Path(tmp)
        speed_clip = make_clip(folder / "speed.mp4", seconds=1.0, size=(1280, 720), fps=30.0)
        with VideoReader(speed_clip) as video:
            speed_frames = [frame.image for frame in video]
        models = {mode.label: PoseModel.load(mode.settings) for mode in chosen}
        timers = {}
        for label, model in models.items():
            box = model.plan(1280, 720)
            timers[(label, "inference")] = inference_timer(model, letterbox_frame(speed_frames[0], box))
            timers[(label, "end to end")] = end_to_end_timer(model, speed_clip, len(speed_frames))
        # One interleaving for both, so that the ratio of the two is taken under the same load.
        fps = {key: per_second(seconds) for key, seconds in interleaved(timers, args.repeats, args.rounds).items()}
        inference = {label: fps[(label, "inference")] for label in models}
        end_to_end = {label: fps[(label, "end to end")] for label in models}
        print(f"\nSpeed: 720p, {args.rounds} rounds (median of each, then every round's figure); modes interleaved")
        print(f"{'mode':16s} {'backend precision input':27s} {'inference-only f/s':>24s} {'end-to-end f/s':>24s} {'e2e/inf':>7s} {'e2e x exact (each round)':>26s}")
        for mode in chosen:
            inf, e2e = inference[mode.label], end_to_end[mode.label]
            vs_exact = [a / b for a, b in zip(e2e, end_to_end["exact"])]
            print(
                f"{mode.label:16s} {mode.spec:27s} {_figures(inf):>24s} {_figures(e2e):>24s} "
                f"{statistics.median(e2e) / statistics.median(inf):7.2f} {' '.join(f'{r:4.2f}' for r in vs_exact):>26s}"
            )
        clips = make_bench_clips(folder, seconds=args.seconds)
        agreement = agreement_by_clip(models, clips, reference="exact")
        print(f"\nAgreement with exact: share of frames with as many people / mean keypoint error (px) of the same people, {args.seconds:g} s clips")
        print(f"{'mode':16s} " + " ".join(f"{clip:>22s}" for clip in clips))
        for mode in chosen:
            cells = [f"{a.count_agreement:5.3f} / {a.keypoint_error_px:5.2f} px" for a in agreement[mode.label].values()]
            print(f"{mode.label:16s} " + " ".join(f"{cell:>22s}" for cell in cells))
    print(f"\n{cpu_line()}")


def _figures(values: list[float]) -> str:
    return f"{statistics.median(values):5.1f} [" + " ".join(f"{v:.1f}" for v in values) + "]"


if __name__ == "__main__":
    main()
