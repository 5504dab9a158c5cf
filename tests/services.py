"""Real nats-server and MinIO for tests: local binaries here, testcontainers where Docker runs."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import DEPLOY_LOCAL, ROOT, ManagedProcess, free_port

#: The subject MinIO publishes events on (MINIO_NOTIFY_NATS_SUBJECT_PRIMARY).
EVENTS_SUBJECT = "minio.events"
MINIO_USER = "minioadmin"
MINIO_PASSWORD = "minioadmin"
#: Images for the Docker path; MinIO's own stopped publishing, so pin a known release.
NATS_IMAGE = "nats:2.11-alpine"
MINIO_IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z"


class ServicesMissing(Exception):
    """Raised when neither Docker nor the local binaries are available."""


@dataclass
class Services:
    """Where the running servers are, and handles to stop or restart them."""

    nats_url: str
    s3_endpoint: str
    nats: ManagedProcess | None = None
    minio: ManagedProcess | None = None
    containers: list = field(default_factory=list)
    network: object | None = None

    def stop(self) -> None:
        for process in (self.minio, self.nats):
            if process is not None:
                process.stop()
        for container in reversed(self.containers):
            container.stop()
        if self.network is not None:
            self.network.remove()


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # no engine, no socket, no permission: all mean "use local binaries"
        return False


def local_binary(name: str) -> str | None:
    for candidate in (ROOT / ".local" / "bin" / name, ROOT / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def local_server_processes(state_dir: Path, log_dir: Path) -> tuple[ManagedProcess, ManagedProcess]:
    """nats-server and MinIO on free ports through deploy/local's scripts, not yet started."""
    missing = [name for name in ("nats-server", "minio") if local_binary(name) is None]
    if missing:
        raise ServicesMissing(f"{', '.join(missing)} not found: run 'make setup'")
    nats_port, nats_monitor, minio_port, console_port = (free_port() for _ in range(4))
    env = {
        "BIND_HOST": "127.0.0.1",
        "NATS_PORT": str(nats_port),
        "NATS_MONITOR_PORT": str(nats_monitor),
        "NATS_STORE_DIR": str(state_dir / "nats"),
        "MINIO_PORT": str(minio_port),
        "MINIO_CONSOLE_PORT": str(console_port),
        "MINIO_DATA_DIR": str(state_dir / "minio-data"),
        "MINIO_QUEUE_DIR": str(state_dir / "minio-queue"),
        "DANCE_EVENTS_SUBJECT": EVENTS_SUBJECT,
        "MINIO_ROOT_USER": MINIO_USER,
        "MINIO_ROOT_PASSWORD": MINIO_PASSWORD,
    }
    nats = ManagedProcess("nats", [str(DEPLOY_LOCAL / "run-nats.sh")], env, log_dir)
    minio = ManagedProcess("minio", [str(DEPLOY_LOCAL / "run-minio.sh")], env, log_dir)
    return nats, minio


def nats_health_url(nats: ManagedProcess) -> str:
    return f"http://127.0.0.1:{nats.env['NATS_MONITOR_PORT']}/healthz?js-enabled-only=true"


def minio_url(minio: ManagedProcess) -> str:
    return f"http://127.0.0.1:{minio.env['MINIO_PORT']}"


def start_local(state_dir: Path, log_dir: Path) -> Services:
    """nats-server and MinIO as local processes on free ports, through deploy/local's scripts."""
    nats, minio = local_server_processes(state_dir, log_dir)
    try:
        nats.start().wait_for_url(nats_health_url(nats))
        minio.start().wait_for_url(f"{minio_url(minio)}/minio/health/live")
    except BaseException:
        minio.stop()
        nats.stop()
        raise
    return Services(
        nats_url=f"nats://127.0.0.1:{nats.env['NATS_PORT']}", s3_endpoint=minio_url(minio), nats=nats, minio=minio
    )


def start_docker() -> Services:
    """The same two servers as containers on a private network (MinIO reaches NATS by name)."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.network import Network
    from testcontainers.core.waiting_utils import wait_for_logs

    network = Network().create()
    nats = (
        DockerContainer(NATS_IMAGE)
        .with_command("--jetstream --http_port 8222")
        .with_network(network)
        .with_network_aliases("nats")
        .with_exposed_ports(4222)
    )
    nats.start()
    wait_for_logs(nats, "Server is ready", timeout=60)
    minio = (
        DockerContainer(MINIO_IMAGE)
        .with_command("server /data")
        .with_network(network)
        .with_env("MINIO_ROOT_USER", MINIO_USER)
        .with_env("MINIO_ROOT_PASSWORD", MINIO_PASSWORD)
        .with_env("MINIO_NOTIFY_NATS_ENABLE_PRIMARY", "on")
        .with_env("MINIO_NOTIFY_NATS_ADDRESS_PRIMARY", "nats:4222")
        .with_env("MINIO_NOTIFY_NATS_SUBJECT_PRIMARY", EVENTS_SUBJECT)
        .with_env("MINIO_NOTIFY_NATS_JETSTREAM_PRIMARY", "on")
        .with_env("MINIO_NOTIFY_NATS_QUEUE_DIR_PRIMARY", "/data/.events-queue")
        .with_env("MINIO_NOTIFY_NATS_ENABLE_FAST", "on")
        .with_env("MINIO_NOTIFY_NATS_ADDRESS_FAST", "nats:4222")
        .with_env("MINIO_NOTIFY_NATS_SUBJECT_FAST", EVENTS_SUBJECT)
        .with_env("MINIO_NOTIFY_NATS_JETSTREAM_FAST", "on")
        .with_exposed_ports(9000)
    )
    minio.start()
    wait_for_logs(minio, "API:", timeout=60)
    return Services(
        nats_url=f"nats://{nats.get_container_host_ip()}:{nats.get_exposed_port(4222)}",
        s3_endpoint=f"http://{minio.get_container_host_ip()}:{minio.get_exposed_port(9000)}",
        containers=[nats, minio],
        network=network,
    )
