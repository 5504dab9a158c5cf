"""The job record: its states, the allowed moves between them, and its JSON form."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, Field

from infra.errors import JobStateConflict


class JobStatus(str, enum.Enum):
    AWAITING_UPLOAD = "awaiting_upload"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.EXPIRED, JobStatus.CANCELLED})

#: Which status may follow which; PROCESSING -> PROCESSING is a progress update or a retry.
#: AWAITING_UPLOAD -> PROCESSING happens when a worker picks the job up in the instant between
#: its work message being published and its record being marked QUEUED.
ALLOWED_MOVES: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.AWAITING_UPLOAD: frozenset(
        {JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.EXPIRED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
    JobStatus.QUEUED: frozenset({JobStatus.PROCESSING, JobStatus.FAILED, JobStatus.CANCELLED}),
    # PROCESSING -> QUEUED: a worker shutting down hands its unfinished job back; -> CANCELLED: the
    # job is being deleted (its worker then discards what it made).
    JobStatus.PROCESSING: frozenset(
        {JobStatus.PROCESSING, JobStatus.QUEUED, JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.EXPIRED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}
#: Statuses from which a client may cancel: nothing has started running yet.
CANCELLABLE_STATUSES = frozenset({JobStatus.AWAITING_UPLOAD, JobStatus.QUEUED})


class Stage(str, enum.Enum):
    """The pipeline step a job is in (or ended in)."""

    UPLOAD = "upload"
    POSE_ESTIMATION = "pose-estimation"
    #: Tempo, beats, energy, angles and synchrony from the poses (choreo/), after pose estimation.
    DANCE_ANALYSIS = "dance-analysis"
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


class UploadRecord(BaseModel):
    """The one object version a job analyses: the first one uploaded for it."""

    version_id: str | None
    size: int
    etag: str | None


class BeatAlignmentSummaryRecord(BaseModel):
    score: float | None
    mean_offset_ms: float | None


class SynchronySummaryRecord(BaseModel):
    R: float | None


class OnBeatSummaryRecord(BaseModel):
    locked: bool
    locking: float | None
    #: None in summaries written before it was carried.
    chance: float | None = None
    score_above_chance: float | None
    mean_asynchrony_ms: float | None


class AnalysisSummaryRecord(BaseModel):
    """The headline figures of analysis.json (``choreo.report.summary_of``)."""

    motion_bpm: float | None
    music_bpm: float | None
    #: None without music beats, and in summaries written before the on-beat measure existed.
    on_beat: OnBeatSummaryRecord | None = None
    beat_alignment: BeatAlignmentSummaryRecord | None
    #: None without a music tempo, and in summaries written before the pulse clarity existed.
    clear_beat: bool | None = None
    #: The beat tracker's own tempo (``music_bpm`` unless the dancers follow another reading of the music);
    #: None without a music tempo, and in summaries written before the readings existed.
    tracker_bpm: float | None = None
    dancers: int
    synchrony: SynchronySummaryRecord | None


class MultipartRecord(BaseModel):
    """A job uploaded in parts straight to the bucket (S3 multipart upload)."""

    upload_id: str
    size: int
    part_size: int
    part_count: int

    def part_length(self, part_number: int) -> int:
        """The exact size of a part: ``part_size``, the last one the remainder."""
        if part_number < self.part_count:
            return self.part_size
        return self.size - self.part_size * (self.part_count - 1)


class JobResultRecord(BaseModel):
    """Object keys of a finished job's outputs; the gateway turns them into download URLs."""

    poses_key: str
    overlay_key: str | None = None
    frames: int
    people_max: int
    #: Distinct dancers (track ids) seen over the whole video.
    tracks: int = 0
    #: None when the dance analysis was switched off or failed (the job's warnings say why).
    analysis_key: str | None = None
    summary: AnalysisSummaryRecord | None = None


