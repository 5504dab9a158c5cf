"""What a comparison reads: each job's dancers (poses.json), music beats (analysis.json) and soundtrack
(soundtrack.json), and which dancer of each it compares."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from minio import Minio

from choreo.dancer_choice import ChosenDancer, Visibility, most_visible, requested, visibility
from choreo.signals import TrackSeries, tracks_from_frames
from choreo.soundtrack import Soundtrack, soundtrack_from_document
from domain.jobs import JobRecord
from domain.object_keys import soundtrack_key
from infra.errors import TrackNotFound, UploadNotFound
from infra.storage import storage_errors


@dataclass(frozen=True)
class DancedJob:
    job: JobRecord
    tracks: list[TrackSeries]
    #: How well each track is seen (``choreo.dancer_choice``).
    seen: dict[int, Visibility]
    #: Music beat times from the job's analysis.json; None without audio or analysis.
    beats: np.ndarray | None
    #: The soundtrack's features; None for a job analysed before they were kept (or without analysis).
    soundtrack: Soundtrack | None


def read_danced_job(s3: Minio, bucket: str, job: JobRecord) -> DancedJob:
    """A completed job's dancers, beats and soundtrack. Blocking: run it in a thread."""
    assert job.result is not None
    poses = _read_json(s3, bucket, job.result.poses_key)
    beats = None
    if job.result.analysis_key:
        analysis = _read_json(s3, bucket, job.result.analysis_key)
        if analysis.get("music", {}).get("beats"):
            beats = np.asarray(analysis["music"]["beats"], float)
    tracks = tracks_from_frames(poses["frames"])
    return DancedJob(
        job=job, tracks=tracks, seen=visibility(tracks), beats=beats,
        soundtrack=_read_soundtrack(s3, bucket, job),
    )


def choose_track(danced: DancedJob, track_id: int | None, role: str) -> tuple[TrackSeries, ChosenDancer]:
    """The asked-for dancer, or the most visible one (``choreo.dancer_choice``), and why."""
    if not danced.tracks:
        raise TrackNotFound(f"the {role} video (job {danced.job.job_id}) has no dancer to compare")
    by_id = {track.track_id: track for track in danced.tracks}
    if track_id is None:
        choice = most_visible(danced.seen, by_id)
        return by_id[choice.track_id], choice
    if track_id in by_id:
        return by_id[track_id], requested(danced.seen, track_id, len(by_id))
    known = ", ".join(str(track.track_id) for track in danced.tracks)
    raise TrackNotFound(f"the {role} video (job {danced.job.job_id}) has no dancer {track_id}; its dancers: {known}")


def _read_soundtrack(s3: Minio, bucket: str, job: JobRecord) -> Soundtrack | None:
    if job.result is None or not job.result.analysis_key:
        return None  # no analysis ran, so no soundtrack was kept either
    try:
        return soundtrack_from_document(_read_json(s3, bucket, soundtrack_key(job.job_id)))
    except UploadNotFound:
        return None  # analysed before soundtracks were kept


def _read_json(s3: Minio, bucket: str, key: str) -> dict:
    with storage_errors(f"reading {key}", missing_key=key):
        response = s3.get_object(bucket, key)
        try:
            return json.loads(response.read())
        finally:
            response.close()
            response.release_conn()
