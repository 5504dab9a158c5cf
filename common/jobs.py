"""The job record: its states, the allowed moves between them, and its JSON form."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field

from common.errors import JobStateConflict


class JobStatus(str, enum.Enum):
    AWAITING_UPLOAD = "awaiting_upload"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.EXPIRED})

#: Which status may follow which; PROCESSING -> PROCESSING is a progress update or a retry.
#: AWAITING_UPLOAD -> PROCESSING happens when a worker picks the job up in the instant between
#: its work message being published and its record being marked QUEUED.
ALLOWED_MOVES: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.AWAITING_UPLOAD: frozenset(
        {JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.EXPIRED, JobStatus.FAILED}
    ),
    JobStatus.QUEUED: frozenset({JobStatus.PROCESSING, JobStatus.FAILED}),
    JobStatus.PROCESSING: frozenset({JobStatus.PROCESSING, JobStatus.COMPLETED, JobStatus.FAILED}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.EXPIRED: frozenset(),
}


class Stage(str, enum.Enum):
    """The pipeline step a job is in (or ended in)."""

    UPLOAD = "upload"
    POSE_ESTIMATION = "pose-estimation"
    DONE = "done"


STAGE_OF_STATUS = {
    JobStatus.AWAITING_UPLOAD: Stage.UPLOAD,
    JobStatus.QUEUED: Stage.POSE_ESTIMATION,
    JobStatus.PROCESSING: Stage.POSE_ESTIMATION,
    JobStatus.COMPLETED: Stage.DONE,
}


class JobError(BaseModel):
    code: str
    message: str


class JobResult(BaseModel):
    """Object keys of a finished job's outputs; the gateway turns them into download URLs."""

    poses_key: str
    frames: int
    people_max: int


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Job(BaseModel):
    job_id: str
    status: JobStatus
    stage: Stage
    progress: float = 0.0
    filename: str
    content_type: str
    s3_key: str
    created_at: datetime
    updated_at: datetime
    upload_expires_at: datetime
    error: JobError | None = None
    result: JobResult | None = None
    warnings: list[str] = Field(default_factory=list)
    attempts: int = 0

    @classmethod
    def new(cls, job_id: str, filename: str, content_type: str, s3_key: str, expires_in_s: int) -> Job:
        """A fresh job waiting for its upload."""
        now = utc_now()
        return cls(
            job_id=job_id,
            status=JobStatus.AWAITING_UPLOAD,
            stage=Stage.UPLOAD,
            filename=filename,
            content_type=content_type,
            s3_key=s3_key,
            created_at=now,
            updated_at=now,
            upload_expires_at=now + timedelta(seconds=expires_in_s),
        )

    def moved_to(self, status: JobStatus, **changes: Any) -> Job:
        """A copy in ``status`` with ``changes`` applied; raises if the move is not allowed."""
        if status not in ALLOWED_MOVES[self.status]:
            raise JobStateConflict(f"job {self.job_id} is {self.status.value}, it cannot become {status.value}")
        stage = STAGE_OF_STATUS.get(status, self.stage)
        return self.model_copy(update={"status": status, "stage": stage, "updated_at": utc_now(), **changes})

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> Job:
        return cls.model_validate_json(data)
