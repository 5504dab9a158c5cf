"""Every process serves Prometheus metrics that move when work happens."""
from __future__ import annotations

import re
import time

import requests

from tests.clips import make_clip
from tests.helpers import confirm, put_file, request_upload, wait_for_final
from tests.processes import metrics_port_of


def scrape(url: str) -> str:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.text


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample, 0 when absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def process_metrics(stack, module: str) -> str:
    return scrape(f"http://127.0.0.1:{metrics_port_of(stack.processes[module])}/metrics")


def test_metrics_count_events_jobs_and_answers(stack, tmp_path):
    clip = make_clip(tmp_path / "m.mp4", seconds=0.5, size=(640, 360))
    before_events = process_metrics(stack, "listener")
    before_worker = process_metrics(stack, "pose_worker")

    upload = request_upload(stack.api, "metrics.mp4")
    put_file(upload["upload_url"], clip)
    confirm(stack.api, upload["job_id"], upload["s3_key"])
    assert wait_for_final(stack.api, upload["job_id"])["status"] == "completed"

    deadline = time.monotonic() + 30
    while True:  # the listener sees the event copies asynchronously
        listener = process_metrics(stack, "listener")
        seen = sum(
            sample(listener, "dance_listener_events_total", outcome=o) - sample(before_events, "dance_listener_events_total", outcome=o)
            for o in ("queued", "duplicate")
        )
        if seen >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert seen >= 1
    worker = process_metrics(stack, "pose_worker")
    completed = sample(worker, "dance_worker_jobs_total", outcome="completed")
    assert completed - sample(before_worker, "dance_worker_jobs_total", outcome="completed") >= 1
    assert sample(worker, "dance_worker_processing_seconds_count") >= 1
    assert sample(worker, "dance_worker_frames_total") >= 15

    gateway = scrape(f"{stack.api}/metrics")
    assert sample(gateway, "dance_gateway_responses_total", method="POST", route="/api/v1/analyze/upload-url", status="200") >= 1


def test_the_listener_reports_jobs_awaiting_upload_and_queue_depth(stack):
    request_upload(stack.api, "waiting.mp4")  # at least one job is awaiting its upload from now on
    deadline = time.monotonic() + 30  # the gauges are refreshed every gauge_interval_s (1 s here)
    while time.monotonic() < deadline:
        listener = process_metrics(stack, "listener")
        if sample(listener, "dance_jobs_awaiting_upload") >= 1:
            break
        time.sleep(0.5)
    assert sample(listener, "dance_jobs_awaiting_upload") >= 1
    assert re.search(r"^dance_work_queue_depth [0-9.]+$", listener, re.MULTILINE)
