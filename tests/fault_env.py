"""A private pipeline per fault test: its own nats-server and MinIO, and every process in its hands.

Fault tests kill, stop and restart servers and services, so they never share the session's
stack. Each gets fresh servers (free ports, data under the test's ``tmp_path``), a provisioned
``Settings``, and its logs under ``test-artifacts/logs/<test name>/``; failures quote the tails.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from infra.broker import connect_nats
from infra.settings import Settings
from operations.provision import provision_patiently
from tests.helpers import FINAL_STATUSES
from tests.processes import ROOT, ManagedProcess, free_port, python_service
from tests.services import EVENTS_SUBJECT, MINIO_PASSWORD, MINIO_USER, local_server_processes, nats_health_url

LOG_ROOT = ROOT / "test-artifacts" / "logs"
#: Lines of each process's log quoted in a failure message: enough to see the last job's story.
LOG_TAIL_LINES = 30
#: How long a stopped process may take to exit on SIGTERM before it is killed.
STOP_TIMEOUT_S = 15
#: Upper bound for a server or the gateway to answer its health URL after a (re)start.
READY_TIMEOUT_S = 60


def fault_settings(nats: ManagedProcess, minio: ManagedProcess, work_dir: Path) -> Settings:
    """The session fixture's choices (short ack wait and progress ticks)."""
    return Settings(
        nats_url=f"nats://127.0.0.1:{nats.env['NATS_PORT']}",
        s3_endpoint=f"http://127.0.0.1:{minio.env['MINIO_PORT']}",
        s3_access_key=MINIO_USER,
        s3_secret_key=MINIO_PASSWORD,
        bucket="test-dance",
        events_subject=EVENTS_SUBJECT,
        # Short so a killed worker's job is redelivered within a test's patience.
        work_ack_wait_s=10,
        progress_interval_s=0.5,
        work_dir=work_dir,
        http_port=free_port(),
    )


