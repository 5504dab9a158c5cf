"""Fixtures: a real nats-server and MinIO per test session, provisioned, and our three services."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import requests

from domain.job_store import JobStore
from infra.broker import connect_nats
from infra.settings import Settings
from operations.provision import provision
from tests.fault_env import FaultEnv, open_fault_env
from tests.processes import ROOT, ManagedProcess, free_port, metrics_port_of, python_service
from tests.services import (
    MINIO_PASSWORD,
    MINIO_USER,
    Services,
    ServicesMissing,
    docker_available,
    start_docker,
    start_local,
)

ARTIFACTS = ROOT / "test-artifacts"
#: The tiers: each test is marked with its folder's name (pyproject.toml describes them).
TIERS = ("unit", "stack", "browser", "cluster", "real")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its tier, the folder it lives in, so ``-m unit`` or ``-m "not browser"`` select by tier."""
    tests_dir = ROOT / "tests"
    for item in items:
        tier = item.path.relative_to(tests_dir).parts[0] if item.path.is_relative_to(tests_dir) else None
        if tier in TIERS:
            item.add_marker(tier)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """nats-server with JetStream and MinIO with its NATS target; Docker if it runs, else local binaries."""
    log_dir = ARTIFACTS / "logs"
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
        gauge_interval_s=1.0,
        work_dir=tmp_path_factory.mktemp("work"),
        # Tests create jobs in bursts from one address; the limit itself is tested on a gateway of its own.
        rate_limit_per_s=0,
        # The same for jobs left waiting for their upload; the quota is tested on gateways of its own.
        max_pending_uploads=0,
        # Webhook receivers in tests listen on 127.0.0.1; refusals are tested on the limits stack's gateway.
        webhook_allow_private=True,
        webhook_retry_delays_s="0.5,1,1,1,1,1",
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
    """Some of our services running against the session's servers, by module name."""

    settings: Settings
    api: str
    processes: dict[str, ManagedProcess]

    def get_job(self, job_id: str, headers: dict | None = None) -> dict:
        response = requests.get(f"{self.api}/api/v1/analyze/{job_id}", headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


def start_stack(
    settings: Settings, *,
    services: tuple[str, ...] = ("listener", "pose_worker", "compare_worker", "webhook_dispatcher", "gateway"),
    ready: bool = True,
) -> Stack:
    """Our processes on ``settings`` (a free HTTP port is chosen); waits until the gateway is
    ready, or only alive when ``ready`` is False (for a gateway meant to be unready)."""
    settings = settings.model_copy(update={"http_port": free_port()})
    log_dir = ARTIFACTS / "logs"
    suffix = "" if settings.bucket == "test-dance" else f"-{settings.bucket}"
    names = {
        "listener": "listener", "pose_worker": "pose-worker", "compare_worker": "compare-worker",
        "webhook_dispatcher": "webhook-dispatcher", "gateway": "gateway",
    }
    # Each process gets its own metrics port; the gateway serves /metrics on its API port.
    processes = {
        module: python_service(
            names[module] + suffix, module, settings.model_copy(update={"metrics_port": free_port()}), log_dir
        ).start()
        for module in services
    }
    api = f"http://127.0.0.1:{settings.http_port}"
    processes["gateway"].wait_for_url(f"{api}/readyz" if ready else f"{api}/healthz")
    for module, process in processes.items():
        if module != "gateway":  # up once its metrics answer
            process.wait_for_url(f"http://127.0.0.1:{metrics_port_of(process)}/metrics")
    return Stack(settings, api, processes)


@pytest.fixture(scope="session")
def stack(provisioned: Settings) -> Iterator[Stack]:
    """Gateway, listener and one pose worker with the default limits (900 s URLs, 4 GiB cap)."""
    running = start_stack(provisioned)
    yield running
    running.stop()


def isolated_names(suffix: str) -> dict[str, str]:
    """Settings naming a bucket, job store and streams of their own, so services configured with
    them never take another stack's events, jobs or work."""
    return {
        "bucket": f"test-{suffix}",
        "listener_durable": f"listener-{suffix}",
        "work_stream": f"POSE_WORK_{suffix.upper()}",
        "work_subject": f"work.{suffix}",
        "worker_durable": f"pose-workers-{suffix}",
        "jobs_bucket": f"jobs-{suffix}",
        "comparisons_bucket": f"comparisons-{suffix}",
        "compare_stream": f"COMPARE_WORK_{suffix.upper()}",
        "compare_subject": f"work.compare.{suffix}",
        "compare_durable": f"comparers-{suffix}",
        "upload_checks_stream": f"UPLOAD_CHECKS_{suffix.upper()}",
        "upload_checks_subject": f"checks_{suffix}",
        "upload_checks_durable": f"upload-checks-{suffix}",
    }


#: Limits small enough to hit in a test: URLs and multipart uploads expire in 3 s, uploads over 200 kB are refused;
#: and webhooks as strict as in production.
LIMITS = {
    "upload_expiry_s": 3, "multipart_expiry_s": 3, "max_upload_bytes": 200_000,
    # The production default: webhook URLs on loopback, private or metadata addresses are refused.
    "webhook_allow_private": False,
}


@pytest.fixture(scope="session")
async def limits_stack(provisioned: Settings) -> AsyncIterator[Stack]:
    """A second gateway + listener with tiny limits, on their own bucket, streams and job store.

    Own names keep the two listeners from taking each other's events or jobs.
    """
    settings = provisioned.model_copy(update={**LIMITS, **isolated_names("limits")})
    await provision(settings)
    running = start_stack(settings, services=("listener", "gateway"))
    yield running
    running.stop()


API_KEYS = ("key-alice", "key-bob")


@pytest.fixture(scope="session")
def secured_gateway(provisioned: Settings) -> Iterator[Stack]:
    """A gateway with API keys configured, sharing the main stack's listener and worker."""
    running = start_stack(provisioned.model_copy(update={"api_keys": ",".join(API_KEYS)}), services=("gateway",))
    yield running
    running.stop()


@pytest.fixture
def unique_name() -> str:
    return f"clip-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def env(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[FaultEnv]:
    """A private pipeline (own nats-server, MinIO, gateway, listener) a test may break; see tests.fault_env."""
    try:
        async with open_fault_env(request.node.name, tmp_path) as private:
            yield private
    except ServicesMissing as exc:
        if _in_ci():
            pytest.fail(f"real MinIO and NATS are required in CI: {exc}")
        pytest.skip(str(exc))
