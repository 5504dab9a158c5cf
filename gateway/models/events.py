"""The shape every server-sent event of the API shares."""
from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from gateway.models.base import ResponseBody


class ServerSentEvent(ResponseBody):
    """``event``, ``id`` and ``data`` lines, as ``text/event-stream`` frames them."""

    event: str
    id: str = Field(description="The record's updated_at")
    data: str

    @classmethod
    def of(cls, record: Any):
        """The event carrying ``record`` (a job or comparison as the API shows it), identified by its updated_at."""
        return cls(id=record.updated_at.isoformat(), data=json.dumps(record.model_dump(mode="json")))

    def encode(self) -> bytes:
        """The event in the ``text/event-stream`` wire format."""
        return f"event: {self.event}\nid: {self.id}\ndata: {self.data}\n\n".encode()
