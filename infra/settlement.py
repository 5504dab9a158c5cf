"""One way to settle a message: a handler says what became of it, and this module acks, naks or terms it.

A handler returns an outcome: ``Done``, ``Retry`` (later, because ...) or ``GiveUp`` (because ...).
``Retries`` is one consumer's retrying: the pause before each attempt and the attempt after which a
retry turns into giving up. ``settle`` acks, naks (with the pause) or terms the message and logs one
line with the reason. A handler whose giving up has a domain side (fail the job, the comparison, the
delivery) asks ``Retries.decide`` first, does it, then settles: the record ends before the message does.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from nats.aio.msg import Msg

log = logging.getLogger(__name__)

#: Pauses before a message that met a passing fault (MinIO or NATS down, an unexpected error) is
#: delivered again, by attempt, the last one repeating (docs/operations.md states them): a restarting
#: MinIO or NATS is back within them, and a job that fails on each of its three deliveries
#: (``DANCE_WORK_MAX_DELIVER``) ends ``failed`` after 20 s of pauses, not hours.
BACKOFF_S: tuple[float, ...] = (5.0, 15.0, 30.0)
#: A retry's delay that hands the message straight back, for another consumer to take (a worker stopping).
NOW = 0.0


@dataclass(frozen=True)
class Done:
    """Nothing is left to do with the message (its work is done, or was never this consumer's): ack it."""

    reason: str = "done"


@dataclass(frozen=True)
class Retry:
    """Deliver the message again later: after ``delay_s`` seconds when the handler knows when (a check's
    due time; ``NOW``), else after the consumer's backoff pause for this attempt."""

    reason: str
    delay_s: float | None = None


@dataclass(frozen=True)
class GiveUp:
    """Delivering the message again would not help: term it."""

    reason: str


MessageOutcome = Done | Retry | GiveUp


@dataclass(frozen=True)
class Retries:
    """How one consumer retries: the pauses by attempt, and how many deliveries a message gets
    (``max_deliver``; None: as many as it takes)."""

    max_deliver: int | None = None
    backoff_s: tuple[float, ...] = BACKOFF_S

    def retry_delay(self, attempt: int) -> float | None:
        """Seconds to wait before delivering a failed message again, by attempt (from 1); None once it
        has had its ``max_deliver`` deliveries."""
        if self.max_deliver is not None and attempt >= self.max_deliver:
            return None
        return self.backoff_s[min(attempt, len(self.backoff_s)) - 1]

    def decide(self, outcome: MessageOutcome, attempt: int) -> MessageOutcome:
        """``outcome``, or a ``GiveUp`` when it is a retry of a message that has had its ``max_deliver`` deliveries.

        A message handed back ``NOW`` is not given up here: it failed nothing, and the consumer's own
        max_deliver counts its deliveries (JetStream's max-deliveries advisory says when they run out).
        """
        if not isinstance(outcome, Retry) or outcome.delay_s == NOW:
            return outcome
        if self.retry_delay(attempt) is None:
            return GiveUp(f"{outcome.reason} (gave up after {attempt} attempts)")
        return outcome


#: A consumer that never gives up on a retry (its messages wait out any outage), pausing as ``BACKOFF_S`` says.
KEEP_TRYING = Retries()


async def settle(message: Msg, outcome: MessageOutcome, about: str, retries: Retries = KEEP_TRYING) -> MessageOutcome:
    """Ack, nak or term ``message`` as ``outcome`` says (``retries`` decides a retry), with one log line
    naming ``about`` (``job 1234``) and the reason; returns the outcome acted on."""
    attempt = message.metadata.num_delivered
    decided = retries.decide(outcome, attempt)
    if isinstance(decided, Done):
        log.debug("%s: done on attempt %d: %s", about, attempt, decided.reason)
        await message.ack()
    elif isinstance(decided, Retry):
        if decided.delay_s is None:
            delay_s = retries.retry_delay(attempt) or NOW  # never None here: decide gave up on those
            log.warning("%s: attempt %d failed, retrying in %g s: %s", about, attempt, delay_s, decided.reason)
        elif decided.delay_s == NOW:
            delay_s = NOW
            log.info("%s: handed back at once: %s", about, decided.reason)
        else:  # the handler's own time: a schedule, not a failure
            delay_s = decided.delay_s
            log.debug("%s: again in %g s: %s", about, delay_s, decided.reason)
        await message.nak(delay=delay_s or None)  # no delay: redelivered at once
    else:
        log.warning("%s: given up: %s", about, decided.reason)
        await message.term()
    return decided