@dataclass
class FaultEnv:
    """Servers and services of one fault test, each a ``ManagedProcess`` it may stop, kill or restart."""

    settings: Settings
    log_dir: Path
    nats: ManagedProcess
    minio: ManagedProcess
    gateway: ManagedProcess
    listener: ManagedProcess
    workers: dict[str, ManagedProcess] = field(default_factory=dict)
    _nc: NATS | None = None

    @property
    def api(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}"

    # --- processes ----------------------------------------------------------------------

    def worker(self, name: str = "pose-worker-1") -> ManagedProcess:
        """The pose worker called ``name`` (created on first use, not started)."""
        if name not in self.workers:
            self.workers[name] = python_service(name, "pose_worker", self.settings, self.log_dir)
        return self.workers[name]

    def wait_until_ready(self, process: ManagedProcess) -> None:
        """Block until a (re)started server or gateway answers its health URL."""
        if process is self.nats:
            process.wait_for_url(nats_health_url(process), READY_TIMEOUT_S)
        elif process is self.minio:
            process.wait_for_url(f"{self.settings.s3_endpoint}/minio/health/live", READY_TIMEOUT_S)
        elif process is self.gateway:
            process.wait_for_url(f"{self.api}/readyz", READY_TIMEOUT_S)

    def start(self, process: ManagedProcess) -> ManagedProcess:
        """Start ``process`` (same argv, env, ports and data dirs as before) and wait until it is ready."""
        process.start()
        self.wait_until_ready(process)
        return process

    def restart(self, process: ManagedProcess) -> int | None:
        """SIGTERM (then SIGKILL), start again; returns the exit code of the stopped run."""
        code = process.stop(STOP_TIMEOUT_S)
        self.start(process)
        return code

    def nats_client_names(self) -> list[str]:
        """Names of the clients connected to nats-server now, from its monitoring endpoint."""
        monitor = f"http://127.0.0.1:{self.nats.env['NATS_MONITOR_PORT']}/connz?limit=1024"
        return [connection.get("name", "") for connection in requests.get(monitor, timeout=5).json()["connections"]]

    def wait_until_connected(self, process: ManagedProcess, client_name: str) -> None:
        """Wait until ``process`` is up far enough to be connected to NATS as ``client_name``."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if not process.running:
                raise AssertionError(f"{process.name} exited while starting\n{self.log_tails([process.name])}")
            if client_name in self.nats_client_names():
                return
            time.sleep(0.1)
        raise AssertionError(f"{process.name} not connected to NATS within {READY_TIMEOUT_S}s\n{self.log_tails()}")

    @property
    def processes(self) -> list[ManagedProcess]:
        return [self.gateway, self.listener, *self.workers.values(), self.nats, self.minio]

    def log_tails(self, names: Iterable[str] | None = None, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` of each process's log (all of them, or those in ``names``)."""
        wanted = None if names is None else set(names)
        parts = []
        for process in self.processes:
            if wanted is not None and process.name not in wanted:
                continue
            state = "running" if process.running else f"exited {process.process.returncode if process.process else '-'}"
            parts.append(f"----- {process.name} ({state}), {process.log_path} -----\n{process.log_tail(lines)}")
        return "\n".join(parts)

    def log_text(self, process: ManagedProcess) -> str:
        return process.log_path.read_text(errors="replace") if process.log_path.exists() else ""

    def close(self) -> None:
        """Stop our services first (they would only reconnect), then MinIO, then NATS."""
        for process in [self.gateway, self.listener, *self.workers.values(), self.minio, self.nats]:
            try:
                process.stop(STOP_TIMEOUT_S)
            except OSError:
                process.kill()

    # --- NATS, for the test's own look at the streams -------------------------------------

    async def jetstream(self) -> JetStreamContext:
        if self._nc is None:
            self._nc = await connect_nats(self.settings, "fault-test")
        return self._nc.jetstream()

    async def close_client(self) -> None:
        if self._nc is not None:
            await self._nc.close()
            self._nc = None

    async def work_last_seq(self) -> int:
        """How many messages the work stream has ever received (work-queue retention deletes acked ones)."""
        js = await self.jetstream()
        return (await js.stream_info(self.settings.work_stream)).state.last_seq

    async def wait_until_listener_caught_up(self, timeout_s: float = 30) -> None:
        """Wait until the listener has settled every message in the events stream."""
        js = await self.jetstream()
        deadline = time.monotonic() + timeout_s
        consumer = None
        while time.monotonic() < deadline:
            last = (await js.stream_info(self.settings.events_stream)).state.last_seq
            consumer = await js.consumer_info(self.settings.events_stream, self.settings.listener_durable)
            if consumer.num_pending == 0 and consumer.num_ack_pending == 0 and consumer.ack_floor.stream_seq >= last:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(
            f"the listener did not settle the events stream within {timeout_s}s; consumer: {consumer}\n"
            + self.log_tails(["listener"])
        )

    # --- jobs, through the gateway ------------------------------------------------------

    def read_job(self, job_id: str) -> dict | None:
        """The job as the gateway shows it, or None while the gateway or its servers are unavailable."""
        try:
            response = requests.get(f"{self.api}/api/v1/analyze/{job_id}", timeout=10)
        except requests.RequestException:
            return None
        if response.status_code != 200:
            return None
        return response.json()

    def wait_for_job(self, job_id: str, done, what: str, timeout_s: float = 90, poll_s: float = 0.1) -> dict:
        """Poll until ``done(job)`` holds; fail with the job and the logs' tails if it never does."""
        deadline = time.monotonic() + timeout_s
        job = None
        while time.monotonic() < deadline:
            job = self.read_job(job_id)
            if job is not None and done(job):
                return job
            time.sleep(poll_s)
        raise AssertionError(f"job {job_id} not {what} within {timeout_s}s; last seen: {job}\n{self.log_tails()}")

    def wait_for_final(self, job_id: str, timeout_s: float = 90) -> dict:
        return self.wait_for_job(job_id, lambda job: job["status"] in FINAL_STATUSES, "final", timeout_s, poll_s=0.2)


def log_dir_for(test_name: str) -> Path:
    """``test-artifacts/logs/<test name>/``, emptied so a rerun's logs are only its own."""
    safe = re.sub(r"[^A-Za-z0-9_.\-\[\]]", "_", test_name)
    path = LOG_ROOT / safe
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@asynccontextmanager
async def open_fault_env(test_name: str, tmp_path: Path) -> AsyncIterator[FaultEnv]:
    """Fresh servers, provisioned, with the gateway and listener running; pose workers are the test's to start.

    Raises ``tests.services.ServicesMissing`` when nats-server or MinIO is not installed.
    Every process is stopped on the way out, whatever happened.
    """
    log_dir = log_dir_for(test_name)
    nats, minio = local_server_processes(tmp_path / "servers", log_dir)
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    settings = fault_settings(nats, minio, work_dir)
    env = FaultEnv(
        settings=settings,
        log_dir=log_dir,
        nats=nats,
        minio=minio,
        gateway=python_service("gateway", "gateway", settings, log_dir),
        listener=python_service("listener", "listener", settings, log_dir),
    )
    try:
        # MinIO publishes to NATS, and waits for it at start-up: NATS first.
        await asyncio.to_thread(env.start, nats)
        await asyncio.to_thread(env.start, minio)
        await provision_patiently(settings)
        env.listener.start()
        await asyncio.to_thread(env.start, env.gateway)
        yield env
    finally:
        await env.close_client()
        await asyncio.to_thread(env.close)
