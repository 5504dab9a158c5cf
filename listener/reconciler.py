"""The periodic sweep: queue waiting jobs whose notification was lost, expire the overdue ones."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta

from common.broker import broker_errors
from common.errors import DanceError, UploadNotFound
from common.intake import UploadIntake
from common.jobs import Job, JobStatus, utc_now
from listener.metrics import JOBS, QUEUE_DEPTH

log = logging.getLogger(__name__)

#: A job this young may simply have its event in flight; looking would only add S3 load.
MIN_AGE_FOR_CHECK = timedelta(seconds=10)


async def reconcile_once(intake: UploadIntake) -> int:
    """One pass over the jobs still awaiting their upload; returns how many changed.

    The pass also refreshes the job and queue-depth gauges.
    """
    changed = 0
    now = utc_now()
    jobs = await intake.jobs.list_jobs()
    await _record_gauges(intake, jobs)
    for job in jobs:
        if job.status is not JobStatus.AWAITING_UPLOAD:
            continue
        if now - job.created_at < MIN_AGE_FOR_CHECK and not job.is_overdue(now):
            continue
        try:
            after = await intake.admit(job.job_id, via="reconciler")
        except UploadNotFound:
            continue
        if after.status is not JobStatus.AWAITING_UPLOAD:
            changed += 1
            log.info("reconciler: job %s -> %s", job.job_id, after.status.value)
    return changed


async def _record_gauges(intake: UploadIntake, jobs: list[Job]) -> None:
    counts = Counter(job.status for job in jobs)
    for status in JobStatus:
        JOBS.labels(status.value).set(counts.get(status, 0))
    settings = intake.settings
    async with broker_errors("reading the work queue's depth"):
        consumer = await intake.js.consumer_info(settings.work_stream, settings.worker_durable)
    QUEUE_DEPTH.set(consumer.num_pending)


async def run_reconciler(intake: UploadIntake, interval_s: float, stop: asyncio.Event) -> None:
    """Sweep every ``interval_s`` until ``stop`` is set; a failed pass is logged and retried."""
    while not stop.is_set():
        try:
            await reconcile_once(intake)
        except DanceError as exc:
            log.warning("reconciler pass failed: %s", exc.message)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except asyncio.TimeoutError:
            pass
