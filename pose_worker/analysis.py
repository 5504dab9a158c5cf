"""Run the pose model over every frame of a video file and write ``poses.json``."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common.errors import WorkInterrupted
from pose_worker.model import PoseModel
from pose_worker.poses_file import PosesFileWriter
from pose_worker.video import VideoReader

log = logging.getLogger(__name__)

#: Called with the fraction done (0..1); must be cheap, it runs on every frame.
ProgressCallback = Callable[[float], None]
#: Polled between frames; True asks the analysis to stop (the worker is shutting down).
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class AnalysisSummary:
    poses_path: Path
    frames: int
    people_max: int


def analyze_video(
    video_path: Path,
    poses_path: Path,
    job_id: str,
    model: PoseModel,
    on_progress: ProgressCallback,
    should_stop: StopCheck = lambda: False,
) -> AnalysisSummary:
    """Decode every frame, estimate poses, stream them to ``poses_path`` (blocking; run in a thread).

    Raises ``WorkInterrupted`` between frames once ``should_stop()`` is true.
    """
    with VideoReader(video_path) as video:
        info = video.info
        box = model.plan(info.width, info.height)
        writer = PosesFileWriter(poses_path, job_id, model.name)
        last_t = 0.0
        for frame in video:
            if should_stop():
                raise WorkInterrupted(f"job {job_id} interrupted after {writer.frames_written} frames")
            if (frame.image.shape[1], frame.image.shape[0]) != (box.frame_width, box.frame_height):
                box = model.plan(frame.image.shape[1], frame.image.shape[0])  # a mid-stream size change
            writer.add_frame(frame.index, frame.t, model.predict(frame.image, box))
            last_t = frame.t
            if info.frame_count_hint:
                on_progress(min(writer.frames_written / info.frame_count_hint, 0.99))
    frame_period = 1 / info.fps if info.fps > 0 else 0.0
    writer.finish(info, duration_s=last_t + frame_period)
    log.info("job %s: %d frames, up to %d people", job_id, writer.frames_written, writer.people_max)
    return AnalysisSummary(poses_path=poses_path, frames=writer.frames_written, people_max=writer.people_max)
