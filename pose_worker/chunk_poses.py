"""One chunk of a split video: decode its time range (overlap first), estimate and track its poses.

The chunk's file has the layout of ``poses.json`` (``pose_worker/poses_file.py``) with the chunk's
own, local track ids, and the clothes' descriptor sums of each (``appearance``: local id -> [sum,
count]); ``pose_worker/chunk_merge.py`` joins the chunks into the job's one file.
"""
from __future__ import annotations

import logging
from pathlib import Path

import cv2

from domain.jobs import ChunkRecord
from infra.errors import InvalidVideo, StorageUnavailable, WorkInterrupted
from pose_worker.frame_pipeline import FramePipeline
from pose_worker.frame_recorder import FrameRecorder
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import (
    PoseOptions,
    ProgressCallback,
    StopCheck,
    detect_in_order,
    prepare_threads_for,
)
from pose_worker.poses_file import PosesFileWriter
from pose_worker.smoothing import KeypointSmoother
from pose_worker.tracking import FALLBACK_FPS, PoseTracker
from pose_worker.video import VideoReader, is_url

log = logging.getLogger(__name__)


#: A chunk other than the last must run to the next one's start: frames ending more than this many
#: frame periods early mean the read broke off (over HTTP, a dropped connection reads as the end).
CUT_SHORT_FRAMES = 3


def estimate_chunk_poses(
    video: Path | str,
    out_path: Path,
    job_id: str,
    model: PoseModel,
    chunk: ChunkRecord,
    on_progress: ProgressCallback,
    should_stop: StopCheck = lambda: False,
    options: PoseOptions = PoseOptions(),
) -> int:
    """Write the poses of the frames from ``chunk.decode_from_s`` up to the next chunk's first frame
    to ``out_path``; returns how many frames it analysed. Blocking: run it in a thread.

    ``video`` is a file or a presigned URL: over HTTP FFmpeg fetches only the byte ranges of the
    chunk's frames (and the index), so a worker never downloads the whole video for one chunk. The
    video was checked and opened when it was split, so failing to open it or a chunk cut short
    here is a failed read (``StorageUnavailable``, retried), not a bad video.
    """
    with _open_chunk_video(video, chunk, options) as reader:
        info = reader.info
        fps = info.fps or FALLBACK_FPS
        tracker = PoseTracker(fps=fps)
        smoother = KeypointSmoother() if options.smoothing else None
        writer = PosesFileWriter(out_path, job_id, model.name)
        recorder = FrameRecorder(tracker, writer, smoother)
        # The next chunk owns frames from half a frame before its start (pose_worker/stitching.py).
        until = chunk.end_s - 0.5 / fps if chunk.end_s is not None else float("inf")
        span = (chunk.end_s if chunk.end_s is not None else info.duration_s or 0.0) - chunk.decode_from_s
        last_t = chunk.decode_from_s
        with FramePipeline(reader, model.plan, prepare_threads=prepare_threads_for(model.batch_size),
                           letterbox=not model.takes_frames) as frames:
            for batch, found in detect_in_order(frames, model):
                if should_stop():
                    raise WorkInterrupted(f"job {job_id}: chunk interrupted after {writer.frames_written} frames")
                ours = [(prepared, people) for prepared, people in zip(batch, found) if prepared.frame.t < until]
                if not ours:
                    break
                for prepared, people in ours:
                    recorder.record(prepared.frame, people)
                    last_t = prepared.frame.t
                if span > 0:
                    on_progress(min((last_t - chunk.decode_from_s) / span, 0.99))
    cut_short = last_t < until - CUT_SHORT_FRAMES / fps if chunk.end_s is not None else _frame_after(video, last_t, fps)
    if cut_short:
        end = f"the chunk's end at {chunk.end_s:.2f} s" if chunk.end_s is not None else "the video's end"
        raise StorageUnavailable(f"reading the video broke off at {last_t:.2f} s, before {end}")
    # Clothes are seen only here, where the frames are: the merger re-links the chunks' tracks with them.
    writer.finish(info, duration_s=last_t - chunk.decode_from_s + 1 / fps, extra={"appearance": recorder.tracklets.appearance()})
    log.info("job %s: chunk from %.2f s: %d frames, %d local tracks", job_id, chunk.start_s, writer.frames_written, tracker.tracks_started)
    return writer.frames_written


def _open_chunk_video(video: Path | str, chunk: ChunkRecord, options: PoseOptions) -> VideoReader:
    try:
        return VideoReader(video, max_duration_s=options.max_duration_s, start_s=chunk.decode_from_s)
    except InvalidVideo as exc:
        if not is_url(video):
            raise
        raise StorageUnavailable(f"the video could not be read from storage for this chunk: {exc.message}") from exc


def _frame_after(video: Path | str, last_t: float, fps: float) -> bool:
    """Whether the video has a frame after ``last_t`` that the read did not reach. The last chunk has no
    next cut to reach: over HTTP a fresh read seeking past its last frame tells (a file's read is whole)."""
    if not is_url(video):
        return False
    capture = cv2.VideoCapture(video, cv2.CAP_FFMPEG)
    try:
        if not capture.isOpened():
            raise StorageUnavailable("the video could not be opened again to check where it ends")
        capture.set(cv2.CAP_PROP_POS_MSEC, (last_t + 0.5 / fps) * 1000)
        found, _ = capture.read()
        return bool(found) and capture.get(cv2.CAP_PROP_POS_MSEC) / 1000 > last_t + 1e-6
    finally:
        capture.release()
