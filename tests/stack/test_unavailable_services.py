"""When MinIO or NATS cannot be reached the gateway answers 503 with a code, never a 500."""
from __future__ import annotations

import asyncio

import pytest
import requests

from operations.provision import provision
from tests.conftest import ARTIFACTS, start_stack
from tests.helpers import request_upload
from tests.processes import DEPLOY_LOCAL, ManagedProcess, free_port


@pytest.fixture
def gateway_without_minio(provisioned):
    """A gateway whose S3 endpoint is a port nobody listens on."""
    running = start_stack(provisioned.model_copy(update={"s3_endpoint": f"http://127.0.0.1:{free_port()}"}), services=("gateway",), ready=False)
    yield running
    running.stop()


@pytest.fixture
def gateway_with_own_nats(provisioned, tmp_path):
    """A gateway on a private nats-server that the test can stop."""
    port, monitor = free_port(), free_port()
    nats = ManagedProcess(
        "nats-private",
        [str(DEPLOY_LOCAL / "run-nats.sh")],
        {"NATS_PORT": str(port), "NATS_MONITOR_PORT": str(monitor), "NATS_STORE_DIR": str(tmp_path / "nats")},
        ARTIFACTS / "logs",
    ).start()
    nats.wait_for_url(f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true")
    settings = provisioned.model_copy(update={"nats_url": f"nats://127.0.0.1:{port}"})
    asyncio.run(provision(settings))  # the streams a gateway publishes to (upload checks) live in NATS
    running = start_stack(settings, services=("gateway",))
    yield running, nats
    running.stop()
    nats.stop()


def test_minio_unreachable_gives_503_storage_unavailable(gateway_without_minio):
    api = gateway_without_minio.api
    ready = requests.get(f"{api}/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json()["s3"] is False
    body = request_upload(api, "a.mp4")  # signing needs no MinIO
    response = requests.post(
        f"{api}/api/v1/analyze/confirm", params={"job_id": body["job_id"], "s3_key": body["s3_key"]}, timeout=30
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert "Retry-After" in response.headers


def test_nats_unreachable_gives_503_broker_unavailable(gateway_with_own_nats):
    gateway, nats = gateway_with_own_nats
    assert request_upload(gateway.api, "before.mp4")["job_id"]
    nats.stop()
    response = requests.post(f"{gateway.api}/api/v1/analyze/upload-url", params={"filename": "a.mp4"}, timeout=30)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "broker_unavailable"
    ready = requests.get(f"{gateway.api}/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json()["nats"] is False
