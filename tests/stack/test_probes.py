"""Every process without an API answers the orchestrator's probes on its metrics port."""
from __future__ import annotations

import requests

from infra.metrics_server import serve_metrics
from tests.processes import free_port, metrics_port_of


def test_the_listener_workers_and_dispatcher_are_alive_and_ready(stack):
    for name, process in stack.processes.items():
        if name == "gateway":
            continue
        base = f"http://127.0.0.1:{metrics_port_of(process)}"
        assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}, name
        process.wait_for_url(f"{base}/readyz")  # after its model is loaded and its streams are bound
        assert requests.get(f"{base}/readyz", timeout=5).json() == {"status": "ready"}, name
        assert "process_cpu_seconds_total" in requests.get(f"{base}/metrics", timeout=5).text


def test_a_process_is_not_ready_until_it_says_how_to_tell(settings):
    port = free_port()
    probes = serve_metrics(settings.model_copy(update={"metrics_port": port}), "test")
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{base}/readyz", timeout=5).status_code == 503
    connected = [True]
    probes.ready_when(lambda: connected[0])
    assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
    connected[0] = False
    assert requests.get(f"{base}/readyz", timeout=5).json() == {"status": "not ready"}
