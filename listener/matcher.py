"""Decide what a bucket event means for the pipeline and act on it."""
from __future__ import annotations

import enum
import logging
import re

from nats.js import JetStreamContext

from common.errors import JobNotFound
from common.job_store import JobStore
from common.provision import UPLOADS_PREFIX
from common.settings import Settings
from common.work_queue import queue_job
from listener.events import BucketEvent

log = logging.getLogger(__name__)

#: ``uploads/{job_id}/{filename}``; the job id is a UUID.
UPLOAD_KEY = re.compile(re.escape(UPLOADS_PREFIX) + r"(?P<job_id>[0-9a-fA-F-]{36})/[^/]+")


class Outcome(enum.Enum):
    QUEUED = "queued"
    ALREADY_HANDLED = "already_handled"
    IGNORED = "ignored"
    UNKNOWN_JOB = "unknown_job"


def job_id_from_key(key: str) -> str | None:
    """The job id in an upload key, or None when the key is not an upload."""
    match = UPLOAD_KEY.fullmatch(key)
    return match.group("job_id").lower() if match else None


async def match_event(event: BucketEvent, jobs: JobStore, js: JetStreamContext, settings: Settings) -> Outcome:
    """Queue the job an upload event belongs to; anything else is ignored."""
    if event.bucket != settings.bucket or not event.is_object_created:
        return Outcome.IGNORED
    job_id = job_id_from_key(event.key)
    if job_id is None:
        return Outcome.IGNORED
    try:
        job = await jobs.get(job_id)
    except JobNotFound:
        return Outcome.UNKNOWN_JOB
    if job.s3_key != event.key:
        log.warning("job %s: upload at %s is not the job's key %s; ignored", job_id, event.key, job.s3_key)
        return Outcome.IGNORED
    before = job.status
    after = await queue_job(jobs, js, settings, job_id, via="bucket event")
    return Outcome.QUEUED if after.status is not before else Outcome.ALREADY_HANDLED
