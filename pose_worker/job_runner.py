"""One work message -> one pose run: claim the job, analyse its video, store results, settle."""
from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
from pathlib import Path

from minio import Minio
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from domain.job_store import JobStore
from domain.jobs import JobRecord, JobStatus
from domain.work_orders import WorkOrder
from infra.consumer import read_order
from infra.errors import JobNotFound, ServiceUnavailable, UploadNotFound, VideoRejected, WorkInterrupted
from infra.settings import Settings
from infra.settlement import NOW, Done, GiveUp, MessageOutcome, Retries, Retry, settle
from pose_worker.chunk_runner import ChunkRunner
from pose_worker.job_split import JobSplitter
from pose_worker.job_steps import JobSteps, RunResults
from pose_worker.metrics import FRAMES, JOBS, PROCESSING_SECONDS
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import estimate_poses
from pose_worker.progress import POSE_SHARE, ProgressReporter

log = logging.getLogger(__name__)


class PoseJobRunner:
    """Everything a worker needs to run jobs, and the handling of one work message.

    With ``js`` a long video is split across workers (``pose_worker/job_split.py``, its chunks run by
    ``pose_worker/chunk_runner.py``); without, it runs whole.
    """

    def __init__(
        self, settings: Settings, jobs: JobStore, s3: Minio, model: PoseModel, stopping: asyncio.Event, scratch: Path,
        js: JetStreamContext | None = None,
    ) -> None:
        self._steps = JobSteps(settings, jobs, s3, model, stopping, scratch)
        self._retries = Retries(max_deliver=settings.work_max_deliver)
        self._splitter = JobSplitter(settings, jobs, js)
        self._chunks = ChunkRunner(self._steps, self._retries)

    async def handle(self, message: Msg) -> None:
        """Run the job (or the chunk of one) in ``message`` and settle it; never raises for a job's failure."""
        order = await read_order(message, WorkOrder)
        if order is None:
            return
        if order.chunk is None:
            outcome, about = await self._run_job(order, message), f"job {order.job_id}"
        else:
            outcome, about = await self._chunks.run(order, message), f"job {order.job_id} chunk {order.chunk}"
        await settle(message, outcome, about, self._retries)

    async def _run_job(self, order: WorkOrder, message: Msg) -> MessageOutcome:
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        started = time.monotonic()
        try:
            if not await self._claim(order.job_id, seq, attempt):
                JOBS.labels("skipped").inc()
                return Done("finished, or run by another message: a copy or a late redelivery")
            ran = await self._run(order, message, seq)
        except JobNotFound:
            return GiveUp("a work message for an unknown job")
        except WorkInterrupted as exc:
            await self._requeue(order.job_id)
            return Retry(f"released for another worker: {exc.message}", delay_s=NOW)
        except (VideoRejected, UploadNotFound) as exc:
            await self._steps.fail(order.job_id, exc.code, exc.message)
            return GiveUp(f"{exc.code}: {exc.message}")
        except ServiceUnavailable as exc:
            return await self._retry_or_fail(order.job_id, attempt, exc.code, exc.message)
        except Exception as exc:  # an unexpected bug must still end the job, never leave it stuck
            log.exception("job %s: unexpected error", order.job_id)
            return await self._retry_or_fail(order.job_id, attempt, "internal_error", f"internal error: {exc!r}")
        if ran is None:  # split: its chunks' messages carry it on
            JOBS.labels("split").inc()
            return Done("split into chunks")
        summary, dance = ran
        if not await self._steps.complete(order.job_id, summary, dance):
            await self._steps.discard_results(order.job_id)
            return Done("cancelled or deleted while it ran")
        PROCESSING_SECONDS.observe(time.monotonic() - started)
        return Done("completed")

    async def _claim(self, job_id: str, seq: int, attempt: int) -> bool:
        """Mark the job processing by this message; False when it is final or another message runs it."""

        def claim(job: JobRecord) -> JobRecord | None:
            if job.status.is_final:
                return None
            if job.status is JobStatus.PROCESSING and job.work_seq not in (None, seq):
                return None
            # A split job's progress is its chunks' (a redelivery of the message that split it keeps it).
            progress = job.progress if job.chunk_plan is not None else 0.0
            return job.moved_to(JobStatus.PROCESSING, progress=progress, attempts=attempt, work_seq=seq)

        job = await self._steps.jobs.update(job_id, claim)
        if job.status is not JobStatus.PROCESSING or job.work_seq != seq:
            log.info("job %s is %s (work seq %s); message seq %s skipped", job_id, job.status.value, job.work_seq, seq)
            return False
        log.info("job %s processing (attempt %d, work seq %d)", job_id, attempt, seq)
        return True

    async def _run(self, order: WorkOrder, message: Msg, seq: int) -> RunResults | None:
        """The job's results; None when the video was split into chunks instead (``JobSplitter.split``)."""
        steps = self._steps

        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await steps.jobs.update(order.job_id, lambda job: _with_progress(job, fraction))

        with tempfile.TemporaryDirectory(prefix=f"pose-{order.job_id}-", dir=steps.scratch) as tmp:
            out_dir, video_path = Path(tmp), Path(tmp) / "video"
            await steps.download(order, video_path)
            if await self._splitter.split(order, seq, video_path):
                return None
            abort = threading.Event()
            async with ProgressReporter(publish_progress, steps.settings.progress_interval_s) as progress:
                poses = asyncio.ensure_future(
                    asyncio.to_thread(
                        estimate_poses, video_path, out_dir, order.job_id, steps.model,
                        lambda fraction: progress.set(fraction * POSE_SHARE), abort.is_set, steps.options,
                    )
                )
                summary = await steps.finish_or_interrupt(poses, abort)
                progress.set(POSE_SHARE)
                dance = await steps.analyse_dance(order.job_id, video_path, summary.poses_path, out_dir)
            await steps.store_results(order.job_id, summary, dance)
        FRAMES.inc(summary.frames)
        return summary, dance

    async def _requeue(self, job_id: str) -> None:
        """Hand an unfinished job back: queued again, for the message's immediate redelivery to another worker."""

        def requeue(job: JobRecord) -> JobRecord | None:
            if job.status is not JobStatus.PROCESSING:
                return None
            return job.moved_to(JobStatus.QUEUED, progress=0.0)

        await self._steps.jobs.update(job_id, requeue)
        JOBS.labels("released").inc()

    async def _retry_or_fail(self, job_id: str, attempt: int, code: str, text: str) -> MessageOutcome:
        """A retry of the job; or, after its last attempt, the job failed and the message given up."""
        outcome = self._retries.decide(Retry(text), attempt)
        if isinstance(outcome, GiveUp):
            await self._steps.fail(job_id, code, outcome.reason)
        return outcome


def _with_progress(job: JobRecord, fraction: float) -> JobRecord | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=round(fraction, 4), stage=job.stage)
