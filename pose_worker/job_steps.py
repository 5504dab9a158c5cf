"""What a whole job and a split job's merge both do: read the video, run the dance analysis, store the
results, and complete or fail the job."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path
from typing import TypeVar

from minio import Minio

from domain.job_store import JobStore
from domain.jobs import JobRecord, JobResultRecord, JobStatus, Stage
from domain.object_keys import job_results_prefix, results_key, soundtrack_key
from domain.stored_uploads import delete_prefix
from domain.work_orders import WorkOrder
from infra.errors import JobNotFound
from infra.settings import Settings
from infra.storage import storage_errors
from pose_worker.dance_analysis import ANALYSIS_FILE, DanceAnalysis, analyse_dance
from pose_worker.metrics import DANCE_ANALYSIS_FAILURES, DANCE_ANALYSIS_SECONDS, FAILURES, JOBS
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import OVERLAY_FILE, POSES_FILE, PoseOptions, PoseSummary
from pose_worker.progress import POSE_SHARE

log = logging.getLogger(__name__)

T = TypeVar("T")
#: What a finished run has for ``JobSteps.complete``: its poses, and its dance analysis (None: off, or failed).
RunResults = tuple[PoseSummary, DanceAnalysis | None]


class JobSteps:
    """The stores, the model and the steps a pose run takes, shared by ``PoseJobRunner`` (whole jobs)
    and ``ChunkRunner`` (split ones)."""

    def __init__(
        self, settings: Settings, jobs: JobStore, s3: Minio, model: PoseModel, stopping: asyncio.Event, scratch: Path,
    ) -> None:
        self.settings = settings
        self.jobs = jobs
        self.s3 = s3
        self.model = model
        self.options = PoseOptions.from_settings(settings)
        #: Where a run's temporary directory goes (this worker's own, ``pose_worker/scratch.py``).
        self.scratch = scratch
        self._stopping = stopping

    async def download(self, order: WorkOrder, path: Path) -> None:
        """The job's video, to ``path``."""

        def download() -> None:
            with storage_errors("downloading the video", missing_key=order.s3_key):
                self.s3.fget_object(order.bucket, order.s3_key, str(path), version_id=order.version_id)

        await asyncio.to_thread(download)

    async def upload(self, key: str, path: Path) -> None:
        """One result file, to ``key`` in the bucket."""
        content_type = "video/mp4" if path.suffix == ".mp4" else "application/json"

        def upload() -> None:
            with storage_errors("uploading results"):
                self.s3.fput_object(self.settings.bucket, key, str(path), content_type=content_type)

        await asyncio.to_thread(upload)

    async def finish_or_interrupt(self, analysis: asyncio.Future[T], abort: threading.Event) -> T:
        """The analysis' result; on shutdown it gets ``shutdown_grace_s`` to finish, then is stopped."""
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({analysis, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not analysis.done():
            log.info("stop requested: the job in hand gets %.1f s to finish", self.settings.shutdown_grace_s)
            try:
                return await asyncio.wait_for(asyncio.shield(analysis), self.settings.shutdown_grace_s)
            except asyncio.TimeoutError:
                abort.set()  # the thread raises WorkInterrupted before its next frame
        return await analysis

    async def analyse_dance(self, job_id: str, video: Path, poses: Path, out_dir: Path) -> DanceAnalysis | None:
        """The dance analysis stage; its failure costs the analysis only, never the poses: the job
        completes without analysis.json and a warning says why."""
        if not self.settings.analysis:
            return None
        await self.jobs.update(job_id, _entering_dance_analysis)
        started = time.monotonic()
        try:
            dance = await asyncio.to_thread(analyse_dance, video, poses, out_dir, self.settings.max_video_duration_s)
        except Exception as exc:  # a bug or an odd audio track must not lose the poses
            log.exception("job %s: dance analysis failed", job_id)
            DANCE_ANALYSIS_FAILURES.inc()
            warning = f"dance analysis failed, poses and overlay are complete: {type(exc).__name__}: {exc}"
            await self.jobs.update(job_id, lambda job: job.with_warning(warning[:500]))
            return None
        DANCE_ANALYSIS_SECONDS.observe(time.monotonic() - started)
        return dance

    async def store_results(self, job_id: str, summary: PoseSummary, dance: DanceAnalysis | None) -> None:
        """poses.json, the overlay, analysis.json and soundtrack.json under ``results/{job}/``, where
        ``complete`` says they are (soundtrack.json where ``soundtrack_key`` says: comparisons look for it)."""
        await self.upload(results_key(job_id, POSES_FILE), summary.poses_path)
        if summary.overlay_path is not None:
            await self.upload(results_key(job_id, OVERLAY_FILE), summary.overlay_path)
        if dance is not None:
            await self.upload(results_key(job_id, ANALYSIS_FILE), dance.path)
            await self.upload(soundtrack_key(job_id), dance.soundtrack_path)
        log.info("job %s: results stored", job_id)

    async def complete(self, job_id: str, summary: PoseSummary, dance: DanceAnalysis | None) -> bool:
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
            job = await self.jobs.update(job_id, complete)
        except JobNotFound:
            job = None
        if job is None or job.status is not JobStatus.COMPLETED:
            log.info("job %s was cancelled or deleted while it ran; its results are discarded", job_id)
            JOBS.labels("discarded").inc()
            return False
        JOBS.labels("completed").inc()
        log.info("job %s completed: %d frames", job_id, summary.frames)
        return True

    async def discard_results(self, job_id: str) -> None:
        """Results written for a job deleted while it ran must not outlive it."""
        await asyncio.to_thread(delete_prefix, self.s3, self.settings.bucket, job_results_prefix(job_id))

    async def fail(self, job_id: str, code: str, message: str) -> None:
        """End the job ``failed`` with the reason."""
        await self.jobs.fail(job_id, code, message)
        JOBS.labels("failed").inc()
        FAILURES.labels(code).inc()


def _entering_dance_analysis(job: JobRecord) -> JobRecord | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=POSE_SHARE, stage=Stage.DANCE_ANALYSIS)