class ChunkRecord(BaseModel):
    """One part of a long video's pose estimation, run by a work message of its own."""

    #: Seconds: the first frame this chunk owns (a keyframe), and the first the next chunk owns (None: the end).
    start_s: float
    end_s: float | None
    #: Where its decoding starts: an overlap before ``start_s``, to match its tracks to the previous chunk's.
    decode_from_s: float
    #: Stream sequence of the chunk message that runs it; any other message for it is a copy.
    work_seq: int | None = None
    attempts: int = 0
    progress: float = 0.0
    done: bool = False


class ChunkPlan(BaseModel):
    """How a long video was split across workers (``DANCE_CHUNK_S``), and how far each part has got."""

    chunks: list[ChunkRecord]
    #: Stream sequence of the chunk message that finished the last chunk: it merges the parts.
    merge_seq: int | None = None

    @property
    def all_done(self) -> bool:
        return all(chunk.done for chunk in self.chunks)

    @property
    def progress(self) -> float:
        """Fraction of the pose estimation done: the chunks' progress summed, over their count."""
        return sum(1.0 if chunk.done else chunk.progress for chunk in self.chunks) / len(self.chunks)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class JobRecord(BaseModel):
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
    result: JobResultRecord | None = None
    warnings: list[str] = Field(default_factory=list)
    attempts: int = 0
    #: Stream sequence of the work message that runs the job; any other message for it is a copy.
    work_seq: int | None = None
    #: Who created the job: a hash of the API key, or None when the gateway runs open.
    owner: str | None = None
    #: The Content-Length the upload URL was signed for, when the client gave one.
    declared_size: int | None = None
    upload: UploadRecord | None = None
    #: Versions uploaded after the first, already reported in ``warnings``.
    ignored_versions: list[str] = Field(default_factory=list)
    #: Set when the video comes in parts (``/api/v1/analyze/multipart``).
    multipart: MultipartRecord | None = None
    #: When the job reached its final status; unlike ``updated_at`` it never moves afterwards, so the
    #: webhook event of the ending is the same whichever later revision names it.
    ended_at: datetime | None = None
    #: Set when the video is long enough to be split across workers; None for a job run in one piece.
    chunk_plan: ChunkPlan | None = None

    @classmethod
    def new(
        cls,
        job_id: str,
        filename: str,
        content_type: str,
        s3_key: str,
        expires_in_s: int,
        *,
        owner: str | None = None,
        declared_size: int | None = None,
    ) -> JobRecord:
        """A fresh job waiting for its upload."""
        now = utc_now()
        return cls(
            job_id=job_id,
            owner=owner,
            declared_size=declared_size,
            status=JobStatus.AWAITING_UPLOAD,
            stage=Stage.UPLOAD,
            filename=filename,
            content_type=content_type,
            s3_key=s3_key,
            created_at=now,
            updated_at=now,
            upload_expires_at=now + timedelta(seconds=expires_in_s),
        )

    def moved_to(self, status: JobStatus, **changes: Any) -> JobRecord:
        """A copy in ``status`` with ``changes`` applied; raises if the move is not allowed."""
        if status not in ALLOWED_MOVES[self.status]:
            raise JobStateConflict(f"job {self.job_id} is {self.status.value}, it cannot become {status.value}")
        stage, now = STAGE_OF_STATUS.get(status, self.stage), utc_now()
        ended = {"ended_at": now} if status.is_final else {}
        return self.model_copy(update={"status": status, "stage": stage, "updated_at": now, **ended, **changes})

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Still waiting for its upload after the upload URL expired."""
        return self.status is JobStatus.AWAITING_UPLOAD and (now or utc_now()) >= self.upload_expires_at

    def with_warning(self, warning: str) -> JobRecord:
        return self.model_copy(update={"warnings": [*self.warnings, warning], "updated_at": utc_now()})

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, data: bytes) -> JobRecord:
        return cls.model_validate_json(data)
