"""Job records in a NATS JetStream key-value bucket, changed only by compare-and-set."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue

from common.broker import broker_errors
from common.errors import JobNotFound
from common.jobs import Job, JobError, JobStatus

log = logging.getLogger(__name__)

#: Revisions kept per job: enough to see its recent history with `nats kv history`.
JOB_HISTORY = 10

JobChange = Callable[[Job], Job | None]


class JobStore:
    """Reads and writes job records; every write checks the revision it read."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str) -> JobStore:
        """Bind to the job bucket, creating it when it does not exist yet."""
        async with broker_errors("opening the job store"):
            try:
                kv = await js.key_value(bucket)
            except BucketNotFoundError:
                kv = await js.create_key_value(
                    KeyValueConfig(bucket=bucket, history=JOB_HISTORY, storage=StorageType.FILE)
                )
        return cls(kv)

    async def create(self, job: Job) -> Job:
        async with broker_errors("creating a job"):
            await self._kv.create(job.job_id, job.to_json())
        return job

    async def get(self, job_id: str) -> Job:
        job, _ = await self._read(job_id)
        return job

    async def update(self, job_id: str, change: JobChange) -> Job:
        """Apply ``change`` to the current record with compare-and-set, retrying on conflict.

        ``change`` returns the new record, or None to leave the record as it is. It may run
        several times, so it must not have side effects.
        """
        while True:
            job, revision = await self._read(job_id)
            changed = change(job)
            if changed is None:
                return job
            try:
                async with broker_errors("updating a job"):
                    await self._kv.update(job_id, changed.to_json(), last=revision)
                return changed
            except KeyWrongLastSequenceError:
                log.debug("job %s changed underneath us; retrying", job_id)

    async def watch(self, job_id: str) -> AsyncIterator[Job]:
        """The job as it is now, then every new version of it, until the caller stops iterating."""
        if not _is_valid_job_id(job_id):
            raise JobNotFound(f"no job with id {job_id!r}")
        async with broker_errors("watching a job"):
            watcher = await self._kv.watch(job_id)
        try:
            async for entry in watcher:
                if entry is not None and entry.value:  # None marks "no more history"
                    yield Job.from_json(entry.value)
        finally:
            await watcher.stop()

    async def fail(self, job_id: str, code: str, message: str, **changes: Any) -> Job:
        """End a job ``failed`` with a reason, unless it has already ended."""

        ended_here = False

        def fail(job: Job) -> Job | None:
            nonlocal ended_here  # the change may run more than once; its last run decides
            ended_here = not job.status.is_final
            if not ended_here:
                return None
            return job.moved_to(JobStatus.FAILED, error=JobError(code=code, message=message), **changes)

        failed = await self.update(job_id, fail)
        if ended_here:
            log.warning("job %s failed: %s: %s", job_id, code, message)
        return failed

    async def list_jobs(self) -> list[Job]:
        """Every job record (reads them all: meant for the periodic sweep, not for requests)."""
        async with broker_errors("listing jobs"):
            try:
                keys = await self._kv.keys()
            except NoKeysError:
                return []
        jobs = []
        for key in keys:
            try:
                jobs.append(await self.get(key))
            except JobNotFound:
                continue  # deleted between listing and reading
        return jobs

    async def _read(self, job_id: str) -> tuple[Job, int]:
        if not _is_valid_job_id(job_id):
            raise JobNotFound(f"no job with id {job_id!r}")
        try:
            async with broker_errors("reading a job"):
                entry = await self._kv.get(job_id)
        except KeyNotFoundError as exc:
            raise JobNotFound(f"no job with id {job_id!r}") from exc
        return Job.from_json(entry.value), entry.revision


def _is_valid_job_id(job_id: str) -> bool:
    return bool(job_id) and len(job_id) <= 64 and all(c.isalnum() or c == "-" for c in job_id) and job_id.isascii()
