"""The pose worker's loop: pull one job at a time from the work stream and run it."""
from __future__ import annotations

import asyncio
import logging
import shutil
import threading

from choreo.music import warm_up as warm_up_music_analysis
from domain.job_store import JobStore
from domain.upload_waits import UploadWaits
from infra.broker import connect_nats
from infra.consumer import consume
from infra.metrics_server import serve_metrics
from infra.settings import Settings
from infra.storage import make_s3_client
from infra.streams import ensure_streams
from pose_worker.job_runner import PoseJobRunner
from pose_worker.model import PoseModel
from pose_worker.scratch import claim_scratch_dir

log = logging.getLogger(__name__)



async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    """Consume the work stream until ``stop`` is set."""
    probes = serve_metrics(settings, "pose worker")
    if settings.analysis:
        # librosa's beat tracker takes seconds to import and compile; do it while the model loads.
        threading.Thread(target=warm_up_music_analysis, name="warm-up-music", daemon=True).start()
    model = await asyncio.to_thread(PoseModel.load, settings)
    nc = await connect_nats(settings, "pose-worker")
    js = nc.jetstream()
    await ensure_streams(js, settings)
    jobs = await JobStore.open(js, settings.jobs_bucket, UploadWaits(js, settings))  # a claim may end a job's wait
    scratch = claim_scratch_dir(settings.work_dir)
    runner = PoseJobRunner(settings, jobs, make_s3_client(settings), model, stop, scratch, js=js)
    # One pull subscription per concurrent job, all on the shared durable consumer, so JetStream
    # spreads jobs over every worker process and every slot in it.
    subscriptions = [
        await js.pull_subscribe_bind(durable=settings.worker_durable, stream=settings.work_stream)
        for _ in range(settings.worker_concurrency)
    ]
    probes.ready_when(lambda: nc.is_connected)
    log.info(
        "pose worker consuming %s as %s, %d job(s) at a time",
        settings.work_stream, settings.worker_durable, settings.worker_concurrency,
    )
    await asyncio.gather(*(consume(subscription, runner.handle, stop, batch=1) for subscription in subscriptions))
    # Shutdown order: the stop event ends the pull loop; the job in hand has been finished or,
    # past the grace period, handed back (nak) by the runner; only then drain, which flushes
    # that last ack or nak before the connection closes.
    await nc.drain()
    shutil.rmtree(scratch, ignore_errors=True)
    log.info("pose worker stopped")
