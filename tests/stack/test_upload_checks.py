"""Jobs waiting for their upload: one check each, due soon after creation and at expiry, and a quota per key."""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from domain.job_store import JobStore
from domain.jobs import JobRecord, JobStatus
from domain.upload_waits import UploadCheck
from gateway.auth import owner_of_key
from infra.storage import make_s3_client
from listener.upload_checks import check_times, next_check
from operations.provision import provision
from tests.conftest import Stack, isolated_names, start_stack
from tests.helpers import confirm, find_event, put_file, request_upload

CREATED = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: Keys of the quota's own gateway, so no other test's waiting jobs count against them.
QUOTA_KEYS = ("key-carol", "key-dave", "key-erin")


def at(seconds: float) -> datetime:
    return CREATED + timedelta(seconds=seconds)


def check_expiring_after(seconds: float) -> UploadCheck:
    return UploadCheck(job_id="j", created_at=CREATED, upload_expires_at=at(seconds))


@pytest.mark.parametrize(
    ("ages", "expires_after", "times"),
    [
        pytest.param((20, 50), 900, [20, 50, 901], id="early-checks-then-just-after-expiry"),
        pytest.param((50, 20), 900, [20, 50, 901], id="ages-in-any-order"),
        pytest.param((20, 50), 30, [20, 31], id="ages-after-expiry-are-dropped"),
        pytest.param((), 3, [4], id="expiry-only"),
    ],
)
def test_a_waiting_job_is_checked_at_the_given_ages_then_just_after_its_expiry(ages, expires_after, times):
    assert check_times(check_expiring_after(expires_after), ages) == [at(t) for t in times]


def test_the_next_check_is_the_first_one_after_now_and_none_once_all_have_passed():
    times = check_times(check_expiring_after(900), (20, 50))
    assert next_check(times, at(0)) == at(20)
    assert next_check(times, at(20)) == at(50)  # a check done at its time is not due again
    assert next_check(times, at(901)) is None


def upload_url(api: str, headers: dict | None = None) -> requests.Response:
    return requests.post(f"{api}/api/v1/analyze/upload-url", params={"filename": "w.mp4"}, headers=headers, timeout=10)


async def waiting_subjects(nats_client, settings, owner: str = "open") -> set[str]:
    info = await nats_client.jetstream().stream_info(
        settings.upload_checks_stream, subjects_filter=f"{settings.upload_checks_subject}.{owner}.*"
    )
    return set(info.state.subjects or {})


