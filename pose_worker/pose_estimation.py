"""Run the pose model over every frame of a video: poses.json with track ids, and the overlay video.

Frames are tracked online as they are inferred; once the whole video is known the pieces of track
are re-linked into one identity per person (``pose_worker/relinking.py``) while ``poses.json`` is
assembled, and only then is the overlay drawn, so its colours and labels are the final ids.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from infra.errors import WorkInterrupted
from infra.settings import Settings
from pose_worker.decode import Person
from pose_worker.frame_pipeline import FramePipeline, PreparedFrame, ahead, in_batches
from pose_worker.frame_recorder import FrameRecorder
from pose_worker.model import PoseModel
from pose_worker.overlay import render_overlay
from pose_worker.poses_file import PosesFileWriter, iter_frames
from pose_worker.relinking import FrameSize, identify
from pose_worker.smoothing import KeypointSmoother
from pose_worker.tracking import PoseTracker
from pose_worker.video import VideoReader, cut_off_warning

log = logging.getLogger(__name__)

#: Called with the fraction done (0..1); must be cheap, it runs on every frame.
ProgressCallback = Callable[[float], None]
#: Polled between frames; True asks the analysis to stop (the worker is shutting down).
StopCheck = Callable[[], bool]

POSES_FILE = "poses.json"
#: Letterboxing threads per batched frame stream: a GPU takes frames faster than one thread makes them
#: (on a 16-core H200 host: 634 frames/s with 1, 1,305 with 4, 1,104 with 8: the GIL caps more).
MAX_PREPARE_THREADS = 4
OVERLAY_FILE = "overlay.mp4"
#: Share of this stage's progress the poses fill when the overlay is drawn after them (a second decode,
#: drawing and encoding: about a tenth of a CPU worker's time per frame).
OVERLAY_START = 0.9


@dataclass(frozen=True)
class PoseOptions:
    overlay: bool = True
    smoothing: bool = False
    max_duration_s: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PoseOptions:
        return cls(overlay=settings.overlay, smoothing=settings.smoothing, max_duration_s=settings.max_video_duration_s)


@dataclass(frozen=True)
class PoseSummary:
    poses_path: Path
    overlay_path: Path | None
    frames: int
    people_max: int
    tracks: int
    #: What the job should tell about its video (a file cut off before its stated end).
    warnings: tuple[str, ...] = ()


def prepare_threads_for(batch_size: int) -> int:
    """One letterboxing thread for frame-by-frame (CPU) inference; up to 4 to keep batches coming."""
    return 1 if batch_size == 1 else min(MAX_PREPARE_THREADS, os.cpu_count() or 1, batch_size)


def detect_batch(model: PoseModel, batch: list[PreparedFrame]) -> list[list[Person]]:
    return model.detect_batch([prepared.tensor for prepared in batch], [prepared.box for prepared in batch])


def detect_in_order(frames: Iterable[PreparedFrame], model: PoseModel) -> Iterator[tuple[list[PreparedFrame], list[list[Person]]]]:
    """The frames in batches (``model.batch_size``), each with the people found in its frames, in order.

    Inference runs ahead of the caller's tracking: on a CPU one frame per stream at once
    (``model.streams``), on a GPU the next batches while this one is tracked; with one stream of
    single frames there is nothing to overlap and it runs in turn.
    """
    depth = 0 if model.batch_size == 1 and model.streams == 1 else max(2, model.streams)
    batches = in_batches(frames, model.batch_size)
    yield from ahead(batches, partial(detect_batch, model), depth=depth, threads=model.streams)


def estimate_poses(
    video_path: Path,
    out_dir: Path,
    job_id: str,
    model: PoseModel,
    on_progress: ProgressCallback,
    should_stop: StopCheck = lambda: False,
    options: PoseOptions = PoseOptions(),
) -> PoseSummary:
    """Decode every frame, estimate and track poses, write ``poses.json`` (and the overlay) to ``out_dir``.

    Blocking: run it in a thread. Raises ``WorkInterrupted`` between frames once ``should_stop()``.
    """
    with VideoReader(video_path, max_duration_s=options.max_duration_s) as video:
        info = video.info
        tracker = PoseTracker(fps=info.fps or 30.0)
        smoother = KeypointSmoother() if options.smoothing else None
        writer = PosesFileWriter(out_dir / POSES_FILE, job_id, model.name)
        recorder = FrameRecorder(tracker, writer, smoother)
        # With an overlay to draw afterwards, the poses fill the first part of this stage's progress.
        pose_share = OVERLAY_START if options.overlay else 1.0
        last_t = 0.0
        with FramePipeline(video, model.plan, prepare_threads=prepare_threads_for(model.batch_size),
                           letterbox=not model.takes_frames) as frames:
            for batch, found in detect_in_order(frames, model):
                if should_stop():
                    raise WorkInterrupted(f"job {job_id} interrupted after {writer.frames_written} frames")
                for prepared, people in zip(batch, found):
                    recorder.record(prepared.frame, people)
                    last_t = prepared.frame.t
                if info.frame_count_hint:
                    on_progress(min(writer.frames_written / info.frame_count_hint, 0.99) * pose_share)
    identities = identify(recorder.tracklets, FrameSize(info.width, info.height))
    frame_period = 1 / info.fps if info.fps > 0 else 0.0
    writer.finish(info, duration_s=last_t + frame_period, identities=identities)
    log.info(
        "job %s: %d frames, up to %d people, %d tracks re-linked into %d",
        job_id, writer.frames_written, writer.people_max, tracker.tracks_started, identities.count,
    )
    overlay = None
    if options.overlay:
        overlay = render_overlay(
            video_path, iter_frames(writer.path), info, out_dir / OVERLAY_FILE,
            lambda fraction: on_progress(pose_share + (1 - pose_share) * fraction), should_stop,
            options.max_duration_s, writer.frames_written,
        )
    cut_off = cut_off_warning(info, last_t)
    if cut_off is not None:
        log.warning("job %s: %s", job_id, cut_off)
    return PoseSummary(
        poses_path=writer.path,
        overlay_path=overlay,
        frames=writer.frames_written,
        people_max=writer.people_max,
        tracks=identities.count,
        warnings=(cut_off,) if cut_off is not None else (),
    )
