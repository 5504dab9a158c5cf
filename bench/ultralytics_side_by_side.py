"""Benchmark: the worker's exact and fast modes side by side with Ultralytics' own ``predict``, same ONNX file.

``python -m bench.ultralytics_side_by_side [--ultralytics-python PATH]`` (``make bench-pose`` runs it).
Ultralytics is no dependency of the project (it brings torch, some GBs): where this interpreter
cannot import it, give ``--ultralytics-python`` a Python that can, e.g. a throwaway venv
(``python -m venv /tmp/ultra && /tmp/ultra/bin/pip install ultralytics onnxruntime``); with
neither it says so and skips. Ultralytics runs in a child process (this file with ``--serve``,
which imports nothing of the project) that predicts a clip whenever asked, so its turns
interleave with the worker's as in ``bench.pose_speed``. It also reports how far Ultralytics'
keypoints are from the exact mode's (the same model and decoding: a fraction of a pixel).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

#: Ultralytics' own setting for the model input, as the worker's exact mode.
IMGSZ = 640
#: Starts the child's answer lines: Ultralytics prints notices of its own on stdout.
ANSWER = "ANSWER "


def serve(model_path: str) -> None:
    """Child process: for each clip path on stdin, predict it and answer one JSON line."""
    from ultralytics import YOLO

    model = YOLO(model_path, task="pose")
    for line in sys.stdin:
        clip = line.strip()
        frames = []
        started = time.perf_counter()
        for result in model.predict(clip, imgsz=IMGSZ, device="cpu", stream=True, verbose=False):
            boxes = result.boxes
            frames.append(
                {
                    "scores": boxes.conf.tolist(),
                    "boxes": boxes.xyxy.tolist(),
                    "keypoints": result.keypoints.data.tolist(),
                    "speed_ms": result.speed,
                }
            )
        seconds = time.perf_counter() - started
        print(ANSWER + json.dumps({"seconds": seconds, "frames": frames}), flush=True)


def _ultralytics_python(given: str | None) -> str | None:
    """The interpreter that has ultralytics: ``given``, else this one if it has it."""
    if given:
        return given
    import importlib.util

    return sys.executable if importlib.util.find_spec("ultralytics") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ultralytics-python", help="a Python interpreter that can import ultralytics")
    parser.add_argument("--seconds", type=float, default=4.0, help="clip length: long enough that opening it costs little")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the clip per contender and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", metavar="MODEL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    python = _ultralytics_python(args.ultralytics_python)
    if python is None:
        print(
            "ultralytics_side_by_side: skipped, ultralytics is not installed here (it is no dependency of the project). "
            "Install it in a separate venv and pass --ultralytics-python PATH (make bench-pose ULTRALYTICS_PYTHON=PATH)."
        )
        return
    compare(python, args.seconds, args.repeats, args.rounds)


def compare(python: str, seconds: float, repeats: int, rounds: int) -> None:
    import statistics
    import tempfile
    from pathlib import Path

    import numpy as np

    from bench.pose_agreement import compare_people
    from bench.pose_timing import end_to_end_timer, interleaved, per_second
    from infra.settings import Settings
    from pose_worker.decode import Person
    from pose_worker.model import BUNDLED_MODEL, PoseModel
    from pose_worker.video import VideoReader
    from tests.clips import make_clip

    with tempfile.TemporaryDirectory(prefix="dance-bench-") as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", seconds=seconds, size=(1280, 720), fps=30.0)
        with VideoReader(clip) as video:
            frames = [frame.image for frame in video]
        child = subprocess.Popen(
            [python, __file__, "--serve", str(BUNDLED_MODEL)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:

            def ask() -> dict:
                child.stdin.write(f"{clip}\n")
                child.stdin.flush()
                for line in child.stdout:
                    if line.startswith(ANSWER):
                        return json.loads(line[len(ANSWER) :])
                raise RuntimeError(f"the Ultralytics process ({python}) ended without an answer")

            first = ask()  # warm-up, and the people to compare
            ultralytics_people = [
                [Person(score=s, box=tuple(b), keypoints=np.asarray(k, dtype=np.float32)) for s, b, k in zip(f["scores"], f["boxes"], f["keypoints"])]
                for f in first["frames"]
            ]
            exact = PoseModel.load(Settings(speed="exact"))
            last: dict = first

            def ultralytics_run() -> float:
                nonlocal last
                last = ask()
                return last["seconds"] / len(frames)

            timers = {
                "ultralytics predict": ultralytics_run,
                "worker exact": end_to_end_timer(exact, clip, len(frames)),
                "worker exact-openvino": end_to_end_timer(
                    PoseModel.load(Settings(speed="exact", inference_backend="openvino")), clip, len(frames)
                ),
                "worker fast": end_to_end_timer(PoseModel.load(Settings(speed="fast")), clip, len(frames)),
            }
            fps = {name: per_second(seconds) for name, seconds in interleaved(timers, repeats, rounds).items()}
        finally:
            child.stdin.close()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        box = exact.plan(1280, 720)
        agreement = compare_people([exact.predict(frame, box) for frame in frames], ultralytics_people)
    base = fps["ultralytics predict"]
    print(f"Side by side on a 720p clip ({len(frames)} frames), {IMGSZ} input, {rounds} rounds interleaved; Ultralytics via {python}")
    print(f"{'':22s} {'frames/s (median [rounds])':>30s} {'x Ultralytics (each round)':>28s}")
    for name, values in fps.items():
        ratios = " ".join(f"{a / b:4.2f}" for a, b in zip(values, base))
        figures = f"{statistics.median(values):5.1f} [" + " ".join(f"{v:.1f}" for v in values) + "]"
        print(f"{name:22s} {figures:>30s} {ratios:>28s}")
    split = {stage: statistics.mean(f["speed_ms"][stage] for f in last["frames"]) for stage in last["frames"][0]["speed_ms"]}
    print("Ultralytics' own split per frame (its last run): " + ", ".join(f"{stage} {ms:.1f} ms" for stage, ms in split.items()))
    print(
        f"Ultralytics vs worker exact: same people count in {agreement.count_agreement:.0%} of frames, "
        f"mean keypoint difference {agreement.keypoint_error_px:.2f} px (max {agreement.keypoint_error_max_px:.2f})"
    )


if __name__ == "__main__":
    main()
