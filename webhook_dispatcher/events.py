"""A record change that ends a job or a comparison, turned into its webhook event.

An ending happens once per record (compare-and-set lets one writer move it to a final status, and
final statuses have no way out), so the event is named after the record and its final status;
later touches of an ended record (a warning about a late upload) name the same event again and
are recognised as repeats where deliveries are created.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from domain.comparisons import ComparisonRecord
from domain.jobs import JobRecord
from domain.webhooks import WebhookEventType

#: What the API shows of a job and of a comparison; results carry object keys, never presigned URLs
#: (the receiver asks the API for fresh ones).
JOB_FIELDS = {"job_id", "status", "stage", "progress", "s3_key", "created_at", "updated_at", "error", "result", "warnings"}
COMPARISON_FIELDS = {"comparison_id", "status", "reference_job_id", "job_id", "created_at", "updated_at", "error", "result"}


@dataclass(frozen=True)
class Event:
    event_id: str
    type: WebhookEventType
    owner: str | None
    time: datetime
    #: The JSON body every delivery of the event sends: ``{type, timestamp, data}``.
    body: str


def event_of_change(kind: str, value: bytes) -> Event | None:
    """The event a stored record's new version stands for, or None when it has not ended."""
    if kind == "job":
        job = JobRecord.from_json(value)
        if not job.status.is_final:
            return None
        ended_at = job.ended_at or job.updated_at
        return _event(f"job.{job.status.value}", job.job_id, job.owner, ended_at, job.model_dump(include=JOB_FIELDS))
    comparison = ComparisonRecord.model_validate_json(value)
    if not comparison.status.is_final:
        return None
    data = comparison.model_dump(include=COMPARISON_FIELDS)
    return _event(f"comparison.{comparison.status.value}", comparison.comparison_id, comparison.owner, comparison.updated_at, data)


def _event(event_type: str, record_id: str, owner: str | None, time: datetime, data: dict[str, Any]) -> Event:
    body = {"type": event_type, "timestamp": time.isoformat(), "data": data}
    return Event(
        event_id=f"{event_type}.{record_id}", type=WebhookEventType(event_type), owner=owner, time=time,
        body=json.dumps(body, default=_json_value, separators=(",", ":")),
    )


def _json_value(value: Any) -> Any:
    """Datetimes as the API writes them (``isoformat``), enums as their values."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
