"""The public JSON shape of a job, with result keys turned into download URLs."""
from __future__ import annotations

from minio import Minio

from common.jobs import Job
from common.settings import Settings
from gateway.presign import presign_download


def job_view(job: Job, public_s3: Minio, settings: Settings) -> dict:
    result = None
    if job.result is not None:
        expiry = settings.result_url_expiry_s
        overlay_key = job.result.overlay_key
        result = {
            "poses_url": presign_download(public_s3, settings.bucket, job.result.poses_key, expiry),
            "poses_key": job.result.poses_key,
            "overlay_url": presign_download(public_s3, settings.bucket, overlay_key, expiry) if overlay_key else None,
            "overlay_key": overlay_key,
            "frames": job.result.frames,
            "people_max": job.result.people_max,
            "tracks": job.result.tracks,
        }
    return {
        "job_id": job.job_id,
        "status": job.status.value,
        "stage": job.stage.value,
        "progress": job.progress,
        "s3_key": job.s3_key,
        "created_at": job.created_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "error": job.error.model_dump() if job.error else None,
        "result": result,
        "warnings": job.warnings,
    }
