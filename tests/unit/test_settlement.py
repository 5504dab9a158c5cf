"""One way to settle a message: each outcome's ack, nak or term, the backoff by attempt, giving up on
the last delivery, and the one log line with the reason. The message is a stand-in that records what
was done to it: the unit here is the decision, not the broker (the stack tests settle real messages)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from infra.settings import DEFAULT_WEBHOOK_RETRY_DELAYS_S, DEFAULT_WORK_MAX_DELIVER, Settings
from infra.settlement import BACKOFF_S, KEEP_TRYING, NOW, Done, GiveUp, Retries, Retry, settle
from webhook_dispatcher.deliverer import delivery_retries


@dataclass
class RecordedMsg:
    """What ``settle`` may do to a JetStream message, recorded: ("ack",), ("nak", delay) or ("term",)."""

    num_delivered: int = 1
    calls: list[tuple] = field(default_factory=list)

    @property
    def metadata(self) -> SimpleNamespace:
        return SimpleNamespace(num_delivered=self.num_delivered)

    async def ack(self) -> None:
        self.calls.append(("ack",))

    async def nak(self, delay: float | None = None) -> None:
        self.calls.append(("nak", delay))

    async def term(self) -> None:
        self.calls.append(("term",))


WORK = Retries(max_deliver=3)


async def test_done_is_acked():
    message = RecordedMsg()
    assert await settle(message, Done("completed"), "job 1", WORK) == Done("completed")
    assert message.calls == [("ack",)]


async def test_give_up_is_termed():
    message = RecordedMsg()
    assert await settle(message, GiveUp("video_rejected: not a video"), "job 1", WORK) == GiveUp("video_rejected: not a video")
    assert message.calls == [("term",)]


@pytest.mark.parametrize(
    ("attempt", "delay_s"),
    [
        pytest.param(1, 5.0, id="first"),
        pytest.param(2, 15.0, id="second"),
        pytest.param(3, 30.0, id="third"),
        pytest.param(4, 30.0, id="later-attempts-repeat-the-last-pause"),
        pytest.param(50, 30.0, id="much-later"),
    ],
)
async def test_a_retry_is_nakd_with_the_backoffs_pause_for_its_attempt(attempt, delay_s):
    message = RecordedMsg(num_delivered=attempt)
    outcome = await settle(message, Retry("storage unavailable"), "event seq 7")
    assert outcome == Retry("storage unavailable")
    assert message.calls == [("nak", delay_s)]


def test_the_backoff_table_is_the_documented_pose_work_schedule():
    """docs/operations.md: transient failures are retried after 5, 15, then 30 s."""
    assert BACKOFF_S == (5.0, 15.0, 30.0)
    assert [KEEP_TRYING.retry_delay(attempt) for attempt in (1, 2, 3, 4)] == [5.0, 15.0, 30.0, 30.0]


async def test_a_retry_at_the_handlers_own_time_is_nakd_with_that_delay():
    message = RecordedMsg(num_delivered=2)
    await settle(message, Retry("not due yet", delay_s=42.5), "job 1: upload check")
    assert message.calls == [("nak", 42.5)]


async def test_a_retry_now_is_nakd_for_immediate_redelivery():
    message = RecordedMsg()
    await settle(message, Retry("released for another worker: stopping", delay_s=NOW), "job 1", WORK)
    assert message.calls == [("nak", None)]


@pytest.mark.parametrize(
    "retry",
    [
        pytest.param(Retry("storage unavailable"), id="backoff"),
        pytest.param(Retry("no record yet", delay_s=2.0), id="handlers-time"),
    ],
)
async def test_a_retry_on_the_last_delivery_is_given_up_with_the_attempts_in_its_reason(retry):
    message = RecordedMsg(num_delivered=3)
    outcome = await settle(message, retry, "comparison 9", WORK)
    assert outcome == GiveUp(f"{retry.reason} (gave up after 3 attempts)")
    assert message.calls == [("term",)]


async def test_a_message_handed_back_now_is_not_given_up_on_its_last_delivery():
    """JetStream counts those deliveries itself and says when they run out (its max-deliveries advisory)."""
    message = RecordedMsg(num_delivered=3)
    outcome = await settle(message, Retry("released for another worker", delay_s=NOW), "job 1", WORK)
    assert isinstance(outcome, Retry) and message.calls == [("nak", None)]


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        pytest.param(1, Retry("down"), id="first"),
        pytest.param(2, Retry("down"), id="before-the-last"),
        pytest.param(3, GiveUp("down (gave up after 3 attempts)"), id="last"),
        pytest.param(4, GiveUp("down (gave up after 4 attempts)"), id="past-the-last"),
    ],
)
def test_decide_gives_up_a_retry_once_max_deliver_deliveries_are_spent(attempt, expected):
    assert WORK.decide(Retry("down"), attempt) == expected


@pytest.mark.parametrize("outcome", [pytest.param(Done(), id="done"), pytest.param(GiveUp("bad"), id="give-up")])
def test_decide_leaves_done_and_give_up_as_they_are(outcome):
    assert WORK.decide(outcome, 99) == outcome


def test_a_consumer_without_max_deliver_never_gives_up():
    assert KEEP_TRYING.decide(Retry("nats down"), 1000) == Retry("nats down")
    assert KEEP_TRYING.retry_delay(1000) == BACKOFF_S[-1]


def test_the_pose_and_compare_work_pause_5_then_15_s_and_give_up_on_the_third_delivery():
    work = Retries(max_deliver=DEFAULT_WORK_MAX_DELIVER)
    assert [work.retry_delay(attempt) for attempt in (1, 2, 3)] == [5.0, 15.0, None]


def test_webhook_deliveries_keep_their_configured_schedule_then_give_up():
    """docs/webhooks.md: retried after about 5 s, 30 s, 2 min, 10 min, 1 h and 6 h, then ``failed``."""
    retries = delivery_retries(Settings(webhook_retry_delays_s=DEFAULT_WEBHOOK_RETRY_DELAYS_S))
    assert [retries.retry_delay(attempt) for attempt in range(1, 8)] == [5, 30, 120, 600, 3600, 21600, None]
    assert retries.decide(Retry("HTTP 500"), 7) == GiveUp("HTTP 500 (gave up after 7 attempts)")
    short = delivery_retries(Settings(webhook_retry_delays_s="0.5,1"))
    assert [short.retry_delay(attempt) for attempt in (1, 2, 3)] == [0.5, 1.0, None]


@pytest.mark.parametrize(
    ("outcome", "attempt", "level", "line"),
    [
        pytest.param(Done("completed"), 1, logging.DEBUG, "job 1: done on attempt 1: completed", id="done"),
        pytest.param(
            Retry("storage unavailable"), 2, logging.WARNING,
            "job 1: attempt 2 failed, retrying in 15 s: storage unavailable", id="retry-backoff",
        ),
        pytest.param(
            Retry("released for another worker: stopping", delay_s=NOW), 1, logging.INFO,
            "job 1: handed back at once: released for another worker: stopping", id="retry-now",
        ),
        pytest.param(
            Retry("not due yet", delay_s=30), 1, logging.DEBUG, "job 1: again in 30 s: not due yet", id="retry-scheduled",
        ),
        pytest.param(
            GiveUp("video_rejected: not a video"), 1, logging.WARNING,
            "job 1: given up: video_rejected: not a video", id="give-up",
        ),
        pytest.param(
            Retry("storage unavailable"), 3, logging.WARNING,
            "job 1: given up: storage unavailable (gave up after 3 attempts)", id="retries-exhausted",
        ),
    ],
)
async def test_settling_logs_one_line_with_the_message_and_the_reason(caplog, outcome, attempt, level, line):
    caplog.set_level(logging.DEBUG, logger="infra.settlement")
    await settle(RecordedMsg(num_delivered=attempt), outcome, "job 1", WORK)
    records = [record for record in caplog.records if record.name == "infra.settlement"]
    assert [(record.levelno, record.getMessage()) for record in records] == [(level, line)]
