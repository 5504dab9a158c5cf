"""A stored job turned into its public model, with result keys turned into download URLs."""
from __future__ import annotations

from minio import Minio

from domain.jobs import JobRecord
from gateway.models.analysis import AnalysisSummary
from gateway.models.errors import ErrorDetail
from gateway.models.jobs import Job, JobResult
from gateway.presign import presign_download
from infra.settings import Settings


def job_view(job: JobRecord, public_s3: Minio, settings: Settings) -> Job:
    return Job(
        job_id=job.job_id,
        status=job.status,
        stage=job.stage,
        progress=job.progress,
        s3_key=job.s3_key,
        created_at=job.created_at,
        updated_at=job.updated_at,
        error=ErrorDetail(code=job.error.code, message=job.error.message) if job.error else None,
        result=_result_view(job, public_s3, settings),
        warnings=job.warnings,
    )


def _result_view(job: JobRecord, public_s3: Minio, settings: Settings) -> JobResult | None:
    if job.result is None:
        return None
    expiry, overlay_key, analysis_key = settings.result_url_expiry_s, job.result.overlay_key, job.result.analysis_key
    summary = job.result.summary
    return JobResult(
        poses_url=presign_download(public_s3, settings.bucket, job.result.poses_key, expiry),
        poses_key=job.result.poses_key,
        overlay_url=presign_download(public_s3, settings.bucket, overlay_key, expiry) if overlay_key else None,
        overlay_key=overlay_key,
        video_url=_video_url(job, public_s3, settings),
        frames=job.result.frames,
        people_max=job.result.people_max,
        tracks=job.result.tracks,
        analysis_url=presign_download(public_s3, settings.bucket, analysis_key, expiry) if analysis_key else None,
        analysis_key=analysis_key,
        summary=AnalysisSummary.model_validate(summary.model_dump()) if summary else None,
    )


def _video_url(job: JobRecord, public_s3: Minio, settings: Settings) -> str:
    """The upload the job analysed: its first stored version (a later PUT to the same key is another version)."""
    version_id = job.upload.version_id if job.upload else None
    return presign_download(public_s3, settings.bucket, job.s3_key, settings.result_url_expiry_s, version_id)
