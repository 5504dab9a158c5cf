"""``GET /api/v1/analyze/{job_id}/events``: the job's status and progress as server-sent events.

Each change of the job record is sent as ``event: job`` with the same JSON as a GET of the job;
the stream ends after the job reaches a final status. Comment lines keep idle connections open.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from common.errors import JobNotFound
from gateway.app_keys import JOBS, PUBLIC_S3, SETTINGS
from gateway.endpoints import EndpointTable
from gateway.job_access import JOB_PATH, load_job
from gateway.job_view import job_view
from gateway.models.jobs import JobEvent, JobPath

log = logging.getLogger(__name__)
event_routes = EndpointTable()

#: Proxies and browsers drop connections silent for a minute; a comment every 15 s prevents it.
HEARTBEAT_S = 15.0
#: How long a browser's EventSource waits before reconnecting after a dropped stream.
RECONNECT_MS = 2000


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
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
    try:
        await _send(request, response, job)
        if not job.status.is_final:
            await _follow(request, response, job.job_id)
        await response.write_eof()
    except ConnectionResetError:
        log.info("job %s: event stream closed by the client", job.job_id)
    return response


async def _follow(request: web.Request, response: web.StreamResponse, job_id: str) -> None:
    """Send every new version of the job until it is final, with heartbeats while nothing changes."""
    updates = request.app[JOBS].watch(job_id)
    # The next update is awaited as a task, not with wait_for: a timeout must not cancel (and so
    # close) the watch generator, only give the heartbeat its turn.
    pending: asyncio.Future | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(updates))
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_S)
            if not done:
                await response.write(b": keep-alive\n\n")
                continue
            job, pending = pending.result(), None
            await _send(request, response, job)
            if job.status.is_final:
                return
    finally:
        if pending is not None:
            pending.cancel()
        await updates.aclose()


async def _send(request: web.Request, response: web.StreamResponse, job) -> None:
    view = job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS])
    await response.write(JobEvent.of(view).encode())
