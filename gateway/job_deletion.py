"""``DELETE /api/v1/analyze/{job_id}``: the job's upload (every version), results and record, gone.

Order: the job is cancelled first (a worker running it then discards whatever it makes, see
``pose_worker/job_runner.py``), then its objects go, then its record; an unfinished multipart
upload is aborted. Old presigned URLs then answer 404, and so does the API.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from domain.jobs import JobRecord, JobStatus
from domain.object_keys import job_results_prefix, job_uploads_prefix
from domain.stored_uploads import delete_prefix
from gateway.app_keys import JOBS, S3, SETTINGS
from gateway.endpoints import EndpointTable
from gateway.job_access import JOB_PATH, load_job
from gateway.models.jobs import Deleted, JobPath
from infra.errors import JobNotFound
from infra.s3_multipart import MultipartUploads

log = logging.getLogger(__name__)
deletion_routes = EndpointTable()


@deletion_routes.delete(
    JOB_PATH, "deleteJob", "Delete a job: its upload (every version), its results and its record",
    description="A job that is processing is cancelled first and its worker discards what it makes. "
    "Afterwards the job is 404, and so are its old presigned URLs.",
    params=JobPath, json_body=False, response=Deleted, errors=(JobNotFound,),
)
async def delete_job(request: web.Request, params: JobPath) -> Deleted:
    job = await load_job(request, params.job_id)
    jobs, s3, bucket = request.app[JOBS], request.app[S3], request.app[SETTINGS].bucket

    def cancel(current: JobRecord) -> JobRecord | None:
        return None if current.status.is_final else current.moved_to(JobStatus.CANCELLED)

    job = await jobs.update(job.job_id, cancel)
    if job.multipart is not None:
        await asyncio.to_thread(MultipartUploads(s3, bucket).abort, job.s3_key, job.multipart.upload_id)
    removed = 0
    for prefix in (job_uploads_prefix(job.job_id), job_results_prefix(job.job_id)):
        removed += await asyncio.to_thread(delete_prefix, s3, bucket, prefix)
    await jobs.delete_job(job)
    log.info("job %s deleted with %d object versions", job.job_id, removed)
    return Deleted(job_id=job.job_id, deleted=True)
