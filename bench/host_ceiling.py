"""Benchmark: how many frames/s a GPU worker's host side can feed, whatever the GPU.

``python -m bench.host_ceiling [--seconds 10] [--batch 8]``. The worker's pose stage
(``estimate_poses``: decode, letterbox in threads, batches, people, tracking, poses.json; no
overlay) runs on a 720p clip with the model replaced by a replay of its real outputs (recorded
once on the CPU), so the figure is the ceiling a GPU worker on this host meets when inference
costs nothing: where a GPU runs the model faster than this, the host is the limit. Also prints
decoding alone, and the main thread's CPU time per frame (tracking and writing, which no extra
thread can share), once with the letterbox on the host's threads and once with it on the device
(``DANCE_DEVICE_LETTERBOX``: the replay then takes decoded frames and answers with the letterboxed graph's
candidates). Runs anywhere (no GPU needed). Figures only, never a gate.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from infra.settings import Settings
from pose_worker.backends.base import InferenceBackend
from pose_worker.letterbox import letterbox_frame
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions, estimate_poses, prepare_threads_for
from pose_worker.video import VideoReader
from tests.clips import make_clip

#: Distinct recorded outputs replayed in turn.
RECORDED_FRAMES = 16


class ReplayBackend(InferenceBackend):
    """Answers every batch at once with recorded outputs of the real model, as a GPU provider would; with
    ``takes_frames``, takes decoded frames and answers with the letterboxed graph's recorded candidates."""

    def __init__(self, outputs: list[np.ndarray], takes_frames: bool = False) -> None:
        self._outputs = outputs
        self._next = 0
        self.takes_frames = takes_frames

    def infer(self, batch: np.ndarray) -> np.ndarray:
        picked = [self._outputs[(self._next + k) % len(self._outputs)] for k in range(batch.shape[0])]
        self._next += batch.shape[0]
        return np.stack(picked)

    def infer_frames(self, frames: np.ndarray, box) -> np.ndarray:
        return self.infer(frames)

    @property
    def providers(self) -> list[str]:
        return ["replay (as CUDAExecutionProvider)"]

    @property
    def threads(self) -> int:
        return 1


def recorded_outputs(clip: Path, device_letterbox: bool = False) -> list[np.ndarray]:
    model = PoseModel.load(Settings(device_letterbox=device_letterbox))
    with VideoReader(clip) as video:
        frames = [frame.image for _, frame in zip(range(RECORDED_FRAMES), video)]
    box = model.plan(frames[0].shape[1], frames[0].shape[0])
    if device_letterbox:
        return list(model._backend.infer_frames(np.stack(frames), box))
    return [model.infer(letterbox_frame(frame, box)) for frame in frames]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="clip length (30 fps, 1280x720)")
    parser.add_argument("--batch", type=int, default=8, help="DANCE_BATCH_SIZE, as on a GPU")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-host-") as tmp:
        folder = Path(tmp)
        clip = make_clip(folder / "clip.mp4", seconds=args.seconds, size=(1280, 720), fps=30.0)
        with VideoReader(clip) as video:
            frames = sum(1 for _ in video)
        models = {
            "host letterbox": PoseModel(ReplayBackend(recorded_outputs(clip)), Settings(batch_size=args.batch)),
            "device letterbox": PoseModel(ReplayBackend(recorded_outputs(clip, True), takes_frames=True),
                                          Settings(batch_size=args.batch)),
        }
        model = models["host letterbox"]
        print(
            f"720p clip, {frames} frames; batch {model.batch_size}, {prepare_threads_for(model.batch_size)} letterboxing threads; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        for round_ in range(args.rounds):
            started = time.perf_counter()
            with VideoReader(clip) as video:
                for _ in video:
                    pass
            decode_fps = frames / (time.perf_counter() - started)
            print(f"round {round_ + 1}: decoding alone {decode_fps:7.1f} f/s")
            for label, each in models.items():
                main_cpu = time.thread_time()
                started = time.perf_counter()
                estimate_poses(clip, folder, "bench", each, lambda _: None, options=PoseOptions(overlay=False))
                wall = time.perf_counter() - started
                main_ms = (time.thread_time() - main_cpu) * 1000 / frames
                print(
                    f"  {label}: pose stage with a free model {frames / wall:7.1f} f/s; "
                    f"main thread {main_ms:.2f} ms CPU per frame ({threading.active_count()} threads left)"
                )


if __name__ == "__main__":
    main()
