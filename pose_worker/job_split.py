"""A long video's job split across workers: its chunk plan recorded on the job, one message queued per chunk.

The worker that takes a job's message and finds the video longer than twice ``DANCE_CHUNK_S``
records a chunk plan on the job (compare-and-set), queues one message per chunk (``Nats-Msg-Id``
``pose:{job}:chunk:{i}``, so each is queued once) and acks its own; ``pose_worker/chunk_runner.py``
runs the chunks.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from nats.js import JetStreamContext

from domain.job_store import JobStore
from domain.jobs import JobRecord, JobStatus
from domain.work_orders import WorkOrder, chunk_message_id
from infra.broker import publish_once
from infra.settings import Settings
from pose_worker.chunk_plan import chunk_plan_of, chunk_starts

log = logging.getLogger(__name__)


class JobSplitter:
    """Splits a long video's job into chunks; without ``js`` (or with ``DANCE_CHUNK_S=0``) every job runs whole."""

    def __init__(self, settings: Settings, jobs: JobStore, js: JetStreamContext | None) -> None:
        self._settings = settings
        self._jobs = jobs
        self._js = js

    async def split(self, order: WorkOrder, seq: int, video_path: Path) -> bool:
        """Plan the job's chunks and queue their messages when the video is long enough; False: run it whole."""
        settings = self._settings
        if settings.chunk_s <= 0 or self._js is None:
            return False
        starts = await asyncio.to_thread(
            chunk_starts, video_path, settings.chunk_s, settings.max_video_duration_s, order.job_id
        )
        if starts is None:
            return False
        plan = chunk_plan_of(starts)

        def record(job: JobRecord) -> JobRecord | None:
            if job.status is not JobStatus.PROCESSING or job.work_seq != seq or job.chunk_plan is not None:
                return None  # ended, or planned by an earlier delivery of this message: that plan stands
            return job.moved_to(JobStatus.PROCESSING, stage=job.stage, chunk_plan=plan, progress=0.0)

        job = await self._jobs.update(order.job_id, record)
        if job.status is not JobStatus.PROCESSING or job.work_seq != seq or job.chunk_plan is None:
            log.info("job %s is %s; not split", order.job_id, job.status.value)
            return True
        # Published after the plan is recorded, so every chunk message finds its chunk; a crash in
        # between leaves this message unacked, and its redelivery publishes them (again: dropped as copies).
        for index in range(len(job.chunk_plan.chunks)):
            await publish_once(
                self._js, settings.work_subject, order.model_copy(update={"chunk": index}).to_json(),
                message_id=chunk_message_id(order.job_id, index), doing="queueing a chunk",
            )
        log.info("job %s split into %d chunks at %s s", order.job_id, len(job.chunk_plan.chunks), starts)
        return True
