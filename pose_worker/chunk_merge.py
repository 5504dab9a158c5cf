"""The last step of a split video: its chunks' poses joined into one ``poses.json``, and one overlay.

The overlay is drawn here, from the merged poses over the decoded video, because only now are
the track ids (and so the colours and labels) final; drawing and encoding cost a few
milliseconds a frame, against tens for inference.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.errors import WorkInterrupted
from pose_worker.decode import Person
from pose_worker.overlay import OverlayWriter
from pose_worker.pose_estimation import (
    OVERLAY_FILE,
    POSES_FILE,
    PoseOptions,
    PoseSummary,
    ProgressCallback,
    StopCheck,
)
from pose_worker.poses_file import PosesFileWriter
from pose_worker.stitching import stitch_chunks
from pose_worker.tracking import FALLBACK_FPS
from pose_worker.video import VideoInfo, VideoReader

log = logging.getLogger(__name__)


def merge_chunk_poses(
    chunk_paths: Sequence[Path],
    starts: Sequence[float],
    video_path: Path,
    out_dir: Path,
    job_id: str,
    on_progress: ProgressCallback,
    should_stop: StopCheck = lambda: False,
    options: PoseOptions = PoseOptions(),
) -> PoseSummary:
    """Write ``poses.json`` (and the overlay) to ``out_dir`` from the chunk files, chunk ``k``
    owning the frames from ``starts[k]`` seconds on. Blocking: run it in a thread."""
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in chunk_paths]
    video = documents[0]["video"]
    fps = video["fps"] or FALLBACK_FPS
    stitched = stitch_chunks([document["frames"] for document in documents], starts, 1 / fps)
    info = VideoInfo(width=video["width"], height=video["height"], fps=video["fps"], frame_count_hint=len(stitched.frames))
    writer = PosesFileWriter(out_dir / POSES_FILE, job_id, documents[0]["model"]["name"])
    for frame in stitched.frames:
        people = [person_of(record) for record in frame["people"]]
        smoothed = [np.asarray(record["keypoints_smoothed"]) for record in frame["people"] if "keypoints_smoothed" in record]
        writer.add_frame(frame["index"], frame["t"], people, [p["track_id"] for p in frame["people"]], smoothed or None)
    last_t = stitched.frames[-1]["t"] if stitched.frames else 0.0
    writer.finish(info, duration_s=last_t + (1 / video["fps"] if video["fps"] > 0 else 0.0))
    del documents
    overlay = None
    if options.overlay:
        overlay = render_overlay(video_path, stitched.frames, info, out_dir / OVERLAY_FILE, on_progress, should_stop, options)
    log.info("job %s: %d chunks merged: %d frames, %d tracks", job_id, len(chunk_paths), writer.frames_written, stitched.tracks)
    return PoseSummary(
        poses_path=writer.path, overlay_path=overlay, frames=writer.frames_written, people_max=writer.people_max,
        tracks=stitched.tracks,
    )


def person_of(record: dict) -> Person:
    """A ``poses.json`` person record as the detector's ``Person``."""
    return Person(score=record["score"], box=tuple(record["box"]), keypoints=np.asarray(record["keypoints"], dtype=np.float32))


def render_overlay(
    video_path: Path, frames: Sequence[dict], info: VideoInfo, path: Path, on_progress: ProgressCallback,
    should_stop: StopCheck, options: PoseOptions,
) -> Path:
    """The skeleton overlay of ``frames`` (merged records, in decoding order) over the video's frames."""
    overlay = OverlayWriter(path, info.width, info.height, info.fps)
    try:
        with VideoReader(video_path, max_duration_s=options.max_duration_s) as video:
            for image, frame in zip(video, frames):
                if should_stop():
                    raise WorkInterrupted(f"overlay interrupted at {frame['t']:.2f} s")
                people = [person_of(record) for record in frame["people"]]
                overlay.write(image.image, people, [record["track_id"] for record in frame["people"]])
                on_progress(frame["index"] / max(len(frames), 1))
    except BaseException:
        overlay.abort()
        raise
    overlay.close()
    return overlay.path
