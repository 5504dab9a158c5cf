"""Copy an event nobody could act on to the dead-letter subject, for a person to inspect."""
from __future__ import annotations

import logging

from nats.js import JetStreamContext

from infra.broker import publish_once
from infra.settings import Settings
from listener.metrics import DEAD_LETTERS

log = logging.getLogger(__name__)


async def dead_letter(js: JetStreamContext, settings: Settings, data: bytes, *, reason: str, seq: int, key: str) -> None:
    """Publish the raw event with why it was set aside and where it came from."""
    headers = {"Dance-Reason": reason, "Dance-Event-Seq": str(seq), "Dance-Key": key}
    await publish_once(
        js, settings.dead_letter_subject, data, headers=headers, message_id=f"dead:{seq}:{reason}:{key}",
        doing="dead-lettering an event",
    )
    DEAD_LETTERS.labels(reason).inc()
    log.warning("event seq %s (%s) dead-lettered: %s", seq, key or "no key", reason)
