"""``/api/v1/analyze/multipart``: a video of any size uploaded in parts straight to the bucket, resumable.

The gateway signs one UploadPart URL per part, each for that part's exact length, so the parts can
only add up to the declared size; it never sees the bytes. The bucket's CompleteMultipartUpload
event queues the job exactly as a single PUT's event does.
"""
from __future__ import annotations

import asyncio
import logging
import math

from aiohttp import web

from domain.jobs import JobRecord, JobStatus, MultipartRecord
from gateway.app_keys import INTAKE, JOBS, PUBLIC_S3, S3, SETTINGS
from gateway.endpoints import EndpointTable
from gateway.job_access import load_job
from gateway.job_view import job_view
from gateway.models.jobs import Job
from gateway.models.multipart import (
    CompleteParams,
    JobPathParams,
    MultipartParams,
    MultipartState,
    MultipartUpload,
    PartsParams,
    PartUrls,
    UploadedPart,
)
from gateway.models.uploads import Confirmation
from gateway.presign import presign_upload
from gateway.job_creation import confirm_message, new_job, raise_if_refused
from infra.errors import (
    DanceError,
    FileTooLarge,
    IncompleteUpload,
    InvalidParameter,
    InvalidPart,
    JobNotFound,
    NotMultipart,
    RateLimited,
    TooManyPending,
    UnsupportedFileType,
    UploadClosed,
    UploadNotFound,
)
from infra.s3_multipart import MAX_PARTS, MultipartUploads, S3Part

log = logging.getLogger(__name__)
multipart_routes = EndpointTable()

MULTIPART_PATH = "/api/v1/analyze/multipart"
JOB_UPLOAD_PATH = MULTIPART_PATH + "/{job_id}"
#: 16 MiB parts keep part counts small for phone videos (S3 allows ``MAX_PARTS``).
MIN_PART_SIZE = 16 * 1024**2
INSTRUCTIONS = (
    "POST .../parts with part_numbers for presigned URLs, PUT each part's bytes (exactly its size), "
    "then POST .../complete; GET .../multipart/{job_id} lists what is stored, to resume"
)


def part_size_for(size: int) -> int:
    return max(MIN_PART_SIZE, math.ceil(size / MAX_PARTS))


def _uploads(request: web.Request) -> MultipartUploads:
    return MultipartUploads(request.app[S3], request.app[SETTINGS].bucket)


@multipart_routes.post(
    MULTIPART_PATH, "createMultipartUpload", "Create a job whose video is uploaded in parts (resumable, any size)",
    params=MultipartParams, response=MultipartUpload,
    errors=(UnsupportedFileType, FileTooLarge, RateLimited, TooManyPending),
)
async def create_multipart_upload(request: web.Request, params: MultipartParams) -> MultipartUpload:
    settings = request.app[SETTINGS]
    job = new_job(request, params.filename, params.content_type, params.size, settings.multipart_expiry_s)
    upload_id = await asyncio.to_thread(_uploads(request).create, job.s3_key, job.content_type)
    part_size = part_size_for(params.size)
    multipart = MultipartRecord(
        upload_id=upload_id, size=params.size, part_size=part_size, part_count=math.ceil(params.size / part_size)
    )
    try:
        await request.app[JOBS].create(job.model_copy(update={"multipart": multipart}))
    except DanceError:  # refused (too many waiting) or NATS is down: no job will ever abort the upload
        await asyncio.to_thread(_uploads(request).abort, job.s3_key, upload_id)
        raise
    log.info("job %s: multipart upload of %d bytes in %d parts", job.job_id, params.size, multipart.part_count)
    return MultipartUpload(
        job_id=job.job_id, s3_key=job.s3_key, upload_id=upload_id, part_size=part_size,
        part_count=multipart.part_count, expires_in=settings.multipart_expiry_s, instructions=INSTRUCTIONS,
    )


async def load_multipart_job(request: web.Request, job_id: str) -> tuple[JobRecord, MultipartRecord]:
    job = await load_job(request, job_id)
    if job.multipart is None:
        raise NotMultipart(f"job {job_id} was created for a single upload, not a multipart one")
    return job, job.multipart


@multipart_routes.post(
    JOB_UPLOAD_PATH + "/parts", "signUploadParts", "Presigned URLs for parts, each for its exact size; ask again any time",
    params=PartsParams, response=PartUrls, errors=(JobNotFound, NotMultipart, UploadClosed), body_only=("part_numbers",),
)
async def sign_parts(request: web.Request, params: PartsParams) -> PartUrls:
    settings = request.app[SETTINGS]
    job, multipart = await load_multipart_job(request, params.job_id)
    if job.status is not JobStatus.AWAITING_UPLOAD:
        raise UploadClosed(f"job {job.job_id} is {job.status.value}; it takes no more parts")
    beyond = sorted({n for n in params.part_numbers if n > multipart.part_count})
    if beyond:
        raise InvalidParameter(f"parameter 'part_numbers': the upload has parts 1 to {multipart.part_count}, not {beyond}")
    urls = {
        str(number): presign_upload(
            settings, job.s3_key, content_length=multipart.part_length(number), part=(multipart.upload_id, number)
        )
        for number in sorted(set(params.part_numbers))
    }
    return PartUrls(urls=urls, expires_in=settings.upload_expiry_s)


