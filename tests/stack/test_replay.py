"""Replaying stored events queues what was missed, once, and nothing else."""
from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import uuid

import pytest

from domain.job_store import JobStore
from domain.jobs import JobRecord, JobStatus
from infra.storage import make_s3_client
from listener.replay import parse_duration
from operations.provision import provision
from tests.conftest import isolated_names
from tests.helpers import wait_for_event
from tests.processes import ROOT, settings_env


@pytest.fixture(scope="module")
async def unattended(provisioned):
    """Settings with their own bucket, job store and work stream, and no listener running for them:
    every event for this bucket is one the pipeline has missed."""
    settings = provisioned.model_copy(update=isolated_names("replay"))
    await provision(settings)
    return settings


def run_replay(settings, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "listener", "replay", *args], cwd=ROOT, env={**os.environ, **settings_env(settings)},
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_replay_queues_a_job_whose_event_was_missed_and_only_once(unattended, nats_client):
    js = nats_client.jetstream()
    jobs = await JobStore.open(js, unattended.jobs_bucket)
    job_id = str(uuid.uuid4())
    key = f"uploads/{job_id}/missed.mp4"
    await jobs.create(JobRecord.new(job_id, "missed.mp4", "video/mp4", key, expires_in_s=900))
    s3 = make_s3_client(unattended)
    await asyncio.to_thread(s3.put_object, unattended.bucket, key, io.BytesIO(b"video bytes"), 11)
    event = await wait_for_event(js, unattended, key)
    before = (await js.stream_info(unattended.work_stream)).state.last_seq

    first = await asyncio.to_thread(run_replay, unattended, "--from-seq", str(event.seq))
    assert "queued 1" in first
    assert (await jobs.get(job_id)).status is JobStatus.QUEUED

    second = await asyncio.to_thread(run_replay, unattended, "--since", "10m")
    assert "queued" not in second.replace("queued 0", "")
    assert "duplicate" in second
    assert (await js.stream_info(unattended.work_stream)).state.last_seq - before == 1


@pytest.mark.parametrize(
    ("text", "seconds"),
    [pytest.param("90s", 90, id="seconds"), pytest.param("15m", 900, id="minutes"),
     pytest.param("1h", 3600, id="hours"), pytest.param("7d", 604800, id="days")],
)
def test_replay_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


def test_a_bad_duration_is_refused_with_a_message():
    done = subprocess.run(
        [sys.executable, "-m", "listener", "replay", "--since", "yesterday"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "not a duration" in done.stderr
