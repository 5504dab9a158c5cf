"""Copy an event nobody could act on to the dead-letter subject, for a person to inspect."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext

from common.broker import broker_errors
from common.settings import Settings
from listener.metrics import DEAD_LETTERS

log = logging.getLogger(__name__)


async def dead_letter(js: JetStreamContext, settings: Settings, data: bytes, *, reason: str, seq: int, key: str) -> None:
    """Publish the raw event with why it was set aside and where it came from."""
    headers = {"Dance-Reason": reason, "Dance-Event-Seq": str(seq), "Dance-Key": key}
    async with broker_errors("dead-lettering an event"):
        await js.publish(settings.dead_letter_subject, data, headers=headers)
    DEAD_LETTERS.labels(reason).inc()
    log.warning("event seq %s (%s) dead-lettered: %s", seq, key or "no key", reason)
