"""What a comparison reads: each job's dancers (from poses.json) and the reference's music beats."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from minio import Minio

from choreo.signals import TrackSeries, tracks_from_frames
from common.errors import TrackNotFound
from common.jobs import Job
from common.storage import storage_errors


@dataclass(frozen=True)
class DancedJob:
    job: Job
    tracks: list[TrackSeries]
    #: Music beat times from the job's analysis.json; None without audio or analysis.
    beats: np.ndarray | None


def read_danced_job(s3: Minio, bucket: str, job: Job) -> DancedJob:
    """A completed job's dancers and beats. Blocking: run it in a thread."""
    assert job.result is not None
    poses = _read_json(s3, bucket, job.result.poses_key)
    beats = None
    if job.result.analysis_key:
        analysis = _read_json(s3, bucket, job.result.analysis_key)
        if analysis.get("music", {}).get("beats"):
            beats = np.asarray(analysis["music"]["beats"], float)
    return DancedJob(job=job, tracks=tracks_from_frames(poses["frames"]), beats=beats)


def choose_track(danced: DancedJob, track_id: int | None, role: str) -> TrackSeries:
    """The asked-for dancer, or the one on screen longest."""
    if not danced.tracks:
        raise TrackNotFound(f"the {role} video (job {danced.job.job_id}) has no dancer to compare")
    if track_id is None:
        return max(danced.tracks, key=lambda track: (track.duration_s, -track.track_id))
    for track in danced.tracks:
        if track.track_id == track_id:
            return track
    known = ", ".join(str(track.track_id) for track in danced.tracks)
    raise TrackNotFound(f"the {role} video (job {danced.job.job_id}) has no dancer {track_id}; its dancers: {known}")


def _read_json(s3: Minio, bucket: str, key: str) -> dict:
    with storage_errors(f"reading {key}", missing_key=key):
        response = s3.get_object(bucket, key)
        try:
            return json.loads(response.read())
        finally:
            response.close()
            response.release_conn()
