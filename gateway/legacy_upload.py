"""The deprecated ``POST /api/v1/analyze`` (multipart ``file``), streamed straight into the bucket.

The body goes from the socket to MinIO in 5 MiB parts; the gateway never holds the file.
"""
from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import BadHttpMessage

from domain.jobs import JobRecord
from gateway.app_keys import INTAKE, JOBS, PUBLIC_S3, S3, SETTINGS
from gateway.endpoints import EndpointTable, model_response
from gateway.job_view import job_view
from gateway.models.jobs import Job
from gateway.models.uploads import LegacyUploadForm
from gateway.job_creation import create_job
from gateway.uploads import SUPPORTED_TYPES
from infra.errors import (
    FileTooLarge,
    InvalidRequest,
    MissingParameter,
    RateLimited,
    TooManyPending,
    UnsupportedFileType,
)
from infra.storage import storage_errors

log = logging.getLogger(__name__)
legacy_routes = EndpointTable()

#: RFC 9745: deprecated since 2026-11-24 00:00 UTC.
DEPRECATION = "@1795478400"
SUCCESSOR_LINK = '</api/v1/analyze/upload-url>; rel="successor-version"'
#: S3's smallest multipart part; minio-py holds one part in memory at a time.
PART_SIZE = 5 * 1024**2


#: Bytes pulled from the socket per read; aiohttp needs more than the multipart boundary.
READ_CHUNK = 256 * 1024


class PartStream:
    """A blocking ``read(n)`` over a multipart field, for minio-py running in a worker thread."""

    def __init__(self, field: BodyPartReader, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self._field = field
        self._loop = loop
        self._limit = limit
        self._pending = b""
        self.received = 0

    def read(self, size: int = PART_SIZE) -> bytes:
        if not self._pending:
            self._pending = self._pull()
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def _pull(self) -> bytes:
        with multipart_errors():
            chunk = asyncio.run_coroutine_threadsafe(self._field.read_chunk(READ_CHUNK), self._loop).result()
        self.received += len(chunk)
        if self.received > self._limit:
            # Raising here makes minio-py abort the multipart upload: nothing is stored.
            raise FileTooLarge(f"the upload is over the limit of {self._limit} bytes")
        return chunk


@legacy_routes.post(
    "/api/v1/analyze", "analyzeUpload", "Upload a video through the gateway (deprecated: use upload-url)",
    body=("multipart/form-data", LegacyUploadForm), response=Job, deprecated=True,
    body_encoding={"file": {"contentType": ", ".join(SUPPORTED_TYPES)}},
    errors=(InvalidRequest, MissingParameter, UnsupportedFileType, FileTooLarge, RateLimited, TooManyPending),
    headers={
        "Deprecation": "RFC 9745: when this endpoint was deprecated, as `@<unix time>`",
        "Link": 'The successor: `</api/v1/analyze/upload-url>; rel="successor-version"`',
    },
)
async def legacy_upload(request: web.Request) -> web.Response:
    """Deprecated: upload through the API. Use upload-url and a direct PUT instead."""
    job = await _receive(request)
    view = job_view(job, request.app[PUBLIC_S3], request.app[SETTINGS])
    return model_response(view, headers={"Deprecation": DEPRECATION, "Link": SUCCESSOR_LINK})


@contextmanager
def multipart_errors() -> Iterator[None]:
    """A body that is not well-formed multipart is the client's error (400), not ours."""
    try:
        yield
    except (ValueError, BadHttpMessage) as exc:
        raise InvalidRequest(f"the multipart body is malformed: {exc}") from exc


async def _find_file_field(request: web.Request) -> BodyPartReader | None:
    with multipart_errors():
        reader = await request.multipart()
        field = await reader.next()
        while field is not None and not (isinstance(field, BodyPartReader) and field.name == "file"):
            await field.release()
            field = await reader.next()
    return field


async def _receive(request: web.Request) -> JobRecord:
    if not request.content_type.startswith("multipart/"):
        raise InvalidRequest("send multipart/form-data with the video in a field named 'file'")
    field = await _find_file_field(request)
    if field is None or not field.filename:
        raise MissingParameter("the multipart field 'file' (with a filename) is required")
    job = await create_job(request, field.filename, _content_type(field))
    settings, s3 = request.app[SETTINGS], request.app[S3]
    stream = PartStream(field, asyncio.get_running_loop(), settings.max_upload_bytes)

    def upload() -> None:
        with storage_errors("storing the upload"):
            s3.put_object(
                settings.bucket, job.s3_key, stream, length=-1, part_size=PART_SIZE,
                content_type=job.content_type, num_parallel_uploads=1,
            )

    try:
        await asyncio.to_thread(upload)
    except (FileTooLarge, InvalidRequest) as exc:
        # Nothing was stored (minio-py aborted the multipart upload): the job can never run.
        await request.app[JOBS].fail(job.job_id, exc.code, exc.message)
        raise
    log.info("job %s: legacy upload stored, %d bytes", job.job_id, stream.received)
    # The bucket event would queue it too; admitting now lets the answer already say "queued".
    return await request.app[INTAKE].admit(job.job_id, via="legacy upload")


def _content_type(field: BodyPartReader) -> str:
    declared = field.headers.get("Content-Type", "")
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(field.filename or "")
    return guessed or ""

