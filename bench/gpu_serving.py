"""Benchmark: a GPU worker's frames/s, one job at a time and several jobs sharing the GPU, beside Ultralytics.

``python -m bench.gpu_serving [--seconds 60] [--jobs 4 8] [--ultralytics]``, on a machine whose onnxruntime
has the CUDA provider (the onnxruntime-gpu package). On the 60 s 1280x720 clip of ``tests.clips.make_clip``:

- this project end to end (``estimate_poses``: decode, letterbox, model, tracking, poses.json; no overlay) at
  batch 1, 8, 16 and 32, with the letterbox on the host and on the device (``DANCE_DEVICE_LETTERBOX``);
- the aggregate of N concurrent jobs, each in its own process as ``DANCE_WORKERS_PER_GPU`` runs them, with
  every job's own rate (none may starve);
- with ``--ultralytics`` (when importable), Ultralytics' ``predict`` at batch 1, 8, 16 and 32 on the same
  clip and weights, and the agreement of its poses with ours (people counted alike, keypoints apart).

Prints the single job's best rate over Ultralytics' best batch. Without a GPU it says so and exits 0: the
CPU figures come from ``make bench-pose``. Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CUDA = "CUDAExecutionProvider"
BATCHES = (1, 8, 16, 32)


@dataclass(frozen=True)
class Run:
    label: str
    frames: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.frames / self.seconds


def gpu_available() -> tuple[bool, str]:
    import onnxruntime as ort

    providers = ort.get_available_providers()
    if CUDA not in providers:
        return False, f"this onnxruntime ({ort.__version__}) has no {CUDA}: its providers are {', '.join(providers)}"
    return True, ""


def settings_for(batch: int, device_letterbox: bool):
    from infra.settings import Settings

    return Settings(execution_providers=f"{CUDA},CPUExecutionProvider", batch_size=batch, device_letterbox=device_letterbox)


def one_job(clip: Path, batch: int, device_letterbox: bool, out: Path) -> Run:
    from pose_worker.model import PoseModel
    from pose_worker.pose_estimation import PoseOptions, estimate_poses

    model = PoseModel.load(settings_for(batch, device_letterbox))
    started = time.perf_counter()  # a whole job is the measure: the first batches' CUDA set-up belongs to it too
    summary = estimate_poses(clip, out, "bench", model, lambda _: None, options=PoseOptions(overlay=False))
    where = "device" if device_letterbox else "host"
    return Run(f"batch {batch:>2}, letterbox on the {where}", summary.frames, time.perf_counter() - started)


def _job_in_process(clip: str, batch: int, out: str, results) -> None:
    run = one_job(Path(clip), batch, True, Path(out))
    results.put((run.frames, run.seconds))


def concurrent_jobs(clip: Path, count: int, batch: int, folder: Path) -> tuple[Run, list[float]]:
    """``count`` jobs at once, each in its own process (as DANCE_WORKERS_PER_GPU runs them)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = []
    for index in range(count):
        out = folder / f"job{index}"
        out.mkdir()
        processes.append(context.Process(target=_job_in_process, args=(str(clip), batch, str(out), results)))
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    wall = time.perf_counter() - started
    runs = [results.get() for _ in processes]
    return Run(f"{count} jobs at once", sum(frames for frames, _ in runs), wall), [frames / seconds for frames, seconds in runs]


def ultralytics_runs(clip: Path, weights: Path) -> list[tuple[Run, list]]:
    from ultralytics import YOLO  # only with --ultralytics

    model = YOLO(str(weights), task="pose")
    runs = []
    for batch in BATCHES:
        started, frames, poses = time.perf_counter(), 0, []
        for result in model.predict(str(clip), batch=batch, stream=True, verbose=False, device=0):
            frames += 1
            poses.append(result.keypoints.xy.cpu().numpy() if result.keypoints is not None else np.zeros((0, 17, 2)))
        runs.append((Run(f"Ultralytics batch {batch:>2}", frames, time.perf_counter() - started), poses))
    return runs


def agreement(ours: Path, theirs: list) -> tuple[float, float]:
    """Share of frames with the same number of people, and the mean keypoint distance (px) where they match."""
    frames = json.loads(ours.read_text())["frames"]
    same, distances = 0, []
    for frame, their_people in zip(frames, theirs):
        mine = np.array([np.array(p["keypoints"])[:, :2] for p in frame["people"]]).reshape(-1, 17, 2)
        if len(mine) != len(their_people):
            continue
        same += 1
        for pose in mine:
            if len(their_people):
                distances.append(float(np.min(np.linalg.norm(their_people - pose, axis=-1).mean(axis=-1))))
    return same / max(len(frames), 1), float(np.mean(distances)) if distances else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the 1280x720 clip")
    parser.add_argument("--jobs", type=int, nargs="*", default=[4, 8], help="concurrent jobs for the aggregate")
    parser.add_argument("--ultralytics", action="store_true", help="also time Ultralytics' predict (when importable)")
    args = parser.parse_args()
    available, why = gpu_available()
    if not available:
        print(f"No GPU to measure: {why}. The CPU figures are `make bench-pose`'s.")
        return
    from pose_worker.model import BUNDLED_MODEL
    from tests.clips import make_clip

    with tempfile.TemporaryDirectory(prefix="gpu-serving-") as tmp:
        folder = Path(tmp)
        clip = make_clip(folder / "clip.mp4", seconds=args.seconds, size=(1280, 720), fps=30.0)
        print(f"GPU serving on a {args.seconds:g} s 1280x720 clip, overlay off")
        singles = []
        for device_letterbox in (False, True):
            for batch in BATCHES:
                out = folder / f"single-{batch}-{device_letterbox}"
                out.mkdir()
                singles.append((one_job(clip, batch, device_letterbox, out), out))
                print(f"  {singles[-1][0].label:<40} {singles[-1][0].rate:8.0f} frames/s")
        best, best_out = max(singles, key=lambda item: item[0].rate)
        for count in args.jobs:
            (folder / f"jobs{count}").mkdir()
            run, rates = concurrent_jobs(clip, count, 8, folder / f"jobs{count}")
            print(f"  {run.label:<40} {run.rate:8.0f} frames/s in all; each job {min(rates):.0f}-{max(rates):.0f} frames/s")
        if args.ultralytics:
            try:
                theirs = ultralytics_runs(clip, BUNDLED_MODEL)
            except ImportError:
                print("  Ultralytics is not importable here: --ultralytics skipped")
                return
            for run, _ in theirs:
                print(f"  {run.label:<40} {run.rate:8.0f} frames/s")
            top, top_poses = max(theirs, key=lambda item: item[0].rate)
            counted, apart = agreement(best_out / "poses.json", top_poses)
            print(f"  best single job / Ultralytics' best: {best.rate / top.rate:.2f}x ({best.label} vs {top.label}); "
                  f"people counted alike in {counted:.3f} of frames, keypoints {apart:.2f} px apart")


if __name__ == "__main__":
    main()
