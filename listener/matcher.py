"""Decide what a bucket event means for the pipeline and act on it."""
from __future__ import annotations

import enum
import logging
import re

from common.errors import JobNotFound, UploadNotFound
from common.intake import UploadIntake
from common.jobs import JobStatus
from common.provision import UPLOADS_PREFIX
from listener.events import BucketEvent

log = logging.getLogger(__name__)

#: ``uploads/{job_id}/{filename}``; the job id is a UUID.
UPLOAD_KEY = re.compile(re.escape(UPLOADS_PREFIX) + r"(?P<job_id>[0-9a-fA-F-]{36})/[^/]+")


class Outcome(enum.Enum):
    QUEUED = "queued"
    ALREADY_HANDLED = "already_handled"
    LATE_UPLOAD = "late_upload"
    REJECTED = "rejected"
    IGNORED = "ignored"
    UNKNOWN_JOB = "unknown_job"


def job_id_from_key(key: str) -> str | None:
    """The job id in an upload key, or None when the key is not an upload."""
    match = UPLOAD_KEY.fullmatch(key)
    return match.group("job_id").lower() if match else None


async def match_event(event: BucketEvent, intake: UploadIntake) -> Outcome:
    """Admit the job an upload event belongs to; anything else is ignored."""
    if event.bucket != intake.settings.bucket or not event.is_object_created:
        return Outcome.IGNORED
    job_id = job_id_from_key(event.key)
    if job_id is None:
        return Outcome.IGNORED
    try:
        job = await intake.jobs.get(job_id)
    except JobNotFound:
        return Outcome.UNKNOWN_JOB
    if job.s3_key != event.key:
        log.warning("job %s: upload at %s is not the job's key %s; ignored", job_id, event.key, job.s3_key)
        return Outcome.IGNORED
    if job.status is not JobStatus.AWAITING_UPLOAD:
        noted = await intake.note_late_upload(job, event.version_id)
        return Outcome.LATE_UPLOAD if noted.warnings != job.warnings else Outcome.ALREADY_HANDLED
    try:
        admitted = await intake.admit(job_id, via="bucket event")
    except UploadNotFound:
        # The object was deleted again before we looked: nothing to analyse.
        return Outcome.IGNORED
    if admitted.status in (JobStatus.QUEUED, JobStatus.PROCESSING):
        return Outcome.QUEUED
    return Outcome.REJECTED
