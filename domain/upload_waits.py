"""Jobs waiting for their upload: one message each in a work-queue stream, which schedules their checks and counts them.

Every job created ``awaiting_upload`` has one message, ``{subject}.{owner}.{job_id}`` (``open`` for
jobs made without an API key), in the stream ``UPLOAD_CHECKS``. It is published before the job's
record is written: a crash in between leaves a check whose record is missing, which the listener
drops; never a record without a check, which nobody would ever look at again. The listener's
checker (``listener/upload_checks.py``) is the stream's one reader and holds each message (a nak
with a delay, kept by the server) until the job's next check is due. When a job stops waiting,
``release`` purges its message at once, so the stream holds exactly the waiting jobs and the
server counts an owner's by subject: that count is what ``max_pending_uploads`` limits.
"""
from __future__ import annotations

import logging
from datetime import datetime

from nats.js import JetStreamContext

from domain.jobs import JobRecord
from domain.owner_index import OPEN_OWNER
from infra.broker import broker_errors, publish_once
from infra.consumer import Order
from infra.errors import BrokerUnavailable, TooManyPending
from infra.settings import Settings
from infra.streams import stream_subjects

log = logging.getLogger(__name__)


class UploadCheck(Order):
    """The body of a job's check message: what its schedule is computed from."""

    job_id: str
    created_at: datetime
    upload_expires_at: datetime


def check_message_id(job_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second check for a job (a retried publish, a backfill)."""
    return f"check-{job_id}"


class UploadWaits:
    """Adds, removes and counts the check messages of jobs waiting for their upload."""

    def __init__(self, js: JetStreamContext, settings: Settings) -> None:
        self._js = js
        self._stream = settings.upload_checks_stream
        self._subject = settings.upload_checks_subject
        #: Waiting jobs allowed per owner; 0: no limit.
        self.max_pending = settings.max_pending_uploads

    def subject_of(self, owner: str | None, job_id: str) -> str:
        return f"{self._subject}.{owner or OPEN_OWNER}.{job_id}"

    async def add(self, job: JobRecord) -> None:
        """Schedule a new job's checks, or raise ``TooManyPending`` when its owner already has
        ``max_pending`` jobs waiting.

        The check is published first and then counted with the owner's others, so creators racing
        for the last place both see it taken (and both withdraw) rather than both getting it.
        """
        await self._publish(job)
        if not self.max_pending:
            return
        waiting = await self.count(job.owner)
        if waiting > self.max_pending:
            await self.release(job)
            raise TooManyPending(
                f"{waiting - 1} jobs are already waiting for their upload, the most one API key may have "
                f"({self.max_pending}); upload their videos, cancel or delete some, or let them expire"
            )

    async def add_existing(self, job: JobRecord) -> None:
        """Schedule the checks of a job created before checks existed (provisioning's backfill); no limit applies."""
        await self._publish(job)

    async def release(self, job: JobRecord) -> None:
        """Remove the job's check: it no longer waits. A failure is only logged: the checker removes
        the check of a job that does not wait when it next comes due."""
        try:
            async with broker_errors("removing an upload check"):
                await self._js.purge_stream(self._stream, subject=self.subject_of(job.owner, job.job_id))
        except BrokerUnavailable as exc:
            log.warning("job %s: its upload check stays until it comes due: %s", job.job_id, exc.message)

    async def count(self, owner: str | None) -> int:
        """The owner's jobs waiting for their upload (the stream's subjects under the owner, counted by the server)."""
        return len(await stream_subjects(self._js, self._stream, self.subject_of(owner, "*")))

    async def total(self) -> int:
        """Jobs waiting for their upload, every owner's (and, until dropped, checks whose record was never written)."""
        async with broker_errors("counting jobs waiting for their upload"):
            info = await self._js.stream_info(self._stream)
        return info.state.messages

    async def _publish(self, job: JobRecord) -> None:
        check = UploadCheck(job_id=job.job_id, created_at=job.created_at, upload_expires_at=job.upload_expires_at)
        await publish_once(
            self._js, self.subject_of(job.owner, job.job_id), check.to_json(), stream=self._stream,
            message_id=check_message_id(job.job_id), doing="scheduling a job's upload checks",
        )
