"""Decide what a bucket event means for the pipeline and act on it."""
from __future__ import annotations

import enum
import logging
import re

from domain.intake import UploadIntake
from domain.jobs import JobRecord, JobStatus
from domain.object_keys import UPLOADS_PREFIX
from infra.errors import JobNotFound, UploadNotFound
from listener.events import BucketEvent

log = logging.getLogger(__name__)

#: ``uploads/{job_id}/{filename}``; the job id is a UUID.
UPLOAD_KEY = re.compile(re.escape(UPLOADS_PREFIX) + r"(?P<job_id>[0-9a-fA-F-]{36})/[^/]+")


class Outcome(enum.Enum):
    QUEUED = "queued"
    #: Another copy of the upload the job already has (MinIO sends each event twice, and may repeat).
    DUPLICATE = "duplicate"
    #: A new upload for a job that no longer takes one: recorded, not analysed.
    LATE_UPLOAD = "late_upload"
    #: The upload was refused at admission (over the size cap).
    REJECTED = "rejected"
    #: Not ours to act on: another bucket or prefix, a tag or retention change.
    IGNORED = "ignored"
    UNKNOWN_JOB = "unknown_job"
    MALFORMED = "malformed"


#: Outcomes worth a person's look: copied to the dead-letter subject.
DEAD_LETTER_OUTCOMES = frozenset({Outcome.UNKNOWN_JOB, Outcome.LATE_UPLOAD, Outcome.MALFORMED})


def is_same_upload(job: JobRecord, event: BucketEvent) -> bool:
    """Whether the event is (a copy of) the upload the job took."""
    if job.upload is None:
        # Queued or claimed an instant before the record names its upload: nothing else it could be.
        return job.status in (JobStatus.QUEUED, JobStatus.PROCESSING)
    return event.version_id is None or event.version_id == job.upload.version_id


def job_id_from_key(key: str) -> str | None:
    """The job id in an upload key, or None when the key is not an upload."""
    match = UPLOAD_KEY.fullmatch(key)
    return match.group("job_id").lower() if match else None


async def match_event(event: BucketEvent, intake: UploadIntake) -> Outcome:
    """Admit the job an upload event belongs to; anything else is ignored."""
    if event.bucket != intake.settings.bucket or not event.is_upload:
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
        if is_same_upload(job, event):
            return Outcome.DUPLICATE
        await intake.note_late_upload(job, event.version_id)
        return Outcome.LATE_UPLOAD
    try:
        admitted = await intake.admit(job_id, via="bucket event")
    except UploadNotFound:
        # The object was deleted again before we looked: nothing to analyse.
        return Outcome.IGNORED
    if admitted.status in (JobStatus.QUEUED, JobStatus.PROCESSING):
        return Outcome.QUEUED
    return Outcome.REJECTED
