"""Upload rules on the real stack: names, types, one-time URLs, expiry, size cap, cancel."""
from __future__ import annotations

import asyncio
import time

import pytest
import requests

from domain.job_store import JobStore
from domain.jobs import JobStatus
from domain.stored_uploads import find_first_upload
from infra.storage import make_s3_client
from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final, wait_until_listener_handled


def upload_url(api: str, **params) -> requests.Response:
    return requests.post(f"{api}/api/v1/analyze/upload-url", params=params, timeout=10)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("rules") / "clip.mp4", seconds=0.5, size=(640, 360))


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        pytest.param("../../etc/passwd.mp4", "passwd.mp4", id="path-traversal"),
        pytest.param("C:\\Users\\me\\dance.mp4", "dance.mp4", id="windows-path"),
        pytest.param("da\x00n\x1fce\x7f.mp4", "dance.mp4", id="control-characters"),
        pytest.param("...hidden.mp4", "hidden.mp4", id="leading-dots"),
        pytest.param("my dance & more?.mp4", "my_dance_more_.mp4", id="url-special-characters"),
        pytest.param("Tänze – Sommer 💃.mp4", "Tänze_–_Sommer_💃.mp4", id="unicode-kept-readable"),
        pytest.param("x" * 500 + ".mp4", "x" * 196 + ".mp4", id="bounded-length"),
    ],
)
def test_filenames_are_sanitised_and_stay_under_the_jobs_folder(stack, filename, stored_as):
    body = request_upload(stack.api, filename)
    assert body["s3_key"] == f"uploads/{body['job_id']}/{stored_as}"


