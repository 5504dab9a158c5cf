"""Comparisons of an attempt with a reference dance (``/api/v1/compare``)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from domain.comparisons import ComparisonStatus, MirrorMode
from gateway.models.base import ResponseBody
from gateway.models.errors import ErrorDetail
from gateway.models.events import ServerSentEvent
from gateway.models.fields import JobId, Timestamp

BODY_PARTS_TEXT = (
    "Movement match 0-100 (as score) of arms (elbows, wrists), legs (knees, ankles), torso (shoulders, hips) and head; "
    "null for a part never seen"
)


class CompareParams(BaseModel):
    """What to compare: both jobs must be the caller's and completed."""

    reference_job_id: JobId = Field(description="The reference dance (the teacher's)")
    job_id: JobId = Field(description="The attempt compared with it")
    mirror: MirrorMode = Field(
        MirrorMode.AUTO,
        description="auto: flip the attempt (mirror image) when that matches clearly better; on: always; off: never",
    )
    reference_track_id: int | None = Field(
        None, ge=1, description="Dancer in the reference; default: the most visible (most frames with a well-seen pose)"
    )
    track_id: int | None = Field(
        None, ge=1, description="Dancer in the attempt; default: the most visible (most frames with a well-seen pose)"
    )


class ComparisonListParams(BaseModel):
    """``GET /api/v1/compare``: the caller's comparisons, newest first."""

    limit: int = Field(20, ge=1, le=100, description="Comparisons per page")
    cursor: str | None = Field(None, description="next_cursor of the previous page; absent for the first page")


class ComparisonPath(BaseModel):
    """The comparison a path such as ``/api/v1/compare/{comparison_id}`` names."""

    comparison_id: str = Field(json_schema_extra={"format": "uuid"})


class SegmentScore(ResponseBody):
    start_s: float = Field(description="Reference time")
    end_s: float
    eight: int | None = Field(
        None, ge=1, description="Which 8-count of the reference's music this is (1: the music's first eight beats, as "
        "a teacher counts them); null when segments are time windows (no beats) or before the first beat",
    )
    score: float | None = Field(ge=0, le=100)


class WorstSegment(SegmentScore):
    """One of the (up to) three lowest segments scoring under 70, with what cost most."""

    body_part: str | None = Field(description="The body part that scored lowest in this segment")
    feedback: str | None = Field(
        description="What differs most, in words: a joint held differently ('left knee bent 35° more') or moving "
        "differently ('right arm moves differently, about 40° apart')"
    )


class SegmentTiming(ResponseBody):
    start_s: float
    end_s: float
    eight: int | None = Field(
        None, ge=1, description="Which 8-count of the reference's music this is (1: the music's first eight beats, as "
        "a teacher counts them); null when segments are time windows (no beats) or before the first beat",
    )
    verdict: Literal["early", "late", "on time"]
    offset_ms: float | None = Field(description="Relative to offset_s; positive: the attempt is late in this segment")


class BodyParts(ResponseBody):
    arms: float | None = Field(ge=0, le=100)
    legs: float | None = Field(ge=0, le=100)
    torso: float | None = Field(ge=0, le=100)
    head: float | None = Field(ge=0, le=100)


class DancerChoice(ResponseBody):
    """Which dancer of a video was compared, and why."""

    track_id: int
    chosen_by: Literal["request", "most_visible"] = Field(
        description="request: named in the request; most_visible: the most frames with at least 13 of 17 keypoints seen"
    )
    well_seen_s: float = Field(ge=0, description="Seconds of video in which this dancer's pose is well seen")
    dancers: int = Field(ge=1, description="Dancers (tracks) in the video")
    reason: str = Field(description="Why this dancer, in a sentence")


class ComparisonResult(ResponseBody):
    """How close the attempt is to the reference, and where it differs."""

    score: float = Field(
        ge=0, le=100,
        description="100 x the movement match along the alignment (correlation of the two dancers' movements around "
        "their own average pose); 100: the same movements at the same times, 0: unrelated",
    )
    pose_similarity: float | None = Field(
        ge=0, le=100, description="100 x mean pose similarity (OKS) along the alignment; null in results made before it"
    )
    offset_s: float = Field(description="Attempt time minus reference time where the comparison starts (negative: earlier)")
    tempo_ratio: float = Field(description="Attempt seconds per reference second along the alignment; 1.2: 20 % slower")
    mirrored: bool = Field(description="Whether the attempt was compared as a mirror image")
    aligned_by: Literal["soundtrack", "poses"] | None = Field(
        description="soundtrack: both videos carry one recording of a song, which put them on one clock; poses: "
        "aligned by the poses alone; null in results made before it"
    )
    alignment_reason: str | None = Field(description="Why it was aligned that way, in a sentence")
    soundtrack_correlation: float | None = Field(
        ge=-1, le=1,
        description="Correlation of the two soundtracks' onset envelopes at their best alignment (one recording: "
        "0.7-0.95); null when either job has no soundtrack features or no sound",
    )
    soundtrack_chroma_correlation: float | None = Field(
        ge=-1, le=1,
        description="Correlation of the two soundtracks' chroma (the notes that sound) along that alignment (one "
        "recording: 0.6-0.9; different songs whose beats line up: under 0.15; under 0.2 they count as different "
        "music); null when either job's soundtrack features predate it, or either has no sound",
    )
    reference_track_id: int
    track_id: int
    reference_dancer: DancerChoice | None = Field(description="The reference's dancer compared, and why")
    dancer: DancerChoice | None = Field(description="The attempt's dancer compared, and why")
    body_parts: BodyParts = Field(description=BODY_PARTS_TEXT)
    segments: list[SegmentScore] = Field(description="The reference's 8-beat phrases when it has music beats, else 2 s windows")
    worst_segments: list[WorstSegment] = Field(
        description="Up to three lowest segments scoring under 70, lowest first; empty when every segment scores 70 or more"
    )
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


class ComparisonList(ResponseBody):
    """A page of the caller's comparisons, newest first; comparisons made meanwhile never shift later pages."""

    comparisons: list[Comparison]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class ComparisonEvent(ServerSentEvent):
    """One server-sent event of a comparison's ``/events``: the comparison, as GET returns it."""

    event: Literal["comparison"] = "comparison"
    data: str = Field(description="The comparison as JSON, the same object GET /api/v1/compare/{comparison_id} returns")
