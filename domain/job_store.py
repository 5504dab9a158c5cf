"""Job records in a NATS JetStream key-value bucket, changed only by compare-and-set.

A store opened with ``UploadWaits`` (every process that creates or moves jobs) also keeps each
job's upload check: made with the job, removed by whichever change takes it out of ``awaiting_upload``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from domain.indexed_store import IndexedRecordStore
from domain.jobs import JobError, JobRecord, JobStatus
from domain.owner_index import OwnerIndex
from domain.upload_waits import UploadWaits
from infra.errors import JobNotFound

log = logging.getLogger(__name__)

JobChange = Callable[[JobRecord], JobRecord | None]
CHECKS_BACKFILL_MARK = "upload-checks-backfilled"


class JobStore(IndexedRecordStore[JobRecord]):
    """Reads and writes job records; every write checks the revision it read."""

    record_type = JobRecord
    not_found = JobNotFound
    noun = "job"

    def __init__(self, kv: KeyValue, index: OwnerIndex, waits: UploadWaits | None = None) -> None:
        super().__init__(kv, index)
        self.waits = waits

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str, waits: UploadWaits | None = None) -> JobStore:
        """The job records and their index, created when missing; with ``waits``, the store keeps the
        jobs' upload checks too."""
        return await super().open(js, bucket, waits)

    def key_of(self, record: JobRecord) -> str:
        return record.job_id

    async def create(self, record: JobRecord) -> JobRecord:
        """Store a new job; one waiting for its upload gets its checks first, and is refused with
        ``TooManyPending`` when its owner already has as many waiting as allowed."""
        # The check before the record (and its index entry): a check without its record is dropped; a
        # record without one would never be checked.
        if self.waits is not None and record.status is JobStatus.AWAITING_UPLOAD:
            await self.waits.add(record)
        return await super().create(record)

    async def update(self, key: str, change: JobChange) -> JobRecord:
        """``RecordStore.update``; a change that takes the job out of ``awaiting_upload`` also removes its upload check."""
        left_waiting = False

        def tracked(current: JobRecord) -> JobRecord | None:
            nonlocal left_waiting  # the change may run more than once; its last run decides
            changed = change(current)
            left_waiting = (
                changed is not None
                and current.status is JobStatus.AWAITING_UPLOAD
                and changed.status is not JobStatus.AWAITING_UPLOAD
            )
            return changed

        job = await super().update(key, tracked)
        if left_waiting and self.waits is not None:
            await self.waits.release(job)
        return job

    async def delete_job(self, job: JobRecord) -> None:
        """The record, its index entry and its upload check (the record first: an entry without one is skipped)."""
        await self.delete_indexed(job)
        if self.waits is not None:
            await self.waits.release(job)

    async def backfill_checks(self) -> int:
        """Give every job still waiting for its upload a check, if it was created before upload checks
        existed; once (a marker remembers it). Provisioning calls it."""
        if self.waits is None or await self.index.marked(CHECKS_BACKFILL_MARK):
            return 0
        waiting = [job for job in await self.all_records() if job.status is JobStatus.AWAITING_UPLOAD]
        for job in waiting:
            await self.waits.add_existing(job)
        await self.index.mark(CHECKS_BACKFILL_MARK)
        return len(waiting)

    async def page(
        self, owner: str | None, *, limit: int, cursor: str | None = None, status: JobStatus | None = None
    ) -> tuple[list[JobRecord], str | None]:
        """``IndexedRecordStore.page``, of the jobs in ``status`` only when it is given."""
        keep = None if status is None else (lambda job: job.status is status)
        return await super().page(owner, limit=limit, cursor=cursor, keep=keep)

    async def fail(self, job_id: str, code: str, message: str, **changes: Any) -> JobRecord:
        """End a job ``failed`` with a reason, unless it has already ended."""

        ended_here = False

        def fail(job: JobRecord) -> JobRecord | None:
            nonlocal ended_here  # the change may run more than once; its last run decides
            ended_here = not job.status.is_final
            if not ended_here:
                return None
            return job.moved_to(JobStatus.FAILED, error=JobError(code=code, message=message), **changes)

        failed = await self.update(job_id, fail)
        if ended_here:
            log.warning("job %s failed: %s: %s", job_id, code, message)
        return failed
