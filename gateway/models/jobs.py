"""A job as the API shows it (``GET /api/v1/analyze/{job_id}``, cancel, the legacy upload, events)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from domain.jobs import JobStatus, Stage
from gateway.models.analysis import AnalysisSummary
from gateway.models.base import ResponseBody
from gateway.models.errors import ErrorDetail
from gateway.models.events import ServerSentEvent
from gateway.models.fields import JobId, S3Key, Timestamp


class JobPath(BaseModel):
    """The job a path such as ``/api/v1/analyze/{job_id}`` names."""

    job_id: JobId


class JobResult(ResponseBody):
    """Outputs of a completed job; URLs are signed afresh on every read."""

    poses_url: str = Field(description="Presigned download URL of poses.json", json_schema_extra={"format": "uri"})
    poses_key: str
    overlay_url: str | None = Field(
        description="Presigned download URL of the skeleton overlay video (H.264 MP4)", json_schema_extra={"format": "uri"}
    )
    overlay_key: str | None
    video_url: str = Field(
        description="Presigned download URL of the uploaded video itself, the exact version analysed, with its sound: "
        "play it and draw the skeletons of poses.json over it (the overlay video has no audio and is scaled down)",
        json_schema_extra={"format": "uri"},
    )
    frames: int = Field(ge=0)
    people_max: int = Field(ge=0)
    tracks: int = Field(ge=0, description="Distinct dancers (track ids) seen")
    analysis_url: str | None = Field(
        description="Presigned download URL of analysis.json (schema: Analysis); null when the analysis is off or failed",
        json_schema_extra={"format": "uri"},
    )
    analysis_key: str | None
    summary: AnalysisSummary | None = Field(description="Headline figures of analysis.json")


class Job(ResponseBody):
    """A job: its status and progress, why it failed, and once completed where its results are."""

    job_id: JobId
    status: JobStatus
    stage: Stage
    progress: float = Field(ge=0, le=1)
    s3_key: S3Key
    created_at: Timestamp
    updated_at: Timestamp
    error: ErrorDetail | None = Field(description="Why the job failed, or null")
    result: JobResult | None = Field(description="Outputs of a completed job, or null")
    warnings: list[str]


class JobEvent(ServerSentEvent):
    """One server-sent event of ``/events``: the job, as GET returns it, on every change."""

    event: Literal["job"] = "job"
    data: str = Field(description="The job as JSON, the same object GET /api/v1/analyze/{job_id} returns")


class JobListParams(BaseModel):
    """``GET /api/v1/analyze``: which of the caller's jobs, newest first."""

    status: JobStatus | None = Field(None, description="Only jobs in this status")
    limit: int = Field(20, ge=1, le=100, description="Jobs per page")
    cursor: str | None = Field(None, description="next_cursor of the previous page; absent for the first page")


class JobList(ResponseBody):
    """A page of the caller's jobs, newest first; jobs created meanwhile never shift later pages."""

    jobs: list[Job]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class Deleted(ResponseBody):
    """The job and everything stored for it are gone."""

    job_id: JobId
    deleted: Literal[True] = True
