"""Creating a job and confirming its upload: what the single-PUT route, the multipart routes and the legacy
upload share (the endpoint tables stay thin and import this, never each other)."""
from __future__ import annotations

import logging
import uuid

from aiohttp import web

from domain.jobs import JobRecord, JobStatus
from domain.object_keys import upload_key
from gateway.app_keys import JOBS, RATE_LIMITER, SETTINGS
from gateway.auth import OWNER
from gateway.rate_limit import caller_of
from gateway.uploads import DEFAULT_CONTENT_TYPE, check_video_type, safe_filename
from infra.errors import FileTooLarge, JobCancelled, JobExpired

log = logging.getLogger(__name__)


def new_job(
    request: web.Request, filename: str, content_type: str, size: int | None = None, expires_in_s: int | None = None
) -> JobRecord:
    """A job waiting for its upload, not stored yet: the name made safe, name and type checked together
    (``size`` is checked with the parameters)."""
    settings = request.app[SETTINGS]
    filename = safe_filename(filename)
    content_type = check_video_type(filename, content_type or DEFAULT_CONTENT_TYPE)
    request.app[RATE_LIMITER].take(caller_of(request))
    job_id = str(uuid.uuid4())
    return JobRecord.new(
        job_id, filename, content_type, upload_key(job_id, filename), expires_in_s or settings.upload_expiry_s,
        owner=request[OWNER], declared_size=size,
    )


async def create_job(request: web.Request, filename: str, content_type: str, size: int | None = None) -> JobRecord:
    """Validate an upload's name and type and record a job waiting for it."""
    job = new_job(request, filename, content_type, size)
    await request.app[JOBS].create(job)
    log.info("job %s created for %s (%s%s)", job.job_id, job.filename, job.content_type, f", {size} bytes" if size else "")
    return job


def raise_if_refused(job: JobRecord) -> None:
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


def confirm_message(job: JobRecord) -> str:
    return CONFIRM_MESSAGES.get(job.status, f"The job is {job.status.value}")
