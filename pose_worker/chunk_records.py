"""How a split job's record changes as its chunks run (pure: a job in, the changed job or None out).

Each function is the change one compare-and-set makes (``JobStore.update``); None leaves the
record as it is. The job's progress is always the chunks' sum, scaled to ``CHUNKS_SHARE``.
"""
from __future__ import annotations

from domain.jobs import JobRecord, JobStatus

#: Share of the progress bar the chunks fill together; the merge (stitching, overlay) takes it to
#: the pose share, the dance analysis fills the rest.
CHUNKS_SHARE = 0.9


def with_chunk(job: JobRecord, index: int, **changes: object) -> JobRecord:
    """The job with chunk ``index`` changed, and its progress the chunks' sum."""
    assert job.chunk_plan is not None
    chunks = list(job.chunk_plan.chunks)
    chunks[index] = chunks[index].model_copy(update=changes)
    plan = job.chunk_plan.model_copy(update={"chunks": chunks})
    return job.moved_to(JobStatus.PROCESSING, stage=job.stage, chunk_plan=plan, progress=round(CHUNKS_SHARE * plan.progress, 4))


def claim_chunk(job: JobRecord, index: int, seq: int, attempt: int) -> JobRecord | None:
    """Chunk ``index`` run by the message at stream sequence ``seq``, unless the job ended, or the
    chunk is done or run by another message."""
    plan = job.chunk_plan
    if job.status is not JobStatus.PROCESSING or plan is None or index >= len(plan.chunks):
        return None
    chunk = plan.chunks[index]
    if chunk.done or chunk.work_seq not in (None, seq):
        return None
    return with_chunk(job, index, work_seq=seq, attempts=attempt, progress=0.0)


def with_chunk_progress(job: JobRecord, index: int, seq: int, fraction: float) -> JobRecord | None:
    plan = job.chunk_plan
    if job.status is not JobStatus.PROCESSING or plan is None:
        return None
    chunk = plan.chunks[index]
    if chunk.done or chunk.work_seq != seq:
        return None
    return with_chunk(job, index, progress=round(fraction, 4))


def mark_chunk_done(job: JobRecord, index: int, seq: int) -> JobRecord | None:
    """Chunk ``index`` done; the mark that finds every chunk done also names its message the merger."""
    plan = job.chunk_plan
    if job.status is not JobStatus.PROCESSING or plan is None or plan.chunks[index].work_seq != seq:
        return None
    if plan.chunks[index].done:
        return None  # marked by an earlier delivery of this message
    marked = with_chunk(job, index, done=True, progress=1.0)
    assert marked.chunk_plan is not None
    if marked.chunk_plan.all_done:
        return marked.model_copy(update={"chunk_plan": marked.chunk_plan.model_copy(update={"merge_seq": seq})})
    return marked


def with_merge_progress(job: JobRecord, fraction: float) -> JobRecord | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=round(fraction, 4), stage=job.stage)
