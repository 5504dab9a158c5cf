"""The cluster stack for tests: three NATS servers and four MinIO nodes through deploy/local's
cluster scripts (free ports, state under a temporary folder), provisioned at three replicas, with a
gateway, a listener and two pose workers given every NATS URL."""
from __future__ import annotations

import os
import signal
import socket
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from infra.settings import Settings
from tests.processes import DEPLOY_LOCAL, ROOT, ManagedProcess, free_port, metrics_port_of, python_service
from tests.services import EVENTS_SUBJECT, MINIO_PASSWORD, MINIO_USER, ServicesMissing, local_binary

NATS_NODES = 3
MINIO_NODES = 4
LOG_ROOT = ROOT / "test-artifacts" / "logs" / "cluster"


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports (the scripts number nodes from a base port)."""
    for _ in range(200):
        base = free_port()
        if base + count > 65535:
            continue
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class ClusterEnv:
    settings: Settings
    script_env: dict[str, str]
    log_dir: Path
    nats: list[ManagedProcess] = field(default_factory=list)
    minio: list[ManagedProcess] = field(default_factory=list)
    services: dict[str, ManagedProcess] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    def nats_node(self, name: str) -> ManagedProcess:
        """The NATS process of a server name as JetStream reports it (``dance-n2``)."""
        return self.nats[int(name.rsplit("n", 1)[1]) - 1]

    def nats_health_url(self, index: int) -> str:
        return f"http://127.0.0.1:{int(self.script_env['NATS_MONITOR_PORT']) + index}/healthz?js-enabled-only=true"

    def minio_health_url(self, index: int = 0) -> str:
        return f"http://127.0.0.1:{int(self.script_env['MINIO_PORT']) + index}/minio/health/cluster"

    def stop(self) -> None:
        for process in [*self.services.values(), *reversed(self.minio), *reversed(self.nats)]:
            process.stop()


def kill_hard(process: ManagedProcess) -> None:
    """kill -9, as a crash or a pulled plug would (a process that already died stays dead)."""
    assert process.process is not None
    if process.running:
        os.kill(process.process.pid, signal.SIGKILL)
    process.process.wait()


def start_cluster(state_dir: Path, *, workers: int = 2, log_dir: Path = LOG_ROOT) -> ClusterEnv:
    missing = [name for name in ("nats-server", "minio") if local_binary(name) is None]
    if missing:
        raise ServicesMissing(f"{', '.join(missing)} not found: run 'make setup'")
    script_env = {
        "BIND_HOST": "127.0.0.1",
        "CLUSTER_STATE_DIR": str(state_dir),
        "NATS_PORT": str(free_port_block(NATS_NODES)),
        "NATS_MONITOR_PORT": str(free_port_block(NATS_NODES)),
        "NATS_CLUSTER_PORT": str(free_port_block(NATS_NODES)),
        "MINIO_PORT": str(free_port_block(MINIO_NODES)),
        "MINIO_CLUSTER_CONSOLE_PORT": str(free_port_block(MINIO_NODES)),
        "DANCE_EVENTS_SUBJECT": EVENTS_SUBJECT,
        "MINIO_ROOT_USER": MINIO_USER,
        "MINIO_ROOT_PASSWORD": MINIO_PASSWORD,
    }
    nats_base, minio_base = int(script_env["NATS_PORT"]), int(script_env["MINIO_PORT"])
    settings = Settings(
        nats_url=",".join(f"nats://127.0.0.1:{nats_base + i}" for i in range(NATS_NODES)),
        s3_endpoint=f"http://127.0.0.1:{minio_base}",
        s3_access_key=MINIO_USER,
        s3_secret_key=MINIO_PASSWORD,
        bucket="test-cluster",
        events_subject=EVENTS_SUBJECT,
        stream_replicas=3,
        work_ack_wait_s=15,
        progress_interval_s=0.5,
        rate_limit_per_s=0,
        http_port=free_port(),
        work_dir=state_dir / "work",
    )
    env = ClusterEnv(settings, script_env, log_dir)
    with ExitStack() as on_failure:
        on_failure.callback(env.stop)
        for node in range(1, NATS_NODES + 1):
            env.nats.append(
                ManagedProcess(f"nats-{node}", [str(DEPLOY_LOCAL / "run-nats-node.sh"), str(node)], script_env, log_dir).start()
            )
        for index, process in enumerate(env.nats):
            process.wait_for_url(env.nats_health_url(index))
        for node in range(1, MINIO_NODES + 1):
            env.minio.append(
                ManagedProcess(f"minio-{node}", [str(DEPLOY_LOCAL / "run-minio-node.sh"), str(node)], script_env, log_dir).start()
            )
        env.minio[0].wait_for_url(env.minio_health_url(), timeout_s=120)
        on_failure.pop_all()
    return env


def start_services(env: ClusterEnv, workers: int = 2) -> None:
    names = {"listener": "listener", "gateway": "gateway"} | {f"pose-worker-{i}": "pose_worker" for i in range(1, workers + 1)}
    for name, module in names.items():
        settings = env.settings.model_copy(update={"metrics_port": free_port()}) if module != "gateway" else env.settings
        env.services[name] = python_service(name, module, settings, env.log_dir).start()
    env.services["gateway"].wait_for_url(f"{env.api}/readyz")
    for name, process in env.services.items():
        if name != "gateway":  # up once its metrics answer
            process.wait_for_url(f"http://127.0.0.1:{metrics_port_of(process)}/metrics")
