"""Client-side steps of the upload flow and the listings, as an integrating app would run them."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import requests
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from infra.errors import MalformedEvent
from infra.settings import Settings
from listener.events import parse_bucket_event

FINAL_STATUSES = {"completed", "failed", "expired"}


def request_upload(api: str, filename: str, content_type: str = "video/mp4", headers: dict | None = None) -> dict:
    response = requests.post(
        f"{api}/api/v1/analyze/upload-url", params={"filename": filename, "content_type": content_type},
        headers=headers, timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def put_file(upload_url: str, path: Path, content_type: str = "video/mp4") -> requests.Response:
    """A plain HTTP PUT of the file's bytes to the presigned URL."""
    with path.open("rb") as body:
        return requests.put(upload_url, data=body, headers={"Content-Type": content_type}, timeout=60)


def confirm(api: str, job_id: str, s3_key: str, headers: dict | None = None) -> requests.Response:
    return requests.post(
        f"{api}/api/v1/analyze/confirm", params={"job_id": job_id, "s3_key": s3_key}, headers=headers, timeout=10
    )


def wait_for_final(api: str, job_id: str, timeout_s: float = 180) -> dict:
    """Poll the job until it ends; fail with its last state if it does not."""
    return wait_until_final(api, f"/api/v1/analyze/{job_id}", timeout_s=timeout_s)


def wait_until_final(api: str, path: str, headers: dict | None = None, timeout_s: float = 180) -> dict:
    """Poll the record at ``path`` (a job, a comparison) until its status is final; fail with its
    last state if it does not get there."""
    deadline = time.monotonic() + timeout_s
    record: dict = {}
    while time.monotonic() < deadline:
        record = requests.get(f"{api}{path}", headers=headers, timeout=10).json()
        if record["status"] in FINAL_STATUSES:
            return record
        time.sleep(0.2)
    raise AssertionError(f"{path} did not finish in {timeout_s}s; last seen: {record}")


async def find_event(js: JetStreamContext, settings: Settings, key: str, scan: int = 500):
    """The newest message in the events stream about ``key`` (searching back ``scan`` messages), or None."""
    state = (await js.stream_info(settings.events_stream)).state
    for seq in range(state.last_seq, max(state.first_seq, state.last_seq - scan) - 1, -1):
        if seq < 1:
            break
        try:
            message = await js.get_msg(settings.events_stream, seq)
        except NotFoundError:
            continue
        try:
            events = parse_bucket_event(message.data)
        except MalformedEvent:
            continue
        if any(event.key == key for event in events):
            return message
    return None


async def wait_for_event(js: JetStreamContext, settings: Settings, key: str, timeout_s: float = 60):
    """Wait until MinIO's event for ``key`` is in the events stream; returns its message."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        message = await find_event(js, settings, key)
        if message is not None:
            return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"no bucket event for {key} within {timeout_s}s")


async def wait_until_listener_handled(js: JetStreamContext, settings: Settings, key: str, timeout_s: float = 60) -> None:
    """Wait until MinIO's event for ``key`` is in the events stream and the listener has acked it."""
    message = await wait_for_event(js, settings, key, timeout_s)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        consumer = await js.consumer_info(settings.events_stream, settings.listener_durable)
        if consumer.ack_floor.stream_seq >= message.seq:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the listener did not ack the event for {key} within {timeout_s}s")


def list_page(api: str, path: str, headers: dict | None, **params) -> dict:
    """One page of a listing endpoint (``/api/v1/analyze``, ``/api/v1/compare``), which must answer 200."""
    answer = requests.get(f"{api}{path}", params=params, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def list_everything(api: str, path: str, field: str, headers: dict | None) -> list[dict]:
    """Every entry of a listing endpoint, following ``next_cursor`` 100 at a time; ``field`` holds a page's entries."""
    entries, cursor = [], None
    while True:
        body = list_page(api, path, headers, limit=100, **({"cursor": cursor} if cursor else {}))
        entries += body[field]
        cursor = body["next_cursor"]
        if cursor is None:
            return entries
