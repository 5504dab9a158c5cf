"""Start and stop real processes for tests: servers via deploy/local scripts, and our own services."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_LOCAL = ROOT / "deploy" / "local"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_env(settings: Settings) -> dict[str, str]:
    """``DANCE_*`` variables that make a child process build the same ``Settings``."""
    return {
        f"DANCE_{name.upper()}": str(value)
        for name, value in settings.model_dump().items()
        if value is not None
    }


class ManagedProcess:
    """A child process with its output in a log file; stopped by SIGTERM, then SIGKILL."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = {**os.environ, **env}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 15) -> int | None:
        """SIGTERM, wait, then SIGKILL; returns the exit code."""
        if self.process is None:
            return None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                # Our services dump their threads' stacks on SIGUSR1: the log then shows the hang.
                self.process.send_signal(signal.SIGUSR1)
                time.sleep(0.5)
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL at once, as a crash would."""
        if self.running:
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_for_url(self, url: str, timeout_s: float = 60) -> None:
        """Poll ``url`` until it answers 2xx; fail with the log's tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status < 300:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready at {url} after {timeout_s}s:\n{self.log_tail()}")


def python_service(name: str, module: str, settings: Settings, log_dir: Path) -> ManagedProcess:
    """One of our processes (``python -m gateway`` etc.) configured with ``settings``."""
    return ManagedProcess(name, [sys.executable, "-m", module], settings_env(settings), log_dir)


def metrics_port_of(process: ManagedProcess) -> int:
    return int(process.env["DANCE_METRICS_PORT"])
