"""Job records in a NATS JetStream key-value bucket, changed only by compare-and-set."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from common.errors import JobNotFound
from common.jobs import Job, JobError, JobStatus
from common.record_store import RecordStore

log = logging.getLogger(__name__)

JobChange = Callable[[Job], Job | None]


class JobStore(RecordStore[Job]):
    """Reads and writes job records; every write checks the revision it read."""

    record_type = Job
    not_found = JobNotFound
    noun = "job"

    def key_of(self, record: Job) -> str:
        return record.job_id

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
        jobs = []
        for key in await self.keys():
            try:
                jobs.append(await self.get(key))
            except JobNotFound:
                continue  # deleted between listing and reading
        return jobs
