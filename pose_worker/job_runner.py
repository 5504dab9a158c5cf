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
from domain.jobs import JobRecord, JobResultRecord, JobStatus, Stage
from domain.object_keys import job_results_prefix, results_key, soundtrack_key
from domain.stored_uploads import delete_prefix
from domain.work_orders import WorkOrder
from infra.consumer import read_order, retry_delay
from infra.errors import JobNotFound, ServiceUnavailable, UploadNotFound, VideoRejected, WorkInterrupted
from infra.settings import Settings
from infra.storage import storage_errors
from pose_worker.chunk_runner import ChunkHandling
from pose_worker.dance_analysis import ANALYSIS_FILE, DanceAnalysis, analyse_dance
from pose_worker.metrics import (
    DANCE_ANALYSIS_FAILURES,
    DANCE_ANALYSIS_SECONDS,
    FAILURES,
    FRAMES,
    JOBS,
    PROCESSING_SECONDS,
)
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import OVERLAY_FILE, POSES_FILE, PoseOptions, PoseSummary, estimate_poses
from pose_worker.progress import POSE_SHARE, ProgressReporter

log = logging.getLogger(__name__)

#: Pauses before a job that met an unavailable service is offered again, by attempt.
RETRY_BACKOFF_S = (5.0, 15.0, 30.0)


