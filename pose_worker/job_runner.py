"""One work message -> one pose run: claim the job, analyse its video, store results, settle."""
from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from minio import Minio
from nats.aio.msg import Msg
from pydantic import ValidationError

from common.errors import JobNotFound, ServiceUnavailable, UploadNotFound, VideoRejected
from common.job_store import JobStore
from common.jobs import Job, JobError, JobResult, JobStatus
from common.settings import Settings
from common.storage import storage_errors
from common.work_queue import WorkOrder
from pose_worker.analysis import AnalysisSummary, analyze_video
from pose_worker.model import PoseModel
from pose_worker.progress import ProgressReporter

log = logging.getLogger(__name__)

#: Pause before a job that met an unavailable service is offered again.
RETRY_DELAY_S = 5.0


def results_key(job_id: str, name: str) -> str:
    return f"results/{job_id}/{name}"


class PoseJobRunner:
    """Everything a worker needs to run jobs, and the handling of one work message."""

    def __init__(self, settings: Settings, jobs: JobStore, s3: Minio, model: PoseModel) -> None:
        self._settings = settings
        self._jobs = jobs
        self._s3 = s3
        self._model = model

    async def handle(self, message: Msg) -> None:
        """Run the job in ``message`` and ack, term or nak it; never raises for a job's failure."""
        try:
            order = WorkOrder.from_json(message.data)
        except ValidationError as exc:
            log.error("work message seq %s is not a work order: %s", message.metadata.sequence.stream, exc)
            await message.term()
            return
        attempt = message.metadata.num_delivered
        try:
            job = await self._claim(order.job_id, attempt)
            if job is None:
                await message.ack()  # already finished: a duplicate or a late redelivery
                return
            summary = await self._run(order, message)
        except JobNotFound:
            log.error("job %s: work message for an unknown job dropped", order.job_id)
            await message.term()
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

    async def _claim(self, job_id: str, attempt: int) -> Job | None:
        """Mark the job processing; None when it is already final."""

        def claim(job: Job) -> Job | None:
            if job.status.is_final:
                return None
            return job.moved_to(JobStatus.PROCESSING, progress=0.0, attempts=attempt)

        job = await self._jobs.update(job_id, claim)
        if job.status is not JobStatus.PROCESSING:
            log.info("job %s is already %s; message acked", job_id, job.status.value)
            return None
        log.info("job %s processing (attempt %d)", job_id, attempt)
        return job

    async def _run(self, order: WorkOrder, message: Msg) -> AnalysisSummary:
        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await self._jobs.update(order.job_id, lambda job: _with_progress(job, fraction))

        with tempfile.TemporaryDirectory(prefix=f"pose-{order.job_id}-", dir=self._settings.work_dir) as tmp:
            video_path = Path(tmp) / "video"
            poses_path = Path(tmp) / "poses.json"
            await asyncio.to_thread(self._download, order, video_path)
            async with ProgressReporter(publish_progress, self._settings.progress_interval_s) as progress:
                summary = await asyncio.to_thread(
                    analyze_video, video_path, poses_path, order.job_id, self._model, progress.set
                )
            await asyncio.to_thread(self._upload, results_key(order.job_id, "poses.json"), poses_path)
        return summary

    def _download(self, order: WorkOrder, path: Path) -> None:
        with storage_errors("downloading the video", missing_key=order.s3_key):
            self._s3.fget_object(order.bucket, order.s3_key, str(path), version_id=order.version_id)

    def _upload(self, key: str, path: Path) -> None:
        with storage_errors("uploading results"):
            self._s3.fput_object(self._settings.bucket, key, str(path), content_type="application/json")

    async def _complete(self, job_id: str, summary: AnalysisSummary) -> None:
        result = JobResult(
            poses_key=results_key(job_id, "poses.json"), frames=summary.frames, people_max=summary.people_max
        )
        await self._jobs.update(job_id, lambda job: job.moved_to(JobStatus.COMPLETED, progress=1.0, result=result))
        log.info("job %s completed: %d frames", job_id, summary.frames)

    async def _fail(self, job_id: str, code: str, message: str) -> None:
        def fail(job: Job) -> Job | None:
            if job.status.is_final:
                return None
            return job.moved_to(JobStatus.FAILED, error=JobError(code=code, message=message))

        await self._jobs.update(job_id, fail)
        log.warning("job %s failed: %s: %s", job_id, code, message)

    async def _retry_or_fail(self, message: Msg, job_id: str, attempt: int, code: str, text: str) -> None:
        if attempt >= self._settings.work_max_deliver:
            await self._fail(job_id, code, f"{text} (gave up after {attempt} attempts)")
            await message.term()
            return
        log.warning("job %s attempt %d failed, will retry: %s", job_id, attempt, text)
        await message.nak(delay=RETRY_DELAY_S)


def _with_progress(job: Job, fraction: float) -> Job | None:
    if job.status is not JobStatus.PROCESSING:
        return None
    return job.moved_to(JobStatus.PROCESSING, progress=round(fraction, 4))
