"""The HTTP API: create an upload, confirm it, read or cancel a job; health checks."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from domain.jobs import CANCELLABLE_STATUSES, JobRecord, JobStatus
from gateway.app_keys import INTAKE, JOBS, NATS_CONNECTION, PUBLIC_S3, S3, SETTINGS
from gateway.auth import OWNER
from gateway.endpoints import EndpointTable, model_response
from gateway.job_access import JOB_PATH, load_job
from gateway.job_creation import confirm_message, create_job, raise_if_refused
from gateway.job_view import job_view
from gateway.models.health import Health, Readiness
from gateway.models.jobs import Job, JobList, JobListParams, JobPath
from gateway.models.uploads import (
    Confirmation,
    ConfirmParams,
    UploadUrl,
    UploadUrlParams,
)
from gateway.presign import presign_upload
from infra.errors import (
    FileTooLarge,
    JobCancelled,
    JobExpired,
    JobNotCancellable,
    JobNotFound,
    KeyMismatch,
    RateLimited,
    ServiceUnavailable,
    TooManyPending,
    UnsupportedFileType,
    UploadNotFound,
)
from infra.storage import storage_errors

log = logging.getLogger(__name__)
routes = EndpointTable()

UPLOAD_INSTRUCTIONS = "PUT the video file to upload_url, then call /analyze/confirm with job_id"

#: Where the upload-url answer leads next; Swagger UI shows these and fuzzers follow them.
UPLOAD_URL_LINKS = {
    "ConfirmUpload": {
        "operationId": "confirmUpload",
        "parameters": {"query.job_id": "$response.body#/job_id", "query.s3_key": "$response.body#/s3_key"},
    },
    "GetJob": {"operationId": "getJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
    "CancelJob": {"operationId": "cancelJob", "parameters": {"path.job_id": "$response.body#/job_id"}},
}


@routes.post(
    "/api/v1/analyze/upload-url", "createUploadUrl", "Create a job and a presigned PUT URL for its video",
    params=UploadUrlParams, response=UploadUrl, errors=(UnsupportedFileType, FileTooLarge, RateLimited, TooManyPending),
    links=UPLOAD_URL_LINKS,
)
async def create_upload_url(request: web.Request, params: UploadUrlParams) -> UploadUrl:
    """Create a job and a presigned PUT URL for its video."""
    settings = request.app[SETTINGS]
    job = await create_job(request, params.filename, params.content_type, params.size)
    return UploadUrl(
        job_id=job.job_id,
        upload_url=presign_upload(settings, job.s3_key, content_length=job.declared_size),
        s3_key=job.s3_key,
        expires_in=settings.upload_expiry_s,
        instructions=UPLOAD_INSTRUCTIONS,
    )


@routes.post(
    "/api/v1/analyze/confirm", "confirmUpload", "Confirm the upload; queues the job once (idempotent)",
    params=ConfirmParams, response=Confirmation,
    errors=(KeyMismatch, JobNotFound, UploadNotFound, JobCancelled, JobExpired, FileTooLarge),
)
async def confirm_upload(request: web.Request, params: ConfirmParams) -> Confirmation:
    """Acknowledge an upload: queue the job if the bucket event has not already; idempotent."""
    job = await load_job(request, params.job_id)
    if params.s3_key != job.s3_key:
        raise KeyMismatch(f"s3_key {params.s3_key!r} is not the key of job {params.job_id}")
    if job.status is JobStatus.AWAITING_UPLOAD:
        job = await request.app[INTAKE].admit(params.job_id, via="confirm")
    raise_if_refused(job)
    return Confirmation(
        job_id=job.job_id, status=job.status, stage=job.stage, s3_key=job.s3_key, message=confirm_message(job)
    )


@routes.get(
    "/api/v1/analyze", "listJobs", "The caller's jobs, newest first, a page at a time",
    description="Pages follow `next_cursor`; jobs created while paging appear on the first page, never as "
    "duplicates or gaps in later ones.",
    params=JobListParams, json_body=False, response=JobList,
)
async def list_jobs(request: web.Request, params: JobListParams) -> JobList:
    jobs, next_cursor = await request.app[JOBS].page(
        request[OWNER], limit=params.limit, cursor=params.cursor, status=params.status
    )
    s3, settings = request.app[PUBLIC_S3], request.app[SETTINGS]
    return JobList(jobs=[job_view(job, s3, settings) for job in jobs], next_cursor=next_cursor)


@routes.get(
    JOB_PATH, "getJob", "A job's status, progress, error and (once completed) result URLs",
    params=JobPath, json_body=False, response=Job, errors=(JobNotFound,),
)
async def get_job(request: web.Request, params: JobPath) -> Job:
    """A job's status, progress, error and (once completed) result URLs."""
    job = await load_job(request, params.job_id)
    return job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS])


@routes.post(
    JOB_PATH + "/cancel", "cancelJob",
    "Cancel a job whose processing has not started; a later upload for it is not analysed",
    params=JobPath, json_body=False, response=Job, errors=(JobNotFound, JobNotCancellable),
)
async def cancel_job(request: web.Request, params: JobPath) -> Job:
    """Cancel a job that has not started processing; a later upload for it is not analysed."""
    job = await load_job(request, params.job_id)

    def cancel(current: JobRecord) -> JobRecord | None:
        if current.status is JobStatus.CANCELLED:
            return None
        if current.status not in CANCELLABLE_STATUSES:
            raise JobNotCancellable(f"job {current.job_id} is {current.status.value}; only waiting jobs can be cancelled")
        return current.moved_to(JobStatus.CANCELLED)

    job = await request.app[JOBS].update(job.job_id, cancel)
    log.info("job %s cancelled", job.job_id)
    return job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS])


@routes.get("/healthz", "healthz", "Liveness: the process answers", response=Health, public=True)
async def healthz(request: web.Request) -> Health:
    """The process is alive."""
    return Health()


@routes.get(
    "/readyz", "readyz", "Readiness: NATS and MinIO both answer",
    response=Readiness, other_responses={503: Readiness}, public=True,
)
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
    readiness = Readiness(status="ready" if ready else "unavailable", nats=nats_ok, s3=s3_ok)
    return model_response(readiness, status=200 if ready else 503)
