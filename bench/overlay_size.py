"""Benchmark: what the overlay video costs at each height limit, on real phone videos.

``python -m bench.overlay_size``. The overlay is what a browser that cannot decode the original's
picture (HEVC) shows instead, so its size is a choice between sharpness and cost. For the real portrait
clips of ``../shared/media/real`` (and the teacher's clip scaled to 1080x1920 HEVC, a common phone size,
made in a temporary folder), the poses are estimated once (overlay off), then the overlay is rendered at
each limit: seconds (decode, draw, scale, encode), file size, and the ratio to the 720-line render.
Figures only, never a gate; the videos are read where they are, never copied.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

import pose_worker.overlay as overlay
from infra.settings import Settings
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import POSES_FILE, PoseOptions, estimate_poses
from pose_worker.video import VideoReader
from tests.real_clips import REAL_DIR, STUDENT, TEACHER

CLIPS = (TEACHER, STUDENT, "fitness_class_15s")
LIMITS = (720, 1280, 1920)
REPEATS = 2


def scaled_copy(source: Path, folder: Path, width: int, height: int) -> Path:
    """``source`` scaled to ``width`` x ``height``, HEVC, no sound: a larger phone video."""
    path = folder / f"{source.stem}_{width}x{height}.mp4"
    subprocess.run([
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
        "-vf", f"scale={width}:{height}", "-c:v", "libx265", "-preset", "ultrafast", "-an", str(path),
    ], check=True)
    return path


def timed_render(video: Path, poses: dict, limit: int, out: Path) -> tuple[float, int]:
    """The best of ``REPEATS`` renders at ``limit`` lines: (seconds, bytes)."""
    overlay.MAX_OVERLAY_HEIGHT = limit
    with VideoReader(video) as reader:
        info = reader.info
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        overlay.render_overlay(video, poses["frames"], info, out, lambda _: None, lambda: False, None, len(poses["frames"]))
        best = min(best, time.perf_counter() - started)
    return best, out.stat().st_size


def main() -> None:
    model = PoseModel.load(Settings())
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        videos = {name: REAL_DIR / f"{name}.mp4" for name in CLIPS}
        videos["teacher scaled to 1080x1920"] = scaled_copy(videos[TEACHER], folder, 1080, 1920)
        print("| clip | size | limit | overlay size | seconds | x 720's time | MB | x 720's size |")
        print("|---|---|---|---|---|---|---|---|")
        poses_of_teacher = None
        for name, video in videos.items():
            if name.startswith("teacher scaled"):
                poses = poses_of_teacher  # the same frames: the drawing lands elsewhere, the cost is the same
            else:
                out_dir = folder / name
                out_dir.mkdir()
                estimate_poses(video, out_dir, name, model, lambda _: None, options=PoseOptions(overlay=False))
                poses = json.loads((out_dir / POSES_FILE).read_text(encoding="utf-8"))
                poses_of_teacher = poses if name == TEACHER else poses_of_teacher
            with VideoReader(video) as reader:
                width, height = reader.info.width, reader.info.height
            base = None
            for limit in LIMITS:
                seconds, size = timed_render(video, poses, limit, folder / f"{name}-{limit}.mp4")
                base = base or (seconds, size)
                scale = min(1.0, limit / height)
                shown = f"{int(width * scale) // 2 * 2}x{int(height * scale) // 2 * 2}"
                print(f"| {name} | {width}x{height} | {limit} | {shown} | {seconds:.1f} | {seconds / base[0]:.2f} "
                      f"| {size / 1e6:.1f} | {size / base[1]:.2f} |")


if __name__ == "__main__":
    main()
