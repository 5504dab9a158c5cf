"""The probes' answers."""
from __future__ import annotations

from typing import Literal

from gateway.models.base import ResponseBody


class Health(ResponseBody):
    """The process is alive."""

    status: Literal["ok"] = "ok"


class Readiness(ResponseBody):
    """Whether both backing services answer; 503 while either does not."""

    status: Literal["ready", "unavailable"]
    nats: bool
    s3: bool
