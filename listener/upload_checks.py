"""Check each job waiting for its upload when a check is due: soon after creation, then at its expiry.

Every waiting job has one message in ``UPLOAD_CHECKS`` (``domain/upload_waits.py``), and the
listeners share one durable consumer of it. A message delivered before its job's next check is
due is nak'd with the delay until then: the server holds it, so a listener restart keeps the
schedule. A due check reads the job and, while it waits, asks the intake to admit it: one S3
listing, which queues a job whose bucket event was lost, fails one over the size cap, or expires
one past its URL's expiry. A job that no longer waits has its message acked away. The cost thus
follows the checks that are due, not the jobs that exist. (A nats-server restart forgets the
delays: every waiting job is then checked once, straight away, and goes back on its schedule.)
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from nats.aio.msg import Msg
from pydantic import ValidationError

from domain.intake import UploadIntake
from domain.jobs import JobStatus, utc_now
from domain.upload_waits import UploadCheck
from infra.errors import JobNotFound, ServiceUnavailable, UploadNotFound
from infra.settlement import Done, GiveUp, MessageOutcome, Retry, settle
from listener.metrics import UPLOAD_CHECKS

log = logging.getLogger(__name__)

#: The last check comes this long after the URL expired, so that the job is overdue by then.
AFTER_EXPIRY = timedelta(seconds=1)
#: A check whose job has no record this long after creation is the leftover of a creation that died
#: between the two writes (or of a job deleted while its check could not be removed): dropped.
RECORD_GRACE = timedelta(seconds=10)
#: Checks fetched per pull and handled at once: each waits on NATS and S3, hardly on the CPU.
CHECK_BATCH = 64
#: How the intake's log line names this path into the queue.
VIA = "upload check"


def check_times(check: UploadCheck, ages_s: Sequence[float]) -> list[datetime]:
    """When a waiting job is checked: at each age in ``ages_s`` (seconds) that falls before its
    expiry, then just after the expiry."""
    last = check.upload_expires_at + AFTER_EXPIRY
    early = (check.created_at + timedelta(seconds=age) for age in ages_s)
    return sorted(time for time in early if time < last) + [last]


def next_check(times: Sequence[datetime], now: datetime) -> datetime | None:
    """The first check time after ``now``; None when none is left."""
    return next((time for time in times if time > now), None)


async def handle_check(message: Msg, intake: UploadIntake, ages_s: Sequence[float]) -> None:
    """Settle one delivered check: held until it is due again, or acked once its job no longer waits."""
    try:
        check = UploadCheck.from_json(message.data)
    except ValidationError as exc:
        await settle(message, GiveUp(f"not an upload check: {exc}"), f"message {message.subject}")
        return
    try:
        outcome = await check_when_due(check, intake, ages_s)
    except ServiceUnavailable as exc:
        outcome = Retry(exc.message)
    await settle(message, outcome, f"job {check.job_id}: upload check")


async def check_when_due(check: UploadCheck, intake: UploadIntake, ages_s: Sequence[float]) -> MessageOutcome:
    """Check the job if a check is due; a retry at the next check's time, or done once the job no longer waits."""
    now = utc_now()
    times = check_times(check, ages_s)
    if now < times[0]:
        return Retry("not due yet", delay_s=_seconds(times[0] - now))  # delivered at creation
    try:
        job = await intake.jobs.get(check.job_id)
    except JobNotFound:
        if now - check.created_at < RECORD_GRACE:
            return Retry("no record yet", delay_s=_seconds(check.created_at + RECORD_GRACE - now))
        log.info("job %s: no record; its upload check is dropped", check.job_id)
        return Done("no record")
    if job.status is not JobStatus.AWAITING_UPLOAD:
        return Done(f"the job is {job.status.value}")  # moved on while its check could not be removed
    try:
        job = await intake.admit(job.job_id, via=VIA)
    except UploadNotFound:
        pass  # still nothing uploaded, and the URL has not expired
    UPLOAD_CHECKS.labels(job.status.value).inc()
    if job.status is not JobStatus.AWAITING_UPLOAD:
        return Done(f"the job is {job.status.value}")
    later = next_check(times, now)
    if later is None:
        return Retry("still waiting after its last check")
    return Retry("no upload yet", delay_s=_seconds(later - utc_now()))


def _seconds(delta: timedelta) -> float:
    # A nak without a delay is redelivered at once; never ask for less than a moment.
    return max(delta.total_seconds(), 0.01)