@multipart_routes.get(
    JOB_UPLOAD_PATH, "getMultipartUpload", "The parts stored so far (to resume an upload)",
    params=JobPathParams, json_body=False, response=MultipartState, errors=(JobNotFound, NotMultipart, UploadClosed),
)
async def get_multipart_upload(request: web.Request, params: JobPathParams) -> MultipartState:
    job, multipart = await load_multipart_job(request, params.job_id)
    parts = await _stored_parts(request, job, multipart)
    return MultipartState(
        job_id=job.job_id, upload_id=multipart.upload_id, size=multipart.size, part_size=multipart.part_size,
        part_count=multipart.part_count,
        parts=[UploadedPart(part_number=p.part_number, etag=p.etag, size=p.size) for p in parts],
    )


async def _stored_parts(request: web.Request, job: JobRecord, multipart: MultipartRecord) -> list[S3Part]:
    try:
        return await asyncio.to_thread(_uploads(request).parts, job.s3_key, multipart.upload_id)
    except UploadNotFound:
        raise UploadClosed(f"job {job.job_id} is {job.status.value}; its multipart upload is closed") from None


@multipart_routes.post(
    JOB_UPLOAD_PATH + "/complete", "completeMultipartUpload",
    "Join the parts into the video and queue the job (idempotent, like confirm)",
    params=CompleteParams, response=Confirmation, body_only=("parts",),
    errors=(JobNotFound, NotMultipart, IncompleteUpload, InvalidPart, UploadClosed),
)
async def complete_multipart_upload(request: web.Request, params: CompleteParams) -> Confirmation:
    job, multipart = await load_multipart_job(request, params.job_id)
    if job.status is JobStatus.AWAITING_UPLOAD:
        try:
            stored = await asyncio.to_thread(_uploads(request).parts, job.s3_key, multipart.upload_id)
        except UploadNotFound:
            stored = None  # completed already (a second call, or a lost answer): the object is there
        if stored is not None:
            _check_parts(multipart, stored, params)
            await asyncio.to_thread(
                _uploads(request).complete, job.s3_key, multipart.upload_id, [(p.part_number, p.etag) for p in stored]
            )
            log.info("job %s: multipart upload completed, %d parts", job.job_id, len(stored))
        job = await request.app[INTAKE].admit(job.job_id, via="multipart complete")
    raise_if_refused(job)
    return Confirmation(
        job_id=job.job_id, status=job.status, stage=job.stage, s3_key=job.s3_key, message=confirm_message(job)
    )


def _check_parts(multipart: MultipartRecord, stored: list[S3Part], params: CompleteParams) -> None:
    """Every part there at its exact size, and, when the client lists ETags, the same ones."""
    by_number = {part.part_number: part for part in stored}
    missing = [n for n in range(1, multipart.part_count + 1) if n not in by_number]
    wrong = [n for n, part in by_number.items() if n <= multipart.part_count and part.size != multipart.part_length(n)]
    if missing or wrong:
        problems = ([f"missing parts {_ranges(missing)}"] if missing else []) + (
            [f"parts of the wrong size {_ranges(wrong)}"] if wrong else []
        )
        raise IncompleteUpload(f"the upload is not complete: {'; '.join(problems)}")
    for part in params.parts or ():
        stored_part = by_number.get(part.part_number)
        if stored_part is None or stored_part.etag != part.etag.strip('"'):
            raise InvalidPart(f"part {part.part_number}: ETag {part.etag!r} is not the part stored")


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``1-3, 7``."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


@multipart_routes.delete(
    JOB_UPLOAD_PATH, "abortMultipartUpload", "Abort the upload (its parts are deleted) and cancel the job",
    params=JobPathParams, json_body=False, response=Job, errors=(JobNotFound, NotMultipart, UploadClosed),
)
async def abort_multipart_upload(request: web.Request, params: JobPathParams) -> Job:
    job, multipart = await load_multipart_job(request, params.job_id)
    if job.status not in (JobStatus.AWAITING_UPLOAD, JobStatus.CANCELLED):
        raise UploadClosed(f"job {job.job_id} is {job.status.value}; its upload is complete")
    await asyncio.to_thread(_uploads(request).abort, job.s3_key, multipart.upload_id)

    def cancel(current: JobRecord) -> JobRecord | None:
        if current.status is not JobStatus.AWAITING_UPLOAD:
            return None
        return current.moved_to(JobStatus.CANCELLED)

    job = await request.app[JOBS].update(job.job_id, cancel)
    log.info("job %s: multipart upload aborted, job %s", job.job_id, job.status.value)
    return job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS])
