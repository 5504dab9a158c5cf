"""``/api/v1/compare``: compare an attempt with a reference dance; the work runs on compare workers."""
from __future__ import annotations

import logging
import uuid

from aiohttp import web

from domain.comparisons import ComparisonRecord, ComparisonStatus
from domain.jobs import JobStatus, utc_now
from domain.work_orders import CompareOrder, compare_message_id
from gateway.app_keys import COMPARISONS, NATS_CONNECTION, PUBLIC_S3, SETTINGS
from gateway.auth import OWNER
from gateway.comparison_view import comparison_view
from gateway.endpoints import EndpointTable
from gateway.job_access import load_job
from gateway.models.comparisons import (
    CompareParams,
    Comparison,
    ComparisonEvent,
    ComparisonList,
    ComparisonListParams,
    ComparisonPath,
)
from gateway.sse import stream_record
from infra.broker import publish_once
from infra.errors import ComparisonNotFound, JobNotCompleted, JobNotFound

log = logging.getLogger(__name__)
comparison_routes = EndpointTable()

COMPARISON_PATH = "/api/v1/compare/{comparison_id}"
LINKS = {
    "GetComparison": {"operationId": "getComparison", "parameters": {"path.comparison_id": "$response.body#/comparison_id"}},
    "StreamComparisonEvents": {
        "operationId": "streamComparisonEvents", "parameters": {"path.comparison_id": "$response.body#/comparison_id"}
    },
}


@comparison_routes.post(
    "/api/v1/compare", "createComparison", "Compare an attempt with a reference dance (runs in the background)",
    description="Both jobs must be the caller's and completed. Answers 202 at once; follow "
    "GET /api/v1/compare/{comparison_id} or its /events until the status is completed or failed.",
    params=CompareParams, response=Comparison, status=202, errors=(JobNotFound, JobNotCompleted), links=LINKS,
)
async def create_comparison(request: web.Request, params: CompareParams) -> Comparison:
    for job_id in (params.reference_job_id, params.job_id):
        job = await load_job(request, job_id)
        if job.status is not JobStatus.COMPLETED:
            raise JobNotCompleted(f"job {job_id} is {job.status.value}; only completed jobs can be compared")
    now = utc_now()
    record = ComparisonRecord(
        comparison_id=str(uuid.uuid4()), status=ComparisonStatus.QUEUED, reference_job_id=params.reference_job_id,
        job_id=params.job_id, mirror=params.mirror, reference_track_id=params.reference_track_id,
        track_id=params.track_id, owner=request[OWNER], created_at=now, updated_at=now,
    )
    settings = request.app[SETTINGS]
    # The message goes first: a comparison record never waits for work that was not queued (a
    # worker that meets a message before its record waits for it).
    await publish_once(
        request.app[NATS_CONNECTION].jetstream(), settings.compare_subject,
        CompareOrder(comparison_id=record.comparison_id).to_json(),
        message_id=compare_message_id(record.comparison_id), doing="queueing a comparison",
    )
    await request.app[COMPARISONS].create(record)
    log.info("comparison %s queued: %s against reference %s", record.comparison_id, params.job_id, params.reference_job_id)
    return comparison_view(record, request.app[PUBLIC_S3], settings)


@comparison_routes.get(
    "/api/v1/compare", "listComparisons", "The caller's comparisons, newest first, a page at a time",
    description="Pages follow `next_cursor`, as GET /api/v1/analyze does; comparisons made while paging appear "
    "on the first page, never as duplicates or gaps in later ones.",
    params=ComparisonListParams, json_body=False, response=ComparisonList,
)
async def list_comparisons(request: web.Request, params: ComparisonListParams) -> ComparisonList:
    comparisons, next_cursor = await request.app[COMPARISONS].page(
        request[OWNER], limit=params.limit, cursor=params.cursor
    )
    s3, settings = request.app[PUBLIC_S3], request.app[SETTINGS]
    return ComparisonList(
        comparisons=[comparison_view(comparison, s3, settings) for comparison in comparisons], next_cursor=next_cursor
    )


async def load_comparison(request: web.Request, comparison_id: str) -> ComparisonRecord:
    return await request.app[COMPARISONS].get_owned(comparison_id, request.get(OWNER))


@comparison_routes.get(
    COMPARISON_PATH, "getComparison", "A comparison's status and, once completed, its result",
    params=ComparisonPath, json_body=False, response=Comparison, errors=(ComparisonNotFound,),
)
async def get_comparison(request: web.Request, params: ComparisonPath) -> Comparison:
    comparison = await load_comparison(request, params.comparison_id)
    return comparison_view(comparison, request.app[PUBLIC_S3], request.app[SETTINGS])


@comparison_routes.get(
    COMPARISON_PATH + "/events", "streamComparisonEvents",
    "The comparison's status as server-sent events, until it ends",
    description="Each change is an `event: comparison` whose data is the same JSON as GET "
    "/api/v1/compare/{comparison_id}; the stream closes after completed or failed. Lines starting with ':' are heartbeats.",
    params=ComparisonPath, json_body=False, response=ComparisonEvent, content_type="text/event-stream",
    errors=(ComparisonNotFound,),
)
async def comparison_events(request: web.Request, params: ComparisonPath) -> web.StreamResponse:
    comparison = await load_comparison(request, params.comparison_id)

    def encode(record: ComparisonRecord) -> bytes:
        return ComparisonEvent.of(comparison_view(record, request.app[PUBLIC_S3], request.app[SETTINGS])).encode()

    return await stream_record(
        request, comparison, lambda: request.app[COMPARISONS].watch(comparison.comparison_id), encode,
        lambda record: record.status.is_final, f"comparison {comparison.comparison_id}",
    )
