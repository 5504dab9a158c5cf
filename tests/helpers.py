"""Client-side steps of the upload flow, as an integrating app would run them."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import requests
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from common.settings import Settings
from listener.events import parse_bucket_event

FINAL_STATUSES = {"completed", "failed", "expired"}


def request_upload(api: str, filename: str, content_type: str = "video/mp4") -> dict:
    response = requests.post(
        f"{api}/api/v1/analyze/upload-url", params={"filename": filename, "content_type": content_type}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def put_file(upload_url: str, path: Path, content_type: str = "video/mp4") -> requests.Response:
    """A plain HTTP PUT of the file's bytes to the presigned URL."""
    with path.open("rb") as body:
        return requests.put(upload_url, data=body, headers={"Content-Type": content_type}, timeout=60)


def confirm(api: str, job_id: str, s3_key: str) -> requests.Response:
    return requests.post(f"{api}/api/v1/analyze/confirm", params={"job_id": job_id, "s3_key": s3_key}, timeout=10)


def wait_for_final(api: str, job_id: str, timeout_s: float = 180) -> dict:
    """Poll the job until it ends; fail with its last state if it does not."""
    deadline = time.monotonic() + timeout_s
    job: dict = {}
    while time.monotonic() < deadline:
        job = requests.get(f"{api}/api/v1/analyze/{job_id}", timeout=10).json()
        if job["status"] in FINAL_STATUSES:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s}s; last seen: {job}")


async def wait_until_listener_handled(js: JetStreamContext, settings: Settings, key: str, timeout_s: float = 60) -> None:
    """Wait until MinIO's event for ``key`` is in the events stream and the listener has acked it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            message = await js.get_last_msg(settings.events_stream, settings.events_subject)
        except NotFoundError:
            message = None
        if message is not None and any(event.key == key for event in parse_bucket_event(message.data)):
            consumer = await js.consumer_info(settings.events_stream, settings.listener_durable)
            if consumer.ack_floor.stream_seq >= message.seq:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the listener did not handle the event for {key} within {timeout_s}s")
