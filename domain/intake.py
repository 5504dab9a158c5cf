"""Admitting an uploaded video into the pipeline: once, the first version, within the size cap.

``/confirm``, the listener's bucket events and its upload checks all come through here, so they
agree on what a job analyses and can race each other harmlessly. Every move out of
``awaiting_upload`` also removes the job's upload check (``JobStore.update``).
"""
from __future__ import annotations

import asyncio
import logging

from minio import Minio
from nats.js import JetStreamContext

from domain.job_store import JobStore
from domain.jobs import JobError, JobRecord, JobStatus, UploadRecord
from domain.stored_uploads import delete_upload, find_first_upload
from domain.work_orders import WorkOrder, work_message_id
from infra.broker import publish_once
from infra.errors import UploadNotFound
from infra.s3_multipart import MultipartUploads
from infra.settings import Settings

log = logging.getLogger(__name__)


class UploadIntake:
    """Moves jobs out of ``awaiting_upload``: to queued, failed (too large) or expired."""

    def __init__(self, settings: Settings, jobs: JobStore, js: JetStreamContext, s3: Minio) -> None:
        self.settings = settings
        self.jobs = jobs
        self.js = js
        self._s3 = s3

    async def admit(self, job_id: str, *, via: str) -> JobRecord:
        """Queue the job if its upload is there; returns the job as it now stands.

        Raises ``UploadNotFound`` while the upload window is open and nothing is uploaded; once
        the window has closed with nothing uploaded, the job becomes ``expired``.
        """
        job = await self.jobs.get(job_id)
        if job.status is not JobStatus.AWAITING_UPLOAD:
            return job
        upload = await asyncio.to_thread(find_first_upload, self._s3, self.settings.bucket, job.s3_key)
        if upload is None:
            if job.is_overdue():
                return await self._expire(job)
            raise UploadNotFound(f"nothing has been uploaded to {job.s3_key} yet")
        if upload.size > self.settings.max_upload_bytes:
            return await self._reject_too_large(job, upload)
        return await self._queue(job, upload, via)

    async def _queue(self, job: JobRecord, upload: UploadRecord, via: str) -> JobRecord:
        """Publish before marking ``queued``: dying in between leaves the job ``awaiting_upload``,
        and the next attempt publishes again (the dedupe id drops the copy), so no job is ever
        ``queued`` without a message behind it."""
        order = WorkOrder(job_id=job.job_id, bucket=self.settings.bucket, s3_key=job.s3_key, version_id=upload.version_id)
        ack = await publish_once(
            self.js, self.settings.work_subject, order.to_json(), message_id=work_message_id(job.job_id), doing="queueing a job"
        )

        def mark_queued(current: JobRecord) -> JobRecord | None:
            if current.status is JobStatus.PROCESSING and current.upload is None:
                return current.model_copy(update={"upload": upload})  # a worker was quicker than us
            if current.status is not JobStatus.AWAITING_UPLOAD:
                return None
            return current.moved_to(JobStatus.QUEUED, progress=0.0, upload=upload)

        queued = await self.jobs.update(job.job_id, mark_queued)
        log.info(
            "job %s queued via %s: version %s, %d bytes (stream seq %s%s)",
            job.job_id, via, upload.version_id, upload.size, ack.seq, ", duplicate" if ack.duplicate else "",
        )
        return queued

    async def _expire(self, job: JobRecord) -> JobRecord:
        job_id = job.job_id
        if job.multipart is not None:
            # Abort first: should it fail, the job stays waiting and its check tries again,
            # so no parts are ever left behind an expired job.
            uploads = MultipartUploads(self._s3, self.settings.bucket)
            if await asyncio.to_thread(uploads.abort, job.s3_key, job.multipart.upload_id):
                log.info("job %s: multipart upload %s aborted at expiry", job_id, job.multipart.upload_id)

        def expire(current: JobRecord) -> JobRecord | None:
            if current.status is not JobStatus.AWAITING_UPLOAD:
                return None
            return current.moved_to(
                JobStatus.EXPIRED,
                error=JobError(code="job_expired", message="no video was uploaded before the upload URL expired"),
            )

        job = await self.jobs.update(job_id, expire)
        log.info("job %s is %s", job_id, job.status.value)
        return job

    async def _reject_too_large(self, job: JobRecord, upload: UploadRecord) -> JobRecord:
        limit = self.settings.max_upload_bytes
        message = f"the upload is {upload.size} bytes; the limit is {limit} bytes"
        failed = await self.jobs.fail(job.job_id, "file_too_large", message, upload=upload)
        await asyncio.to_thread(delete_upload, self._s3, self.settings.bucket, job.s3_key)
        log.info("job %s: upload over the cap deleted", job.job_id)
        return failed

    async def note_late_upload(self, job: JobRecord, version_id: str | None) -> JobRecord:
        """Record, once per version, an upload that arrived after the job stopped taking one."""
        if version_id is None or (job.upload is not None and version_id == job.upload.version_id):
            return job
        if job.status is JobStatus.CANCELLED or job.status is JobStatus.EXPIRED:
            warning = f"an upload (version {version_id}) arrived after the job was {job.status.value}; it was not analysed"
        else:
            warning = f"a second upload (version {version_id}) was ignored; the job analyses the first upload only"

        def note(current: JobRecord) -> JobRecord | None:
            if version_id in current.ignored_versions:
                return None
            noted = current.with_warning(warning)
            return noted.model_copy(update={"ignored_versions": [*current.ignored_versions, version_id]})

        return await self.jobs.update(job.job_id, note)
