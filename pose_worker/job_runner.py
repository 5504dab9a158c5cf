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
from pydantic import ValidationError

from common.errors import JobNotFound, ServiceUnavailable, UploadNotFound, VideoRejected, WorkInterrupted
from common.job_store import JobStore
from common.jobs import Job, JobResult, JobStatus
from common.settings import Settings
from common.storage import storage_errors
from common.work_queue import WorkOrder
from pose_worker.analysis import AnalysisOptions, AnalysisSummary, analyze_video
from pose_worker.metrics import FAILURES, FRAMES, JOBS, PROCESSING_SECONDS
from pose_worker.model import PoseModel
from pose_worker.progress import ProgressReporter

log = logging.getLogger(__name__)

#: Pauses before a job that met an unavailable service is offered again, by attempt.
RETRY_BACKOFF_S = (5.0, 15.0, 30.0)


def results_key(job_id: str, name: str) -> str:
    return f"results/{job_id}/{name}"


class PoseJobRunner:
    """Everything a worker needs to run jobs, and the handling of one work message."""

    def __init__(
        self, settings: Settings, jobs: JobStore, s3: Minio, model: PoseModel, stopping: asyncio.Event, scratch: Path
    ) -> None:
        self._settings = settings
        self._scratch = scratch
        self._options = AnalysisOptions.from_settings(settings)
        self._jobs = jobs
        self._s3 = s3
        self._model = model
        self._stopping = stopping

    async def handle(self, message: Msg) -> None:
        """Run the job in ``message`` and ack, term or nak it; never raises for a job's failure."""
        try:
            order = WorkOrder.from_json(message.data)
        except ValidationError as exc:
            log.error("work message seq %s is not a work order: %s", message.metadata.sequence.stream, exc)
            await message.term()
            return
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        started = time.monotonic()
        try:
            if not await self._claim(order.job_id, seq, attempt):
                JOBS.labels("skipped").inc()
                await message.ack()  # finished, or run by another message: a copy or a late redelivery
                return
            summary = await self._run(order, message)
        except JobNotFound:
            log.error("job %s: work message for an unknown job dropped", order.job_id)
            await message.term()
        except WorkInterrupted as exc:
            await self._release(order.job_id, message, exc.message)
        except (VideoRejected, UploadNotFound) as exc:
            await self._fail(order.job_id, exc.code, exc.message)
            await message.term()
        except ServiceUnavailable as exc:
            await self._retry_or_fail(message, order.job_id, attempt, exc.code, exc.message)
        except Exception as exc:  # an unexpected bug must still end the job, never leave it stuck
            log.exception("job %s: unexpected error", order.job_id)
            await self._retry_or_fail(message, order.job_id, attempt, "internal_error", f"internal error: {exc!r}")
        else:
            await self._complete(order.job_id, summary)
            await message.ack()
            PROCESSING_SECONDS.observe(time.monotonic() - started)

    async def _claim(self, job_id: str, seq: int, attempt: int) -> bool:
        """Mark the job processing by this message; False when it is final or another message runs it."""

        def claim(job: Job) -> Job | None:
            if job.status.is_final:
                return None
            if job.status is JobStatus.PROCESSING and job.work_seq not in (None, seq):
                return None
            return job.moved_to(JobStatus.PROCESSING, progress=0.0, attempts=attempt, work_seq=seq)

        job = await self._jobs.update(job_id, claim)
        if job.status is not JobStatus.PROCESSING or job.work_seq != seq:
            log.info("job %s is %s (work seq %s); message seq %s skipped", job_id, job.status.value, job.work_seq, seq)
            return False
        log.info("job %s processing (attempt %d, work seq %d)", job_id, attempt, seq)
        return True

    async def _run(self, order: WorkOrder, message: Msg) -> AnalysisSummary:
        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await self._jobs.update(order.job_id, lambda job: _with_progress(job, fraction))

        with tempfile.TemporaryDirectory(prefix=f"pose-{order.job_id}-", dir=self._scratch) as tmp:
            video_path = Path(tmp) / "video"
            await asyncio.to_thread(self._download, order, video_path)
            abort = threading.Event()
            async with ProgressReporter(publish_progress, self._settings.progress_interval_s) as progress:
                analysis = asyncio.ensure_future(
                    asyncio.to_thread(
                        analyze_video, video_path, Path(tmp), order.job_id, self._model, progress.set, abort.is_set, self._options
                    )
                )
                summary = await self._finish_or_interrupt(analysis, abort)
            await asyncio.to_thread(self._upload, results_key(order.job_id, "poses.json"), summary.poses_path)
            if summary.overlay_path is not None:
                await asyncio.to_thread(self._upload, results_key(order.job_id, "overlay.mp4"), summary.overlay_path)
        log.info("job %s: results stored", order.job_id)
        FRAMES.inc(summary.frames)
        return summary

    async def _finish_or_interrupt(self, analysis: asyncio.Future, abort: threading.Event) -> AnalysisSummary:
        """The analysis' result; on shutdown it gets ``shutdown_grace_s`` to finish, then is stopped."""
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({analysis, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not analysis.done():
            log.info("stop requested: the job in hand gets %.1f s to finish", self._settings.shutdown_grace_s)
            try:
                return await asyncio.wait_for(asyncio.shield(analysis), self._settings.shutdown_grace_s)
            except asyncio.TimeoutError:
                abort.set()  # the thread raises WorkInterrupted before its next frame
        return await analysis

    def _download(self, order: WorkOrder, path: Path) -> None:
        with storage_errors("downloading the video", missing_key=order.s3_key):
            self._s3.fget_object(order.bucket, order.s3_key, str(path), version_id=order.version_id)

    def _upload(self, key: str, path: Path) -> None:
        content_type = "video/mp4" if path.suffix == ".mp4" else "application/json"
        with storage_errors("uploading results"):
            self._s3.fput_object(self._settings.bucket, key, str(path), content_type=content_type)

    async def _complete(self, job_id: str, summary: AnalysisSummary) -> None:
        result = JobResult(
            poses_key=results_key(job_id, "poses.json"),
            overlay_key=results_key(job_id, "overlay.mp4") if summary.overlay_path else None,
            frames=summary.frames,
            people_max=summary.people_max,
            tracks=summary.tracks,
        )
        await self._jobs.update(job_id, lambda job: job.moved_to(JobStatus.COMPLETED, progress=1.0, result=result))
        JOBS.labels("completed").inc()
        log.info("job %s completed: %d frames", job_id, summary.frames)

    async def _fail(self, job_id: str, code: str, message: str) -> None:
        await self._jobs.fail(job_id, code, message)
        JOBS.labels("failed").inc()
        FAILURES.labels(code).inc()

    async def _release(self, job_id: str, message: Msg, reason: str) -> None:
        """Hand an unfinished job back: queued again, and redelivered at once to another worker."""

        def requeue(job: Job) -> Job | None:
            if job.status is not JobStatus.PROCESSING:
                return None
            return job.moved_to(JobStatus.QUEUED, progress=0.0)

        await self._jobs.update(job_id, requeue)
        await message.nak()
        JOBS.labels("released").inc()
        log.info("job %s released for another worker: %s", job_id, reason)

    async def _retry_or_fail(self, message: Msg, job_id: str, attempt: int, code: str, text: str) -> None:
        if attempt >= self._settings.work_max_deliver:
            await self._fail(job_id, code, f"{text} (gave up after {attempt} attempts)")
            await message.term()
            return
        delay = RETRY_BACKOFF_S[min(attempt, len(RETRY_BACKOFF_S)) - 1]
        log.warning("job %s attempt %d failed, retrying in %.0f s: %s", job_id, attempt, delay, text)
        await message.nak(delay=delay)


def _with_progress(job: Job, fraction: float) -> Job | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=round(fraction, 4))
