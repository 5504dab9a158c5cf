"""A throwaway local stack for benchmarks: nats-server, MinIO and our services on free ports."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infra.settings import Settings
from operations.provision import provision
from tests.processes import ManagedProcess, free_port, python_service
from tests.services import MINIO_PASSWORD, MINIO_USER, Services, start_local

SERVICE_NAMES = {"listener": "listener", "pose_worker": "pose-worker", "gateway": "gateway"}


@dataclass
class BenchStack:
    settings: Settings
    api: str
    processes: dict[str, ManagedProcess]
    #: nats-server and MinIO, for benchmarks that watch them too.
    servers: Services


@contextmanager
def bench_stack(tmp: Path, services: tuple[str, ...] = ("listener", "pose_worker", "gateway"), **overrides) -> Iterator[BenchStack]:
    """Start everything in ``tmp``; stop it all on exit."""
    servers = start_local(tmp / "state", tmp / "logs")
    processes: dict[str, ManagedProcess] = {}
    try:
        # Load generators create jobs far faster than any caller may, and leave many waiting for an
        # upload: no rate limit and no quota unless asked.
        overrides = {"rate_limit_per_s": 0, "max_pending_uploads": 0, **overrides}
        settings = Settings(
            nats_url=servers.nats_url, s3_endpoint=servers.s3_endpoint, s3_access_key=MINIO_USER,
            s3_secret_key=MINIO_PASSWORD, http_port=free_port(), bucket="bench", log_level="WARNING", **overrides,
        )
        asyncio.run(provision(settings))
        for module in services:
            processes[module] = python_service(SERVICE_NAMES[module], module, settings, tmp / "logs").start()
        api = f"http://127.0.0.1:{settings.http_port}"
        if "gateway" in processes:
            processes["gateway"].wait_for_url(f"{api}/readyz")
        yield BenchStack(settings, api, processes, servers)
    finally:
        for process in reversed(list(processes.values())):
            process.stop()
        servers.stop()
