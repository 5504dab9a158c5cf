"""Job records in JetStream KV: compare-and-set means concurrent writers never lose an update."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from domain.jobs import JobRecord, JobStatus
from infra.errors import JobNotFound, JobStateConflict


def new_job() -> JobRecord:
    job_id = str(uuid.uuid4())
    return JobRecord.new(job_id, "a.mp4", "video/mp4", f"uploads/{job_id}/a.mp4", expires_in_s=900)


async def test_concurrent_updates_all_land(job_store):
    job = await job_store.create(new_job())

    async def add_warning(n: int) -> None:
        await job_store.update(job.job_id, lambda j: j.model_copy(update={"warnings": [*j.warnings, f"w{n}"]}))

    await asyncio.gather(*(add_warning(n) for n in range(20)))
    stored = await job_store.get(job.job_id)
    assert sorted(stored.warnings) == sorted(f"w{n}" for n in range(20))


async def test_a_change_that_returns_none_writes_nothing(job_store):
    job = await job_store.create(new_job())
    unchanged = await job_store.update(job.job_id, lambda j: None)
    assert unchanged == job


async def test_reading_an_unknown_or_invalid_id_raises_job_not_found(job_store):
    with pytest.raises(JobNotFound):
        await job_store.get(str(uuid.uuid4()))
    with pytest.raises(JobNotFound):
        await job_store.get("../../not a key")


def test_final_states_cannot_be_left():
    done = new_job().moved_to(JobStatus.QUEUED).moved_to(JobStatus.PROCESSING).moved_to(JobStatus.COMPLETED)
    assert done.stage.value == "done"
    with pytest.raises(JobStateConflict):
        done.moved_to(JobStatus.PROCESSING)
