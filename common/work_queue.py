"""Putting a job on the pose work stream, exactly once, from the listener or from ``/confirm``."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext
from pydantic import BaseModel

from common.broker import broker_errors
from common.job_store import JobStore
from common.jobs import Job, JobStatus
from common.settings import Settings

log = logging.getLogger(__name__)


class WorkOrder(BaseModel):
    """The body of one message on the work stream."""

    job_id: str
    bucket: str
    s3_key: str

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> WorkOrder:
        return cls.model_validate_json(data)


def work_message_id(job_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second queue entry for a job."""
    return f"pose:{job_id}"


async def queue_job(jobs: JobStore, js: JetStreamContext, settings: Settings, job_id: str, *, via: str) -> Job:
    """Queue a job whose upload exists; a job already queued (or further) is returned unchanged.

    The message is published *before* the record says ``queued``: if we die in between, the
    job is still ``awaiting_upload`` and the next event or confirm publishes again (the
    dedupe id drops the copy), so no job can be ``queued`` without a message behind it.
    """
    job = await jobs.get(job_id)
    if job.status is not JobStatus.AWAITING_UPLOAD:
        log.info("job %s already %s; not queued again (via %s)", job_id, job.status.value, via)
        return job
    order = WorkOrder(job_id=job_id, bucket=settings.bucket, s3_key=job.s3_key)
    async with broker_errors("queueing a job"):
        ack = await js.publish(
            settings.work_subject, order.to_json(), headers={"Nats-Msg-Id": work_message_id(job_id)}
        )
    queued = await jobs.update(job_id, _mark_queued)
    log.info("job %s queued via %s (stream seq %s%s)", job_id, via, ack.seq, ", duplicate" if ack.duplicate else "")
    return queued


def _mark_queued(job: Job) -> Job | None:
    if job.status is not JobStatus.AWAITING_UPLOAD:
        return None  # a worker or another queuer got there first
    return job.moved_to(JobStatus.QUEUED, progress=0.0)
