"""The HTTP API: create an upload, confirm it, read a job; health checks."""
from __future__ import annotations

import asyncio
import logging
import uuid

from aiohttp import web

from common.errors import JobStateConflict, KeyMismatch, ServiceUnavailable
from common.jobs import Job, JobStatus
from common.storage import storage_errors
from common.work_queue import queue_job
from gateway.app_keys import JOBS, NATS_CONNECTION, PUBLIC_S3, S3, SETTINGS
from gateway.job_view import job_view
from gateway.params import read_params, require
from gateway.presign import presign_upload
from gateway.uploads import DEFAULT_CONTENT_TYPE, check_video_type, safe_filename

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

UPLOAD_INSTRUCTIONS = "PUT the video file to upload_url, then call /analyze/confirm with job_id"


@routes.post("/api/v1/analyze/upload-url")
async def create_upload_url(request: web.Request) -> web.Response:
    """Create a job and a presigned PUT URL for its video."""
    settings = request.app[SETTINGS]
    params = await read_params(request)
    filename = safe_filename(require(params, "filename"))
    content_type = check_video_type(filename, params.get("content_type") or DEFAULT_CONTENT_TYPE)
    job_id = str(uuid.uuid4())
    s3_key = f"uploads/{job_id}/{filename}"
    job = Job.new(job_id, filename, content_type, s3_key, settings.upload_expiry_s)
    upload_url = presign_upload(request.app[PUBLIC_S3], settings.bucket, s3_key, settings.upload_expiry_s)
    await request.app[JOBS].create(job)
    log.info("job %s created for %s (%s)", job_id, filename, content_type)
    return web.json_response(
        {
            "job_id": job_id,
            "upload_url": upload_url,
            "s3_key": s3_key,
            "expires_in": settings.upload_expiry_s,
            "instructions": UPLOAD_INSTRUCTIONS,
        }
    )


@routes.post("/api/v1/analyze/confirm")
async def confirm_upload(request: web.Request) -> web.Response:
    """Acknowledge an upload: queue the job if the event has not already; idempotent."""
    params = await read_params(request)
    job_id, s3_key = require(params, "job_id"), require(params, "s3_key")
    jobs = request.app[JOBS]
    job = await jobs.get(job_id)
    if s3_key != job.s3_key:
        raise KeyMismatch(f"s3_key {s3_key!r} is not the key of job {job_id}")
    if job.status is JobStatus.EXPIRED:
        raise JobStateConflict(f"job {job_id} expired before its upload arrived; request a new upload URL")
    if job.status is JobStatus.AWAITING_UPLOAD:
        await _require_object(request, job)
        settings = request.app[SETTINGS]
        job = await queue_job(jobs, request.app[NATS_CONNECTION].jetstream(), settings, job_id, via="confirm")
    return web.json_response(
        {
            "job_id": job.job_id,
            "status": job.status.value,
            "stage": job.stage.value,
            "s3_key": job.s3_key,
            "message": _confirm_message(job),
        }
    )


async def _require_object(request: web.Request, job: Job) -> None:
    """Raise ``UploadNotFound`` (404) while the job's object is not in the bucket."""
    s3, bucket = request.app[S3], request.app[SETTINGS].bucket

    def stat() -> None:
        with storage_errors("checking the upload", missing_key=job.s3_key):
            s3.stat_object(bucket, job.s3_key)

    await asyncio.to_thread(stat)


def _confirm_message(job: Job) -> str:
    if job.status is JobStatus.QUEUED:
        return "Video confirmed and queued for pose estimation"
    return f"Video already confirmed; the job is {job.status.value}"


@routes.get("/api/v1/analyze/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    """A job's status, progress, error and (once completed) result URLs."""
    job = await request.app[JOBS].get(request.match_info["job_id"])
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
