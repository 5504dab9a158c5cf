"""Comparisons of an attempt with a reference dance (``/api/v1/compare``)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from common.comparisons import ComparisonStatus, MirrorMode
from gateway.models.base import ResponseBody
from gateway.models.errors import ErrorDetail
from gateway.models.events import ServerSentEvent
from gateway.models.fields import JobId, Timestamp

BODY_PARTS_TEXT = "Scores 0-100 for arms (elbows, wrists), legs (knees, ankles), torso (shoulders, hips), head"


class CompareParams(BaseModel):
    """What to compare: both jobs must be the caller's and completed."""

    reference_job_id: JobId = Field(description="The reference dance (the teacher's)")
    job_id: JobId = Field(description="The attempt compared with it")
    mirror: MirrorMode = Field(
        MirrorMode.AUTO,
        description="auto: flip the attempt (mirror image) when that matches clearly better; on: always; off: never",
    )
    reference_track_id: int | None = Field(None, ge=1, description="Dancer in the reference; default: the one on screen longest")
    track_id: int | None = Field(None, ge=1, description="Dancer in the attempt; default: the one on screen longest")


class ComparisonPath(BaseModel):
    """The comparison a path such as ``/api/v1/compare/{comparison_id}`` names."""

    comparison_id: str = Field(json_schema_extra={"format": "uuid"})


class SegmentScore(ResponseBody):
    start_s: float = Field(description="Reference time")
    end_s: float
    score: float | None = Field(ge=0, le=100)


class WorstSegment(SegmentScore):
    """One of the three lowest segments, with what cost most."""

    body_part: str | None = Field(description="The body part that scored lowest in this segment")
    feedback: str | None = Field(description="The joint angle that differs most, in words, e.g. 'left knee bent 35° less'")


class SegmentTiming(ResponseBody):
    start_s: float
    end_s: float
    verdict: Literal["early", "late", "on time"]
    offset_ms: float | None = Field(description="Relative to offset_s; positive: the attempt is late in this segment")


class BodyParts(ResponseBody):
    arms: float | None = Field(ge=0, le=100)
    legs: float | None = Field(ge=0, le=100)
    torso: float | None = Field(ge=0, le=100)
    head: float | None = Field(ge=0, le=100)


class ComparisonResult(ResponseBody):
    """How close the attempt is to the reference, and where it differs."""

    score: float = Field(ge=0, le=100, description="100 x mean pose similarity (OKS) along the alignment; 100: identical")
    offset_s: float = Field(description="How much later the attempt starts its dance than the reference (negative: earlier)")
    tempo_ratio: float = Field(description="Attempt duration / reference duration along the alignment; 1.2: 20 % slower")
    mirrored: bool = Field(description="Whether the attempt was compared as a mirror image")
    reference_track_id: int
    track_id: int
    body_parts: BodyParts = Field(description=BODY_PARTS_TEXT)
    segments: list[SegmentScore] = Field(description="The reference's 8-beat phrases when it has music beats, else 2 s windows")
    worst_segments: list[WorstSegment]
    timing: list[SegmentTiming] = Field(description="Per segment: early, late or on time (within 50 ms)")
    comparison_url: str = Field(description="Presigned download URL of comparison.json (the alignment path, per-frame scores)",
                                json_schema_extra={"format": "uri"})
    comparison_key: str


class Comparison(ResponseBody):
    """A comparison: its status and, once completed, its result."""

    comparison_id: str = Field(json_schema_extra={"format": "uuid"})
    status: ComparisonStatus
    reference_job_id: JobId
    job_id: JobId
    created_at: Timestamp
    updated_at: Timestamp
    error: ErrorDetail | None = Field(description="Why the comparison failed, or null")
    result: ComparisonResult | None = Field(description="The result of a completed comparison, or null")


class ComparisonEvent(ServerSentEvent):
    """One server-sent event of a comparison's ``/events``: the comparison, as GET returns it."""

    event: Literal["comparison"] = "comparison"
    data: str = Field(description="The comparison as JSON, the same object GET /api/v1/compare/{comparison_id} returns")
