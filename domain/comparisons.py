"""The comparison record: an attempt compared with a reference dance, its states and its result."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.indexed_store import IndexedRecordStore
from domain.jobs import JobError, utc_now
from infra.errors import ComparisonNotFound, JobStateConflict


class ComparisonStatus(str, enum.Enum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (ComparisonStatus.COMPLETED, ComparisonStatus.FAILED)


class MirrorMode(str, enum.Enum):
    AUTO = "auto"
    ON = "on"
    OFF = "off"


class SegmentScoreRecord(BaseModel):
    start_s: float
    end_s: float
    #: The reference music's 8-count the segment is in (1 from its first beat); None for time windows, and in
    #: records made before segments were counted.
    eight: int | None = None
    score: float | None


class WorstSegmentRecord(SegmentScoreRecord):
    body_part: str | None
    feedback: str | None


class SegmentTimingRecord(BaseModel):
    start_s: float
    end_s: float
    eight: int | None = None
    #: "early", "late" or "on time" (within ``ON_TIME_MS``).
    verdict: str
    #: Signed: positive when the attempt is late in this segment.
    offset_ms: float | None


class DancerChoiceRecord(BaseModel):
    """Which dancer of a video was compared, and why (``choreo.dancer_choice``)."""

    track_id: int
    #: "request" or "most_visible".
    chosen_by: str
    well_seen_s: float
    dancers: int
    reason: str


class ComparisonResultRecord(BaseModel):
    score: float
    offset_s: float
    tempo_ratio: float
    mirrored: bool
    reference_track_id: int
    track_id: int
    body_parts: dict[str, float | None]
    segments: list[SegmentScoreRecord]
    worst_segments: list[WorstSegmentRecord]
    timing: list[SegmentTimingRecord]
    comparison_key: str
    # Since soundtrack alignment: None in results stored before it.
    #: "soundtrack" or "poses".
    aligned_by: str | None = None
    alignment_reason: str | None = None
    soundtrack_correlation: float | None = None
    soundtrack_chroma_correlation: float | None = None
    pose_similarity: float | None = None
    reference_dancer: DancerChoiceRecord | None = None
    dancer: DancerChoiceRecord | None = None


class ComparisonRecord(BaseModel):
    comparison_id: str
    status: ComparisonStatus
    reference_job_id: str
    job_id: str
    mirror: MirrorMode = MirrorMode.AUTO
    reference_track_id: int | None = None
    track_id: int | None = None
    owner: str | None = None
    created_at: datetime
    updated_at: datetime
    error: JobError | None = None
    result: ComparisonResultRecord | None = None
    attempts: int = 0
    #: Stream sequence of the work message running it; any other message for it is a copy.
    work_seq: int | None = None

    def moved_to(self, status: ComparisonStatus, **changes: Any) -> ComparisonRecord:
        if self.status.is_final:
            raise JobStateConflict(f"comparison {self.comparison_id} is {self.status.value}")
        return self.model_copy(update={"status": status, "updated_at": utc_now(), **changes})


class ComparisonStore(IndexedRecordStore[ComparisonRecord]):
    """Comparison records, and each owner's index of them (newest first)."""

    record_type = ComparisonRecord
    not_found = ComparisonNotFound
    noun = "comparison"

    def key_of(self, record: ComparisonRecord) -> str:
        return record.comparison_id
