"""Live progress: the job as server-sent events, from waiting for its upload to its end."""
from __future__ import annotations

import json
import threading
import uuid

import requests

from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload


def read_events(url: str, headers: dict | None = None) -> tuple[requests.Response, list[dict]]:
    """All ``event: job`` payloads of a stream, read until the server closes it."""
    response = requests.get(url, headers=headers, stream=True, timeout=(5, 120))
    events, data = [], []
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("data: "):
            data.append(line[len("data: "):])
        elif line == "" and data:
            events.append(json.loads("\n".join(data)))
            data = []
    return response, events


def test_the_event_stream_follows_a_job_to_completion(stack, tmp_path):
    clip = make_clip(tmp_path / "live.mp4", seconds=2.0, size=(640, 360))
    upload = request_upload(stack.api, "live.mp4")
    got: dict = {}

    def follow() -> None:
        url = f"{stack.api}/api/v1/analyze/{upload['job_id']}/events"
        got["response"], got["events"] = read_events(url, {"Origin": "http://page.example"})

    reader = threading.Thread(target=follow)
    reader.start()
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(stack.api, upload["job_id"], upload["s3_key"]).status_code == 200
    reader.join(timeout=120)
    assert not reader.is_alive(), "the stream did not end with the job"

    response, events = got["response"], got["events"]
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Access-Control-Allow-Origin"] in {"*", "http://page.example"}
    statuses = [event["status"] for event in events]
    assert statuses[0] == "awaiting_upload" and statuses[-1] == "completed"
    assert "processing" in statuses
    progress = [event["progress"] for event in events if event["status"] == "processing"]
    assert progress == sorted(progress)
    assert events[-1]["result"]["poses_url"] and events[-1]["progress"] == 1.0


def test_a_finished_job_streams_once_and_closes(stack):
    upload = request_upload(stack.api, "gone.mp4")
    requests.post(f"{stack.api}/api/v1/analyze/{upload['job_id']}/cancel", timeout=10)
    _, events = read_events(f"{stack.api}/api/v1/analyze/{upload['job_id']}/events")
    assert [event["status"] for event in events] == ["cancelled"]


def test_events_of_an_unknown_job_are_a_json_404(stack):
    response = requests.get(f"{stack.api}/api/v1/analyze/{uuid.uuid4()}/events", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "job_not_found"
