"""Deleting a job removes its upload, results and record, even while a worker is running it."""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import requests

from infra.storage import make_s3_client
from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("delete") / "dance.mp4", seconds=2.0, size=(640, 360))


def stored_versions(settings, job_id: str) -> list[str]:
    s3 = make_s3_client(settings)
    return [
        obj.object_name
        for prefix in (f"uploads/{job_id}/", f"results/{job_id}/")
        for obj in s3.list_objects(settings.bucket, prefix=prefix, recursive=True, include_version=True)
    ]


def upload(api: str, clip) -> str:
    grant = request_upload(api, clip.name)
    assert put_file(grant["upload_url"], clip).status_code == 200
    assert confirm(api, grant["job_id"], grant["s3_key"]).status_code == 200
    return grant["job_id"]


def test_a_deleted_job_leaves_nothing_and_its_old_urls_are_404(stack, clip):
    job_id = upload(stack.api, clip)
    job = wait_for_final(stack.api, job_id)
    assert job["status"] == "completed" and stored_versions(stack.settings, job_id)
    answer = requests.delete(f"{stack.api}/api/v1/analyze/{job_id}", timeout=30)
    assert answer.status_code == 200 and answer.json() == {"job_id": job_id, "deleted": True}
    assert stored_versions(stack.settings, job_id) == []
    gone = requests.get(f"{stack.api}/api/v1/analyze/{job_id}", timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "job_not_found"
    for url in (job["result"]["poses_url"], job["result"]["overlay_url"], job["result"]["analysis_url"]):
        assert requests.get(url, timeout=10).status_code == 404
    listed = requests.get(f"{stack.api}/api/v1/analyze", params={"limit": 100}, timeout=10).json()["jobs"]
    assert job_id not in [j["job_id"] for j in listed]
    assert requests.delete(f"{stack.api}/api/v1/analyze/{job_id}", timeout=10).status_code == 404


async def test_a_job_deleted_while_it_runs_has_its_results_discarded(stack, tmp_path, nats_client):
    longer = make_clip(tmp_path / "longer.mp4", seconds=8.0, size=(640, 360))
    job_id = await asyncio.to_thread(upload, stack.api, longer)
    deadline = time.monotonic() + 60
    while requests.get(f"{stack.api}/api/v1/analyze/{job_id}", timeout=10).json()["status"] != "processing":
        assert time.monotonic() < deadline, "the job never started"
        await asyncio.sleep(0.1)
    assert requests.delete(f"{stack.api}/api/v1/analyze/{job_id}", timeout=30).status_code == 200
    # Wait for the worker to finish with it (nothing pending or in flight on the work stream).
    js = nats_client.jetstream()
    deadline = time.monotonic() + 120
    while True:
        info = await js.consumer_info(stack.settings.work_stream, stack.settings.worker_durable)
        if info.num_pending == 0 and info.num_ack_pending == 0:
            break
        assert time.monotonic() < deadline, "the worker never finished"
        await asyncio.sleep(0.2)
    assert stored_versions(stack.settings, job_id) == []
    assert requests.get(f"{stack.api}/api/v1/analyze/{job_id}", timeout=10).status_code == 404


def test_deleting_an_unknown_job_is_404(stack):
    answer = requests.delete(f"{stack.api}/api/v1/analyze/{uuid.uuid4()}", timeout=10)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "job_not_found"