class PoseJobRunner(ChunkHandling):
    """Everything a worker needs to run jobs, and the handling of one work message.

    With ``js`` a long video is split across workers (``pose_worker/chunk_runner.py``); without, it runs whole.
    """

    def __init__(
        self, settings: Settings, jobs: JobStore, s3: Minio, model: PoseModel, stopping: asyncio.Event, scratch: Path,
        js: JetStreamContext | None = None,
    ) -> None:
        self._settings = settings
        self._js = js
        self._scratch = scratch
        self._options = PoseOptions.from_settings(settings)
        self._jobs = jobs
        self._s3 = s3
        self._model = model
        self._stopping = stopping

    async def handle(self, message: Msg) -> None:
        """Run the job in ``message`` and ack, term or nak it; never raises for a job's failure."""
        order = await read_order(message, WorkOrder)
        if order is None:
            return
        if order.chunk is not None:
            await self._handle_chunk(order, message)
            return
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        started = time.monotonic()
        try:
            if not await self._claim(order.job_id, seq, attempt):
                JOBS.labels("skipped").inc()
                await message.ack()  # finished, or run by another message: a copy or a late redelivery
                return
            ran = await self._run(order, message, seq)
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
            if ran is None:  # split: its chunks' messages carry it on
                JOBS.labels("split").inc()
                await message.ack()
                return
            summary, dance = ran
            if await self._complete(order.job_id, summary, dance):
                PROCESSING_SECONDS.observe(time.monotonic() - started)
            else:
                await asyncio.to_thread(self._discard_results, order.job_id)
            await message.ack()

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

        job = await self._jobs.update(job_id, claim)
        if job.status is not JobStatus.PROCESSING or job.work_seq != seq:
            log.info("job %s is %s (work seq %s); message seq %s skipped", job_id, job.status.value, job.work_seq, seq)
            return False
        log.info("job %s processing (attempt %d, work seq %d)", job_id, attempt, seq)
        return True

    async def _run(self, order: WorkOrder, message: Msg, seq: int) -> tuple[PoseSummary, DanceAnalysis | None] | None:
        """The job's results; None when the video was split into chunks instead (``ChunkHandling._split``)."""
        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await self._jobs.update(order.job_id, lambda job: _with_progress(job, fraction))

        with tempfile.TemporaryDirectory(prefix=f"pose-{order.job_id}-", dir=self._scratch) as tmp:
            out_dir, video_path = Path(tmp), Path(tmp) / "video"
            await asyncio.to_thread(self._download, order, video_path)
            if await self._split(order, seq, video_path):
                return None
            abort = threading.Event()
            async with ProgressReporter(publish_progress, self._settings.progress_interval_s) as progress:
                poses = asyncio.ensure_future(
                    asyncio.to_thread(
                        estimate_poses, video_path, out_dir, order.job_id, self._model,
                        lambda fraction: progress.set(fraction * POSE_SHARE), abort.is_set, self._options,
                    )
                )
                summary = await self._finish_or_interrupt(poses, abort)
                progress.set(POSE_SHARE)
                dance = await self._analyse_dance(order.job_id, video_path, summary.poses_path, out_dir)
            await self._store_results(order.job_id, summary, dance)
        FRAMES.inc(summary.frames)
        return summary, dance

    async def _store_results(self, job_id: str, summary: PoseSummary, dance: DanceAnalysis | None) -> None:
        """poses.json, the overlay, analysis.json and soundtrack.json under ``results/{job}/``, where
        ``_complete`` says they are (soundtrack.json where ``soundtrack_key`` says: comparisons look for it)."""
        await asyncio.to_thread(self._upload, results_key(job_id, POSES_FILE), summary.poses_path)
        if summary.overlay_path is not None:
            await asyncio.to_thread(self._upload, results_key(job_id, OVERLAY_FILE), summary.overlay_path)
        if dance is not None:
            await asyncio.to_thread(self._upload, results_key(job_id, ANALYSIS_FILE), dance.path)
            await asyncio.to_thread(self._upload, soundtrack_key(job_id), dance.soundtrack_path)
        log.info("job %s: results stored", job_id)

    async def _analyse_dance(self, job_id: str, video: Path, poses: Path, out_dir: Path) -> DanceAnalysis | None:
        """The dance analysis stage; its failure costs the analysis only, never the poses: the job
        completes without analysis.json and a warning says why."""
        if not self._settings.analysis:
            return None
        await self._jobs.update(job_id, _entering_dance_analysis)
        started = time.monotonic()
        try:
            dance = await asyncio.to_thread(analyse_dance, video, poses, out_dir, self._settings.max_video_duration_s)
        except Exception as exc:  # a bug or an odd audio track must not lose the poses
            log.exception("job %s: dance analysis failed", job_id)
            DANCE_ANALYSIS_FAILURES.inc()
            warning = f"dance analysis failed, poses and overlay are complete: {type(exc).__name__}: {exc}"
            await self._jobs.update(job_id, lambda job: job.with_warning(warning[:500]))
            return None
        DANCE_ANALYSIS_SECONDS.observe(time.monotonic() - started)
        return dance

    async def _finish_or_interrupt(self, analysis: asyncio.Future, abort: threading.Event) -> PoseSummary:
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

    async def _complete(self, job_id: str, summary: PoseSummary, dance: DanceAnalysis | None) -> bool:
        """Mark the job completed with its results; False when it was cancelled (deleted) meanwhile."""
        result = JobResultRecord(
            poses_key=results_key(job_id, POSES_FILE),
            overlay_key=results_key(job_id, OVERLAY_FILE) if summary.overlay_path else None,
            frames=summary.frames,
            people_max=summary.people_max,
            tracks=summary.tracks,
            analysis_key=results_key(job_id, ANALYSIS_FILE) if dance else None,
            summary=dance.summary if dance else None,
        )

        def complete(job: JobRecord) -> JobRecord | None:
            if job.status is not JobStatus.PROCESSING:
                return None
            completed = job.moved_to(JobStatus.COMPLETED, progress=1.0, result=result)
            for warning in summary.warnings:  # the video's own (cut off), told with the results they qualify
                completed = completed.with_warning(warning)
            return completed

        try:
            job = await self._jobs.update(job_id, complete)
        except JobNotFound:
            job = None
        if job is None or job.status is not JobStatus.COMPLETED:
            log.info("job %s was cancelled or deleted while it ran; its results are discarded", job_id)
            JOBS.labels("discarded").inc()
            return False
        JOBS.labels("completed").inc()
        log.info("job %s completed: %d frames", job_id, summary.frames)
        return True

    def _discard_results(self, job_id: str) -> None:
        """Results written for a job deleted while it ran must not outlive it."""
        delete_prefix(self._s3, self._settings.bucket, job_results_prefix(job_id))

    async def _fail(self, job_id: str, code: str, message: str) -> None:
        await self._jobs.fail(job_id, code, message)
        JOBS.labels("failed").inc()
        FAILURES.labels(code).inc()

    async def _release(self, job_id: str, message: Msg, reason: str) -> None:
        """Hand an unfinished job back: queued again, and redelivered at once to another worker."""

        def requeue(job: JobRecord) -> JobRecord | None:
            if job.status is not JobStatus.PROCESSING:
                return None
            return job.moved_to(JobStatus.QUEUED, progress=0.0)

        await self._jobs.update(job_id, requeue)
        await message.nak()
        JOBS.labels("released").inc()
        log.info("job %s released for another worker: %s", job_id, reason)

    async def _retry_or_fail(self, message: Msg, job_id: str, attempt: int, code: str, text: str) -> bool:
        """Nak the message for a later attempt; or, after the last, fail the job (True)."""
        delay = retry_delay(attempt, self._settings.work_max_deliver, RETRY_BACKOFF_S)
        if delay is None:
            await self._fail(job_id, code, f"{text} (gave up after {attempt} attempts)")
            await message.term()
            return True
        log.warning("job %s attempt %d failed, retrying in %.0f s: %s", job_id, attempt, delay, text)
        await message.nak(delay=delay)
        return False


def _with_progress(job: JobRecord, fraction: float) -> JobRecord | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=round(fraction, 4), stage=job.stage)


def _entering_dance_analysis(job: JobRecord) -> JobRecord | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=POSE_SHARE, stage=Stage.DANCE_ANALYSIS)
