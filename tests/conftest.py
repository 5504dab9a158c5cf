"""Fixtures: a real nats-server and MinIO per test session, provisioned, and our three services."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from common.broker import connect_nats
from common.job_store import JobStore
from common.provision import provision
from common.settings import Settings
from tests.processes import ROOT, ManagedProcess, python_service
from tests.services import MINIO_PASSWORD, MINIO_USER, Services, ServicesMissing, docker_available, start_docker, start_local

ARTIFACTS = ROOT / "test-artifacts"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """nats-server with JetStream and MinIO with its NATS target; Docker if it runs, else local binaries."""
    log_dir = ARTIFACTS / "logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    choice = os.environ.get("DANCE_TEST_SERVICES", "auto")
    try:
        if choice == "docker" or (choice == "auto" and docker_available()):
            started = start_docker()
        else:
            started = start_local(tmp_path_factory.mktemp("services"), log_dir)
    except ServicesMissing as exc:
        if _in_ci():
            pytest.fail(f"real MinIO and NATS are required in CI: {exc}")
        pytest.skip(str(exc))
    yield started
    started.stop()


@pytest.fixture(scope="session")
def settings(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        nats_url=services.nats_url,
        s3_endpoint=services.s3_endpoint,
        s3_access_key=MINIO_USER,
        s3_secret_key=MINIO_PASSWORD,
        bucket="test-dance",
        events_subject="minio.events",
        # Short so a crashed worker's job is redelivered within a test's patience.
        work_ack_wait_s=10,
        progress_interval_s=0.5,
        work_dir=tmp_path_factory.mktemp("work"),
    )


@pytest.fixture(scope="session")
async def provisioned(settings: Settings) -> Settings:
    await provision(settings)
    return settings


@pytest.fixture(scope="session")
async def job_store(provisioned: Settings) -> AsyncIterator[JobStore]:
    nc = await connect_nats(provisioned, "tests")
    yield await JobStore.open(nc.jetstream(), provisioned.jobs_bucket)
    await nc.close()


@pytest.fixture(scope="session")
async def nats_client(provisioned: Settings):
    nc = await connect_nats(provisioned, "tests-js")
    yield nc
    await nc.close()


@dataclass
class Stack:
    """The three services running against the session's servers."""

    settings: Settings
    api: str
    gateway: ManagedProcess
    listener: ManagedProcess
    worker: ManagedProcess

    def get_job(self, job_id: str) -> dict:
        response = requests.get(f"{self.api}/api/v1/analyze/{job_id}", timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def stack(provisioned: Settings) -> Iterator[Stack]:
    from tests.processes import free_port

    settings = provisioned.model_copy(update={"http_port": free_port()})
    log_dir = ARTIFACTS / "logs"
    processes = [
        python_service("listener", "listener", settings, log_dir),
        python_service("pose-worker", "pose_worker", settings, log_dir),
        python_service("gateway", "gateway", settings, log_dir),
    ]
    for process in processes:
        process.start()
    api = f"http://127.0.0.1:{settings.http_port}"
    processes[2].wait_for_url(f"{api}/readyz")
    yield Stack(settings, api, gateway=processes[2], listener=processes[0], worker=processes[1])
    for process in processes:
        process.stop()


@pytest.fixture
def unique_name() -> str:
    return f"clip-{uuid.uuid4().hex[:8]}"
