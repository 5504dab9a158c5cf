"""Several pose worker processes sharing one GPU (``DANCE_WORKERS_PER_GPU``): each its own model session,
frame pipeline and pull subscription on the shared work consumer, so JetStream spreads jobs over them.

A GPU runs the model far faster than one process's host side can decode, letterbox, track and write
(docs/performance.md: the host, not the GPU, sets a single job's pace), so more processes on one GPU
use it better; a CPU worker gains nothing from this (its cores are already busy) and runs one.
The first process serves the metrics and probes port; the others serve none. A stop (SIGTERM, SIGINT)
reaches every process, each finishing or handing back its job as a single worker does.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal

from infra.lifecycle import configure_logging, stop_event_on_signals
from infra.settings import Settings
from pose_worker.service import run_worker

log = logging.getLogger(__name__)


def run_pool(settings: Settings) -> None:
    """Run ``settings.workers_per_gpu`` worker processes until they all stop (blocking)."""
    count = settings.workers_per_gpu
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: no forked CUDA or NATS state
    processes = [
        context.Process(target=_worker_process, args=(settings.model_copy(update={"metrics_port": 0}) if index else settings,),
                        name=f"pose-worker-{index}")
        for index in range(count)
    ]
    for process in processes:
        process.start()
    log.info("%d pose worker processes share this GPU", count)

    def stop_all(_signum: int, _frame: object) -> None:
        """Each process stops as a single worker does on SIGTERM: it finishes or hands back its job."""
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    for process in processes:
        process.join()


def _worker_process(settings: Settings) -> None:
    configure_logging(settings)

    async def main() -> None:
        await run_worker(settings, stop_event_on_signals())

    asyncio.run(main())
