"""The HTTP API: create an upload, confirm it, read or cancel a job; health checks."""
from __future__ import annotations

import asyncio
import logging
import uuid

from aiohttp import web

from common.errors import (
    FileTooLarge,
    InvalidParameter,
    JobCancelled,
    JobExpired,
    JobNotCancellable,
    KeyMismatch,
    ServiceUnavailable,
)
from common.jobs import CANCELLABLE_STATUSES, Job, JobStatus
from common.settings import Settings
from common.storage import storage_errors
from gateway.app_keys import INTAKE, JOBS, NATS_CONNECTION, PUBLIC_S3, S3, SETTINGS
from gateway.auth import OWNER
from gateway.job_access import load_job
from gateway.job_view import job_view
from gateway.params import read_params, require
from gateway.presign import presign_upload
from gateway.uploads import DEFAULT_CONTENT_TYPE, check_video_type, safe_filename

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

UPLOAD_INSTRUCTIONS = "PUT the video file to upload_url, then call /analyze/confirm with job_id"


async def create_job(request: web.Request, filename: str, content_type: str, size: int | None = None) -> Job:
    """Validate an upload's name, type and size and record a job waiting for it."""
    settings = request.app[SETTINGS]
    filename = safe_filename(filename)
    content_type = check_video_type(filename, content_type or DEFAULT_CONTENT_TYPE)
    if size is not None:
        check_size(size, settings)
    job_id = str(uuid.uuid4())
    job = Job.new(
        job_id, filename, content_type, f"uploads/{job_id}/{filename}", settings.upload_expiry_s,
        owner=request[OWNER], declared_size=size,
    )
    await request.app[JOBS].create(job)
    log.info("job %s created for %s (%s%s)", job_id, filename, content_type, f", {size} bytes" if size else "")
    return job


def check_size(size: int, settings: Settings) -> None:
    if size > settings.max_upload_bytes:
        raise FileTooLarge(f"{size} bytes is over the limit of {settings.max_upload_bytes} bytes")


def parse_size(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        size = int(raw)
    except ValueError:
        raise InvalidParameter(f"size must be a whole number of bytes, not {raw!r}") from None
    if size < 1:
        raise InvalidParameter("size must be at least 1 byte")
    return size


@routes.post("/api/v1/analyze/upload-url")
async def create_upload_url(request: web.Request) -> web.Response:
    """Create a job and a presigned PUT URL for its video."""
    settings = request.app[SETTINGS]
    params = await read_params(request)
    job = await create_job(
        request, require(params, "filename"), params.get("content_type", ""), parse_size(params.get("size"))
    )
    upload_url = presign_upload(settings, job.s3_key, content_length=job.declared_size)
    return web.json_response(
        {
            "job_id": job.job_id,
            "upload_url": upload_url,
            "s3_key": job.s3_key,
            "expires_in": settings.upload_expiry_s,
            "instructions": UPLOAD_INSTRUCTIONS,
        }
    )


@routes.post("/api/v1/analyze/confirm")
async def confirm_upload(request: web.Request) -> web.Response:
    """Acknowledge an upload: queue the job if the bucket event has not already; idempotent."""
    params = await read_params(request)
    job_id, s3_key = require(params, "job_id"), require(params, "s3_key")
    job = await load_job(request, job_id)
    if s3_key != job.s3_key:
        raise KeyMismatch(f"s3_key {s3_key!r} is not the key of job {job_id}")
    if job.status is JobStatus.AWAITING_UPLOAD:
        job = await request.app[INTAKE].admit(job_id, via="confirm")
    raise_if_refused(job)
    return web.json_response(
        {
            "job_id": job.job_id,
            "status": job.status.value,
            "stage": job.stage.value,
            "s3_key": job.s3_key,
            "message": _confirm_message(job),
        }
    )


def raise_if_refused(job: Job) -> None:
    """Confirming a job that will never run is an error, named after why."""
    if job.status is JobStatus.EXPIRED:
        raise JobExpired(f"job {job.job_id} expired before its upload arrived; request a new upload URL")
    if job.status is JobStatus.CANCELLED:
        raise JobCancelled(f"job {job.job_id} was cancelled")
    if job.status is JobStatus.FAILED and job.error is not None and job.error.code == FileTooLarge.code:
        raise FileTooLarge(job.error.message)


#: What confirm says, by the job's status; the bucket event often queues a job before confirm arrives.
CONFIRM_MESSAGES = {
    JobStatus.QUEUED: "Video confirmed and queued for pose estimation",
    JobStatus.PROCESSING: "Video confirmed; pose estimation is running",
    JobStatus.COMPLETED: "Video confirmed; pose estimation has finished",
    JobStatus.FAILED: "Video confirmed; the job failed (see GET /api/v1/analyze/{job_id})",
}


def _confirm_message(job: Job) -> str:
    return CONFIRM_MESSAGES.get(job.status, f"The job is {job.status.value}")


@routes.get("/api/v1/analyze/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    """A job's status, progress, error and (once completed) result URLs."""
    job = await load_job(request, request.match_info["job_id"])
    return web.json_response(job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS]))


@routes.post("/api/v1/analyze/{job_id}/cancel")
async def cancel_job(request: web.Request) -> web.Response:
    """Cancel a job that has not started processing; a later upload for it is not analysed."""
    job = await load_job(request, request.match_info["job_id"])

    def cancel(current: Job) -> Job | None:
        if current.status is JobStatus.CANCELLED:
            return None
        if current.status not in CANCELLABLE_STATUSES:
            raise JobNotCancellable(f"job {current.job_id} is {current.status.value}; only waiting jobs can be cancelled")
        return current.moved_to(JobStatus.CANCELLED)

    job = await request.app[JOBS].update(job.job_id, cancel)
    log.info("job %s cancelled", job.job_id)
    return web.json_response(job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS]))


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """NATS and MinIO both answer."""
    s3, bucket = request.app[S3], request.app[SETTINGS].bucket
    nats_ok = request.app[NATS_CONNECTION].is_connected

    def bucket_reachable() -> bool:
        try:
            with storage_errors("checking readiness"):
                return s3.bucket_exists(bucket)
        except ServiceUnavailable:
            return False

    s3_ok = await asyncio.to_thread(bucket_reachable)
    ready = nats_ok and s3_ok
    return web.json_response(
        {"status": "ready" if ready else "unavailable", "nats": nats_ok, "s3": s3_ok}, status=200 if ready else 503
    )
