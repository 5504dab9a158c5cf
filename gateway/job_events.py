"""``GET /api/v1/analyze/{job_id}/events``: the job's status and progress as server-sent events.

Each change of the job record is sent as ``event: job`` with the same JSON as a GET of the job;
the stream ends after the job reaches a final status (``gateway/sse.py``).
"""
from __future__ import annotations

from aiohttp import web

from gateway.app_keys import JOBS, PUBLIC_S3, SETTINGS
from gateway.endpoints import EndpointTable
from gateway.job_access import JOB_PATH, load_job
from gateway.job_view import job_view
from gateway.models.jobs import JobEvent, JobPath
from gateway.sse import stream_record
from infra.errors import JobNotFound

event_routes = EndpointTable()


@event_routes.get(
    JOB_PATH + "/events", "streamJobEvents",
    "The job's status and progress as server-sent events, until it ends",
    description="Each change is an `event: job` whose data is the same JSON as GET /api/v1/analyze/{job_id}; "
    "the stream closes after a final status (completed, failed, expired, cancelled). "
    "Lines starting with ':' are heartbeats.",
    params=JobPath, json_body=False, response=JobEvent, content_type="text/event-stream", errors=(JobNotFound,),
)
async def job_events(request: web.Request, params: JobPath) -> web.StreamResponse:
    """Stream the job until it ends (completed, failed, expired or cancelled)."""
    job = await load_job(request, params.job_id)

    def encode(record) -> bytes:
        return JobEvent.of(job_view(record, request.app[PUBLIC_S3], request.app[SETTINGS])).encode()

    return await stream_record(
        request, job, lambda: request.app[JOBS].watch(job.job_id), encode, lambda record: record.status.is_final,
        f"job {job.job_id}",
    )
