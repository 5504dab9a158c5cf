"""Jobs JetStream stopped redelivering (their worker died every time) end ``failed``, not stuck."""
from __future__ import annotations

import json
import logging

from nats.aio.msg import Msg
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from domain.intake import UploadIntake
from domain.work_orders import WorkOrder
from infra.broker import broker_errors
from infra.errors import ServiceUnavailable
from infra.settlement import Done, GiveUp, MessageOutcome, Retry, settle
from listener.metrics import GIVEN_UP

log = logging.getLogger(__name__)


async def handle_given_up(message: Msg, intake: UploadIntake) -> None:
    """Fail the job named by a max-deliveries advisory and remove its message from the work stream."""
    outcome = await _fail_given_up(message, intake)
    await settle(message, outcome, f"max-deliveries advisory seq {message.metadata.sequence.stream}")


async def _fail_given_up(message: Msg, intake: UploadIntake) -> MessageOutcome:
    settings, js = intake.settings, intake.js
    try:
        advisory = json.loads(message.data)
        seq, deliveries = int(advisory["stream_seq"]), int(advisory["deliveries"])
    except (ValueError, KeyError, TypeError) as exc:
        return GiveUp(f"unreadable: {exc!r}")
    try:
        async with broker_errors("reading a given-up work message"):
            try:
                raw = await js.get_msg(settings.work_stream, seq)
            except NotFoundError:
                return Done(f"work message seq {seq} acked or removed meanwhile: nothing is stuck")
        try:
            order = WorkOrder.from_json(raw.data)
        except ValidationError:
            log.error("work message seq %s is not a work order; removed", seq)
        else:
            part = f"chunk {order.chunk} of the video: " if order.chunk is not None else ""
            await intake.jobs.fail(
                order.job_id,
                "too_many_attempts",
                f"{part}processing was interrupted {deliveries} times without finishing (the worker crashed or was killed)",
            )
            GIVEN_UP.inc()
        async with broker_errors("removing a given-up work message"):
            await js.delete_msg(settings.work_stream, seq)
    except ServiceUnavailable as exc:
        return Retry(f"work message seq {seq}: {exc.message}")
    return Done(f"work message seq {seq} given up and removed")
