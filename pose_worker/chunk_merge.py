"""The last step of a split video: its chunks' poses joined into one ``poses.json``, and one overlay.

The chunks' tracks are stitched in their overlaps (``pose_worker/stitching.py``), then re-linked
over the whole video like an unsplit one's (``pose_worker/relinking.py``), with the clothes'
descriptors each chunk's worker measured. The overlay is drawn here, from the merged poses over the decoded video, because only now are
the track ids (and so the colours and labels) final; drawing and encoding cost a few
milliseconds a frame, against tens for inference.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pose_worker.overlay import render_overlay
from pose_worker.pose_estimation import OVERLAY_FILE, POSES_FILE, PoseOptions, PoseSummary, ProgressCallback, StopCheck
from pose_worker.poses_file import PosesFileWriter, iter_frames, person_of
from pose_worker.relinking import FrameSize, identify
from pose_worker.stitching import StitchedPoses, stitch_chunks
from pose_worker.tracking import FALLBACK_FPS
from pose_worker.tracklets import log_from_records
from pose_worker.video import VideoProperties

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
    appearance = merged_appearance(stitched, [document.get("appearance", {}) for document in documents])
    identities = identify(log_from_records(stitched.frames, appearance), FrameSize(video["width"], video["height"]))
    info = VideoProperties(width=video["width"], height=video["height"], fps=video["fps"], frame_count_hint=len(stitched.frames))
    writer = PosesFileWriter(out_dir / POSES_FILE, job_id, documents[0]["model"]["name"])
    for frame in stitched.frames:
        people = [person_of(record) for record in frame["people"]]
        smoothed = [np.asarray(record["keypoints_smoothed"]) for record in frame["people"] if "keypoints_smoothed" in record]
        writer.add_frame(frame["index"], frame["t"], people, identities(frame["people"]), smoothed or None)
    last_t = stitched.frames[-1]["t"] if stitched.frames else 0.0
    writer.finish(info, duration_s=last_t + (1 / video["fps"] if video["fps"] > 0 else 0.0))
    del documents, stitched
    overlay = None
    if options.overlay:
        overlay = render_overlay(
            video_path, iter_frames(writer.path), info, out_dir / OVERLAY_FILE, on_progress, should_stop,
            options.max_duration_s, writer.frames_written,
        )
    log.info("job %s: %d chunks merged: %d frames, %d identities", job_id, len(chunk_paths), writer.frames_written, identities.count)
    return PoseSummary(
        poses_path=writer.path, overlay_path=overlay, frames=writer.frames_written, people_max=writer.people_max,
        tracks=identities.count,
    )


def merged_appearance(stitched: StitchedPoses, per_chunk: Sequence[dict]) -> dict[int, tuple[np.ndarray, int]]:
    """The chunks' clothes descriptor sums (local id -> [sum, count]) gathered under the merged ids."""
    totals: dict[int, np.ndarray] = {}
    counts: dict[int, int] = defaultdict(int)
    for mapping, appearance in zip(stitched.mappings, per_chunk):
        for local, (total, count) in appearance.items():
            merged = mapping.get(int(local))
            if merged is None or not count:
                continue
            totals[merged] = np.asarray(total, float) + totals.get(merged, 0.0)
            counts[merged] += int(count)
    return {merged: (total, counts[merged]) for merged, total in totals.items()}
