"""Reading a job on behalf of a caller: ownership, and bringing an overdue job up to date."""
from __future__ import annotations

from aiohttp import web

from domain.jobs import JobRecord
from gateway.app_keys import INTAKE, JOBS
from gateway.auth import OWNER

#: A job's path: any id except the names of the routes beside it, so that ``/api/v1/analyze/confirm``
#: is confirm alone (a GET there is a 405, not a search for a job called "confirm"); ``multipart``
#: has routes of its own below it.
JOB_PATH = "/api/v1/analyze/{job_id:(?!(?:confirm|upload-url|multipart)(?:/|$))[^/]+}"


async def load_job(request: web.Request, job_id: str) -> JobRecord:
    """The caller's job; one whose upload window has closed is settled first (queued or expired)."""
    job = await request.app[JOBS].get_owned(job_id, request.get(OWNER))
    if job.is_overdue():
        # Overdue means the window has closed: admit queues it or expires it, it cannot raise UploadNotFound.
        job = await request.app[INTAKE].admit(job.job_id, via="status read")
    return job
