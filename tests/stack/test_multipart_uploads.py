"""Resumable uploads in parts, straight to MinIO, on the real stack."""
from __future__ import annotations

import asyncio
import time

import pytest
import requests

from infra.s3_multipart import MultipartUploads
from infra.storage import make_s3_client
from tests.clips import make_clip, pad_clip
from tests.helpers import wait_for_final

MiB = 1024**2
PART = 16 * MiB


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory):
    """A real 2-second video padded to 40 MiB with an MP4 ``free`` box (decoders skip it): three parts."""
    return pad_clip(make_clip(tmp_path_factory.mktemp("multipart") / "big.mp4", seconds=2.0, size=(640, 360)), 40 * MiB)


def start(api: str, clip, size: int | None = None) -> dict:
    answer = requests.post(
        f"{api}/api/v1/analyze/multipart",
        json={"filename": clip.name, "content_type": "video/mp4", "size": size or clip.stat().st_size}, timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def part_urls(api: str, job_id: str, numbers: list[int]) -> dict[str, str]:
    answer = requests.post(f"{api}/api/v1/analyze/multipart/{job_id}/parts", json={"part_numbers": numbers}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["urls"]


def put_part(url: str, clip, number: int, cut: int = 0) -> requests.Response:
    with clip.open("rb") as file:
        file.seek((number - 1) * PART)
        data = file.read(PART)
    return requests.put(url, data=data[: len(data) - cut], timeout=60)


def complete(api: str, job_id: str, **body) -> requests.Response:
    return requests.post(f"{api}/api/v1/analyze/multipart/{job_id}/complete", json=body or None, timeout=30)


def open_uploads(settings, key: str) -> list:
    return MultipartUploads(make_s3_client(settings), settings.bucket).open_uploads(key)


async def test_an_interrupted_upload_is_resumed_by_a_client_that_knows_only_the_job_id(stack, big_clip, nats_client):
    js = nats_client.jetstream()
    before = (await js.stream_info(stack.settings.work_stream)).state.last_seq
    upload = start(stack.api, big_clip)
    job_id = upload["job_id"]
    assert (upload["part_size"], upload["part_count"]) == (PART, 3)
    first = put_part(part_urls(stack.api, job_id, [1])["1"], big_clip, 1)
    assert first.status_code == 200
    # The connection drops here; a fresh client starts again from the job id alone.
    state = requests.get(f"{stack.api}/api/v1/analyze/multipart/{job_id}", timeout=10).json()
    assert [(p["part_number"], p["size"]) for p in state["parts"]] == [(1, PART)]
    assert state["parts"][0]["etag"] == first.headers["ETag"].strip('"')
    stored = {p["part_number"] for p in state["parts"]}
    missing = [n for n in range(1, state["part_count"] + 1) if n not in stored]
    for number, url in part_urls(stack.api, job_id, missing).items():
        assert put_part(url, big_clip, int(number)).status_code == 200

    done = complete(stack.api, job_id)
    assert done.status_code == 200, done.text
    assert done.json()["status"] in {"queued", "processing", "completed"}
    assert complete(stack.api, job_id).status_code == 200  # harmless twice
    job = await asyncio.to_thread(wait_for_final, stack.api, job_id)
    assert job["status"] == "completed" and job["result"]["frames"] == 60
    after = (await js.stream_info(stack.settings.work_stream)).state.last_seq
    assert after - before == 1, "the job was queued more than once"
    assert open_uploads(stack.settings, upload["s3_key"]) == []


def test_a_part_of_the_wrong_length_is_refused_by_the_bucket(stack, big_clip):
    upload = start(stack.api, big_clip)
    url = part_urls(stack.api, upload["job_id"], [1])["1"]
    assert put_part(url, big_clip, 1, cut=1).status_code == 403
    assert requests.delete(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}", timeout=10).status_code == 200


def test_completing_with_a_missing_part_or_a_wrong_etag_is_refused(stack, big_clip):
    upload = start(stack.api, big_clip)
    urls = part_urls(stack.api, upload["job_id"], [1, 2])
    etags = {n: put_part(url, big_clip, int(n)).headers["ETag"] for n, url in urls.items()}
    incomplete = complete(stack.api, upload["job_id"])
    assert incomplete.status_code == 400 and incomplete.json()["error"]["code"] == "incomplete_upload"
    assert "missing parts 3" in incomplete.json()["error"]["message"]
    put_part(part_urls(stack.api, upload["job_id"], [3])["3"], big_clip, 3)
    wrong = complete(stack.api, upload["job_id"], parts=[{"part_number": 1, "etag": etags["2"]}])
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_part"
    requests.delete(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}", timeout=10)


def test_abort_leaves_no_parts_and_cancels_the_job(stack, big_clip):
    upload = start(stack.api, big_clip)
    put_part(part_urls(stack.api, upload["job_id"], [2])["2"], big_clip, 2)
    assert len(open_uploads(stack.settings, upload["s3_key"])) == 1
    aborted = requests.delete(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}", timeout=10)
    assert aborted.status_code == 200 and aborted.json()["status"] == "cancelled"
    assert open_uploads(stack.settings, upload["s3_key"]) == []
    closed = requests.post(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}/parts",
                           json={"part_numbers": [1]}, timeout=10)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "upload_closed"


def test_sizes_and_part_numbers_are_checked(stack, big_clip):
    too_big = requests.post(f"{stack.api}/api/v1/analyze/multipart",
                            json={"filename": "huge.mp4", "size": 10**15}, timeout=10)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "file_too_large"
    no_size = requests.post(f"{stack.api}/api/v1/analyze/multipart", params={"filename": "a.mp4"}, timeout=10)
    assert no_size.status_code == 400 and no_size.json()["error"]["code"] == "missing_parameter"
    upload = start(stack.api, big_clip)
    beyond = requests.post(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}/parts",
                           json={"part_numbers": [2, 4]}, timeout=10)
    assert beyond.status_code == 400 and beyond.json()["error"]["code"] == "invalid_parameter"
    assert set(part_urls(stack.api, upload["job_id"], [3, 1])) == {"1", "3"}
    single = requests.post(f"{stack.api}/api/v1/analyze/upload-url", params={"filename": "one.mp4"}, timeout=10).json()
    not_multipart = requests.get(f"{stack.api}/api/v1/analyze/multipart/{single['job_id']}", timeout=10)
    assert not_multipart.status_code == 409 and not_multipart.json()["error"]["code"] == "job_not_multipart"
    requests.delete(f"{stack.api}/api/v1/analyze/multipart/{upload['job_id']}", timeout=10)


def test_an_upload_not_completed_in_time_is_aborted_and_the_job_expires(limits_stack, tmp_path):
    clip = tmp_path / "small.mp4"
    clip.write_bytes(bytes(100_000))
    upload = start(limits_stack.api, clip)
    assert upload["expires_in"] == 3 and upload["part_count"] == 1
    url = part_urls(limits_stack.api, upload["job_id"], [1])["1"]
    assert requests.put(url, data=clip.read_bytes(), timeout=30).status_code == 200
    # No one reads the job meanwhile: the listener's check just after expiry (4 s here) must see the
    # window close, abort the parts and expire the job on its own.
    deadline = time.monotonic() + 30
    while open_uploads(limits_stack.settings, upload["s3_key"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert open_uploads(limits_stack.settings, upload["s3_key"]) == []
    job = requests.get(f"{limits_stack.api}/api/v1/analyze/{upload['job_id']}", timeout=10).json()
    assert job["status"] == "expired", job