@pytest.mark.parametrize(
    "filename",
    [pytest.param("..", id="only-dots"), pytest.param("/", id="only-a-slash"), pytest.param("\x00", id="only-control")],
)
def test_a_filename_with_nothing_usable_is_rejected(stack, filename):
    response = upload_url(stack.api, filename=filename)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_request", "missing_parameter"}


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        pytest.param("a.mp4", "video/mp4", id="mp4"),
        pytest.param("a.mov", "video/quicktime", id="mov"),
        pytest.param("a.avi", "video/x-msvideo", id="avi"),
        pytest.param("a.avi", "video/avi", id="avi-alias"),
        pytest.param("a.avi", "video/msvideo", id="avi-msvideo-alias"),
        pytest.param("A.MP4", "Video/MP4", id="case-insensitive"),
    ],
)
def test_supported_video_types_are_accepted(stack, filename, content_type):
    assert upload_url(stack.api, filename=filename, content_type=content_type).status_code == 200


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        pytest.param("a.mkv", "video/x-matroska", id="matroska"),
        pytest.param("a.mp4", "application/octet-stream", id="octet-stream"),
        pytest.param("a.mov", "video/mp4", id="mov-named-as-mp4"),
        pytest.param("a", "video/mp4", id="no-extension"),
    ],
)
def test_unsupported_or_mismatched_types_are_rejected(stack, filename, content_type):
    response = upload_url(stack.api, filename=filename, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_file_type"


async def test_a_second_put_to_the_same_url_changes_nothing(stack, clip, nats_client, tmp_path):
    js = nats_client.jetstream()
    before = (await js.stream_info(stack.settings.work_stream)).state.last_seq
    upload = request_upload(stack.api, "once.mp4")
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(stack.api, upload["job_id"], upload["s3_key"]).status_code == 200
    impostor = tmp_path / "impostor.mp4"
    impostor.write_bytes(b"not the video that was confirmed" * 64)
    assert put_file(upload["upload_url"], impostor).status_code == 200  # MinIO keeps it as a newer version

    job = await asyncio.to_thread(wait_for_final, stack.api, upload["job_id"])
    await wait_until_listener_handled(js, stack.settings, upload["s3_key"])
    job = stack.get_job(upload["job_id"])
    assert job["status"] == "completed"  # the first upload (a real clip) was analysed, not the impostor
    assert job["result"]["frames"] == 15
    assert any("second upload" in warning for warning in job["warnings"])
    assert (await js.stream_info(stack.settings.work_stream)).state.last_seq - before == 1
    # The video the page plays is the version analysed, not the newer one at the same key.
    played = await asyncio.to_thread(requests.get, job["result"]["video_url"], timeout=30)
    assert played.status_code == 200 and played.content == clip.read_bytes()


def test_an_expired_url_is_refused_by_minio_and_the_job_ends_expired(limits_stack, clip):
    upload = request_upload(limits_stack.api, "late.mp4")
    assert upload["expires_in"] == 3
    time.sleep(4)
    assert put_file(upload["upload_url"], clip).status_code == 403
    job = limits_stack.get_job(upload["job_id"])
    assert job["status"] == "expired"
    assert job["error"]["code"] == "job_expired"
    response = confirm(limits_stack.api, upload["job_id"], upload["s3_key"])
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "job_expired"


async def test_the_listener_expires_jobs_nobody_asks_about_at_their_check(limits_stack, nats_client):
    upload = request_upload(limits_stack.api, "forgotten.mp4")
    # Read the store directly: asking the gateway would settle the job itself.
    jobs = await JobStore.open(nats_client.jetstream(), limits_stack.settings.jobs_bucket)
    deadline = time.monotonic() + 30
    while (job := await jobs.get(upload["job_id"])).status is JobStatus.AWAITING_UPLOAD:
        assert time.monotonic() < deadline, "the listener's check did not expire the job"
        await asyncio.sleep(0.2)
    assert job.status is JobStatus.EXPIRED


def test_a_url_signed_for_a_size_accepts_only_that_size(limits_stack, tmp_path):
    exact = tmp_path / "exact.mp4"
    exact.write_bytes(b"\x00" * 1000)
    other = tmp_path / "other.mp4"
    other.write_bytes(b"\x00" * 999)
    body = upload_url(limits_stack.api, filename="sized.mp4", size=1000).json()
    assert "content-length" in body["upload_url"].lower()  # in X-Amz-SignedHeaders
    assert put_file(body["upload_url"], other).status_code == 403
    assert put_file(body["upload_url"], exact).status_code == 200


@pytest.mark.parametrize(
    ("size", "status", "code"),
    [
        pytest.param("200001", 413, "file_too_large", id="over-the-cap"),
        pytest.param("0", 400, "invalid_parameter", id="zero"),
        pytest.param("lots", 400, "invalid_parameter", id="not-a-number"),
    ],
)
def test_a_declared_size_is_checked_before_signing(limits_stack, size, status, code):
    response = upload_url(limits_stack.api, filename="big.mp4", size=size)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_an_upload_over_the_cap_fails_the_job_and_is_deleted(limits_stack, tmp_path):
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x00" * 300_000)
    upload = request_upload(limits_stack.api, "big.mp4")
    assert put_file(upload["upload_url"], big).status_code == 200
    job = await asyncio.to_thread(wait_for_final, limits_stack.api, upload["job_id"], 60)
    assert job["status"] == "failed"
    assert job["error"]["code"] == "file_too_large"
    response = confirm(limits_stack.api, upload["job_id"], upload["s3_key"])
    assert response.status_code == 413
    assert find_first_upload(make_s3_client(limits_stack.settings), limits_stack.settings.bucket, upload["s3_key"]) is None


async def test_a_cancelled_job_ignores_a_later_upload(stack, clip, nats_client):
    upload = request_upload(stack.api, "cancel.mp4")
    cancelled = requests.post(f"{stack.api}/api/v1/analyze/{upload['job_id']}/cancel", timeout=10)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert put_file(upload["upload_url"], clip).status_code == 200
    await wait_until_listener_handled(nats_client.jetstream(), stack.settings, upload["s3_key"])
    job = stack.get_job(upload["job_id"])
    assert job["status"] == "cancelled"
    assert any("after the job was cancelled" in warning for warning in job["warnings"])
    response = confirm(stack.api, upload["job_id"], upload["s3_key"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "job_cancelled"


def test_a_completed_job_cannot_be_cancelled(stack, clip):
    upload = request_upload(stack.api, "done.mp4")
    put_file(upload["upload_url"], clip)
    confirm(stack.api, upload["job_id"], upload["s3_key"])
    assert wait_for_final(stack.api, upload["job_id"])["status"] == "completed"
    response = requests.post(f"{stack.api}/api/v1/analyze/{upload['job_id']}/cancel", timeout=10)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "job_not_cancellable"
