"""The shape every server-sent event of the API shares."""
from __future__ import annotations

from pydantic import Field

from gateway.models.base import ResponseBody


class ServerSentEvent(ResponseBody):
    """``event``, ``id`` and ``data`` lines, as ``text/event-stream`` frames them."""

    event: str
    id: str = Field(description="The record's updated_at")
    data: str

    def encode(self) -> bytes:
        """The event in the ``text/event-stream`` wire format."""
        return f"event: {self.event}\nid: {self.id}\ndata: {self.data}\n\n".encode()