def multipart_job(api: str) -> dict:
    answer = requests.post(f"{api}/api/v1/analyze/multipart", json={"filename": "m.mp4", "size": 1000}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def upload_and_confirm(api: str, job: dict, path) -> None:
    assert put_file(job["upload_url"], path).status_code == 200
    assert confirm(api, job["job_id"], job["s3_key"]).status_code == 200


@pytest.mark.parametrize(
    "stop_waiting",
    [
        pytest.param(lambda api, job, path: upload_and_confirm(api, job, path), id="uploaded-and-confirmed"),
        pytest.param(lambda api, job, path: requests.post(f"{api}/api/v1/analyze/{job['job_id']}/cancel", timeout=10),
                     id="cancelled"),
        pytest.param(lambda api, job, path: requests.delete(f"{api}/api/v1/analyze/{job['job_id']}", timeout=10),
                     id="deleted"),
    ],
)
async def test_a_jobs_check_is_removed_as_soon_as_it_stops_waiting(stack, nats_client, tmp_path, stop_waiting):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00" * 1000)
    job = request_upload(stack.api, "w.mp4")
    subject = f"{stack.settings.upload_checks_subject}.open.{job['job_id']}"
    assert subject in await waiting_subjects(nats_client, stack.settings)
    await asyncio.to_thread(stop_waiting, stack.api, job, video)
    assert subject not in await waiting_subjects(nats_client, stack.settings)


async def test_aborting_a_multipart_upload_removes_its_check(stack, nats_client):
    job = multipart_job(stack.api)
    subject = f"{stack.settings.upload_checks_subject}.open.{job['job_id']}"
    assert subject in await waiting_subjects(nats_client, stack.settings)
    assert requests.delete(f"{stack.api}/api/v1/analyze/multipart/{job['job_id']}", timeout=10).status_code == 200
    assert subject not in await waiting_subjects(nats_client, stack.settings)


async def test_provisioning_gives_jobs_made_before_checks_existed_a_check_once(provisioned, nats_client):
    settings = provisioned.model_copy(update=isolated_names("backfill"))
    js = nats_client.jetstream()
    before_checks = await JobStore.open(js, settings.jobs_bucket)  # no UploadWaits: a store of old

    def new_job(name: str) -> JobRecord:
        job_id = str(uuid.uuid4())
        return JobRecord.new(job_id, name, "video/mp4", f"uploads/{job_id}/{name}", 900)

    waiting = await before_checks.create(new_job("waiting.mp4"))
    cancelled = await before_checks.create(new_job("cancelled.mp4"))
    await before_checks.update(cancelled.job_id, lambda job: job.moved_to(JobStatus.CANCELLED))
    await provision(settings)
    expected = {f"{settings.upload_checks_subject}.open.{waiting.job_id}"}
    assert await waiting_subjects(nats_client, settings) == expected
    await before_checks.create(new_job("later.mp4"))
    await provision(settings)  # the backfill ran once: provisioning again adds nothing
    assert await waiting_subjects(nats_client, settings) == expected


# --- a bucket whose events never reach the listener: only the checks can queue its jobs --------


@pytest.fixture(scope="module")
async def quiet_stack(provisioned) -> AsyncIterator[Stack]:
    """A gateway and listener on a bucket of their own with its notifications removed, and checks at 2 s and 4 s."""
    settings = provisioned.model_copy(update={**isolated_names("quiet"), "upload_check_after_s": "2,4"})
    await provision(settings)
    await asyncio.to_thread(make_s3_client(settings).delete_bucket_notification, settings.bucket)
    running = start_stack(settings, services=("listener", "gateway"))
    yield running
    running.stop()


async def wait_for_status(jobs: JobStore, job_id: str, status: JobStatus, timeout_s: float) -> JobRecord:
    """Read the store itself: asking the gateway could settle the job on its own."""
    deadline = time.monotonic() + timeout_s
    while (job := await jobs.get(job_id)).status is not status:
        assert time.monotonic() < deadline, f"job {job_id} is still {job.status.value} after {timeout_s} s"
        await asyncio.sleep(0.2)
    return job


def listener_log(stack: Stack) -> str:
    return stack.processes["listener"].log_path.read_text(errors="replace")


async def test_an_upload_whose_event_is_lost_is_queued_by_its_check(quiet_stack, nats_client, tmp_path):
    video = tmp_path / "lost.mp4"
    video.write_bytes(b"\x00" * 1000)
    job = request_upload(quiet_stack.api, "lost.mp4")
    assert put_file(job["upload_url"], video).status_code == 200
    started = time.monotonic()
    jobs = await JobStore.open(nats_client.jetstream(), quiet_stack.settings.jobs_bucket)
    await wait_for_status(jobs, job["job_id"], JobStatus.QUEUED, timeout_s=20)
    assert time.monotonic() - started < 10  # the check at 2 s, not the one at expiry
    assert f"job {job['job_id']} queued via upload check" in listener_log(quiet_stack)
    assert await find_event(nats_client.jetstream(), quiet_stack.settings, job["s3_key"]) is None  # truly lost
    assert not await waiting_subjects(nats_client, quiet_stack.settings)


async def test_a_check_held_by_the_server_survives_a_listener_restart(quiet_stack, nats_client, tmp_path):
    settings, js = quiet_stack.settings, nats_client.jetstream()
    job = request_upload(quiet_stack.api, "restart.mp4")
    deadline = time.monotonic() + 10
    while (consumer := await js.consumer_info(settings.upload_checks_stream, settings.upload_checks_durable)).num_pending:
        assert time.monotonic() < deadline, "the listener never took the check"
        await asyncio.sleep(0.1)
    assert consumer.num_ack_pending == 1  # delivered and held until due
    listener = quiet_stack.processes["listener"]
    assert listener.stop() == 0
    video = tmp_path / "restart.mp4"
    video.write_bytes(b"\x00" * 1000)
    assert put_file(job["upload_url"], video).status_code == 200  # no event: only the check can see it
    listener.start()
    jobs = await JobStore.open(js, settings.jobs_bucket)
    await wait_for_status(jobs, job["job_id"], JobStatus.QUEUED, timeout_s=30)


# --- the quota: DANCE_MAX_PENDING_UPLOADS ------------------------------------------------------


@pytest.fixture(scope="module")
def quota_gateway(provisioned) -> Iterator[Stack]:
    running = start_stack(
        provisioned.model_copy(update={"api_keys": ",".join(QUOTA_KEYS), "max_pending_uploads": 2}), services=("gateway",)
    )
    yield running
    running.stop()


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_with_as_many_jobs_waiting_as_allowed_is_refused_until_one_stops_waiting(quota_gateway, tmp_path):
    api, carol, dave = quota_gateway.api, bearer(QUOTA_KEYS[0]), bearer(QUOTA_KEYS[1])
    first, second = (upload_url(api, carol) for _ in range(2))
    assert first.status_code == second.status_code == 200
    first, second = first.json(), second.json()
    refused = upload_url(api, carol)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_pending"
    assert "2" in refused.json()["error"]["message"] and "Retry-After" not in refused.headers
    multipart = requests.post(f"{api}/api/v1/analyze/multipart", json={"filename": "m.mp4", "size": 1000},
                              headers=carol, timeout=10)
    assert multipart.status_code == 429 and multipart.json()["error"]["code"] == "too_many_pending"
    assert upload_url(api, dave).status_code == 200  # another key has a count of its own

    assert requests.delete(f"{api}/api/v1/analyze/{first['job_id']}", headers=carol, timeout=10).status_code == 200
    third = upload_url(api, carol)
    assert third.status_code == 200
    assert upload_url(api, carol).status_code == 429

    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00" * 1000)
    assert put_file(second["upload_url"], video).status_code == 200
    assert confirm(api, second["job_id"], second["s3_key"], headers=carol).json()["status"] in {"queued", "processing"}
    assert upload_url(api, carol).status_code == 200


async def test_creators_racing_for_the_last_places_never_exceed_the_quota(quota_gateway, nats_client):
    erin = bearer(QUOTA_KEYS[2])
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: upload_url(quota_gateway.api, erin).status_code, range(16)))
    assert set(answers) <= {200, 429} and answers.count(200) <= 2
    waiting = await waiting_subjects(nats_client, quota_gateway.settings, owner_of_key(QUOTA_KEYS[2]))
    assert len(waiting) == answers.count(200)
