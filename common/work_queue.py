"""The work stream's message: one pose job, and the id that lets JetStream drop a repeat of it."""
from __future__ import annotations

from pydantic import BaseModel


class WorkOrder(BaseModel):
    """The body of one message on the work stream."""

    job_id: str
    bucket: str
    s3_key: str
    #: The object version to analyse: the job's first upload, whatever came after it.
    version_id: str | None = None

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> WorkOrder:
        return cls.model_validate_json(data)


def work_message_id(job_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second queue entry for a job."""
    return f"pose:{job_id}"


class CompareOrder(BaseModel):
    """The body of one message on the compare stream."""

    comparison_id: str

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> CompareOrder:
        return cls.model_validate_json(data)


def compare_message_id(comparison_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second queue entry for a comparison."""
    return f"compare:{comparison_id}"
