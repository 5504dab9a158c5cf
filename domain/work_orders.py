"""Work stream messages (a pose job, a comparison) and the ids that let JetStream drop a repeat."""
from __future__ import annotations

from infra.consumer import Order


class WorkOrder(Order):
    """The body of one message on the pose work stream."""

    job_id: str
    bucket: str
    s3_key: str
    #: The object version to analyse: the job's first upload, whatever came after it.
    version_id: str | None = None
    #: Set on the messages of a long video split across workers: which chunk of the job's plan to run.
    chunk: int | None = None


class CompareOrder(Order):
    """The body of one message on the compare stream."""

    comparison_id: str


def work_message_id(job_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second queue entry for a job."""
    return f"pose:{job_id}"


def chunk_message_id(job_id: str, chunk: int) -> str:
    """The ``Nats-Msg-Id`` of one chunk of a split job: each chunk is queued once, like a job."""
    return f"pose:{job_id}:chunk:{chunk}"


def compare_message_id(comparison_id: str) -> str:
    """The ``Nats-Msg-Id`` that lets JetStream drop a second queue entry for a comparison."""
    return f"compare:{comparison_id}"
