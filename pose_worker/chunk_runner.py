"""Long videos split across workers: the plan, one work message per chunk, and the merge.

The worker that takes a job's message and finds the video longer than twice ``DANCE_CHUNK_S``
records a chunk plan on the job (compare-and-set), queues one message per chunk (``Nats-Msg-Id``
``pose:{job}:chunk:{i}``, so each is queued once) and acks its own. Any worker may take a
chunk: it claims the chunk by its message's stream sequence (as a job is claimed), reads the
chunk's range through a presigned URL (no download of the whole video), writes
``results/{job}/chunks/{i}.json`` and marks the chunk done. The message whose mark finds every
chunk done becomes the merger (its sequence is recorded in the same compare-and-set): it
stitches the chunks into ``poses.json``, draws the overlay, runs the dance analysis and
completes the job. A chunk worker that dies leaves its message unacked and it is redelivered
like a job's; a merger that dies is redelivered and merges again. A chunk that fails for good
fails the job with the reason; a job deleted or ending meanwhile makes its chunks stop and
discard what they wrote.
"""
from __future__ import annotations

import asyncio
import enum
import logging
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from minio import Minio
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from domain.job_store import JobStore
from domain.jobs import ChunkPlan, JobRecord, JobStatus
from domain.object_keys import chunk_key, chunks_prefix
from domain.stored_uploads import delete_prefix
from domain.work_orders import WorkOrder, chunk_message_id
from infra.broker import publish_once
from infra.errors import (
    JobNotFound,
    ServiceUnavailable,
    UploadNotFound,
    VideoRejected,
    WorkInterrupted,
)
from infra.settings import Settings
from infra.storage import storage_errors
from pose_worker.chunk_merge import merge_chunk_poses
from pose_worker.chunk_plan import chunk_plan_of, list_keyframes, plan_chunk_starts, reaches_stated_end
from pose_worker.chunk_poses import estimate_chunk_poses
from pose_worker.chunk_records import (
    CHUNKS_SHARE,
    claim_chunk,
    mark_chunk_done,
    with_chunk_progress,
    with_merge_progress,
)
from pose_worker.metrics import FRAMES, JOBS
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions
from pose_worker.progress import POSE_SHARE, ProgressReporter
from pose_worker.video import VideoReader

log = logging.getLogger(__name__)

#: How long a chunk's presigned video URL stays valid: FFmpeg asks for byte ranges while the chunk
#: runs (a minute of video takes minutes on a CPU), and again after a seek.
CHUNK_URL_LIFETIME = timedelta(hours=6)


class ChunkStep(enum.Enum):
    RUN = "run"  # estimate the chunk's poses (and merge, if it is the last to finish)
    MERGE = "merge"  # the chunk is done and this message finished the last one: merge (again)


class ChunkHandling:
    """``PoseJobRunner``'s handling of split jobs (a mix-in: it uses the runner's stores and helpers)."""

    _settings: Settings
    _jobs: JobStore
    _s3: Minio
    _js: JetStreamContext | None
    _model: PoseModel
    _options: PoseOptions
    _scratch: Path

    async def _split(self, order: WorkOrder, seq: int, video_path: Path) -> bool:
        """Plan the job's chunks and queue their messages when the video is long enough; False: run it whole."""
        if self._settings.chunk_s <= 0 or self._js is None:
            return False
        starts = await asyncio.to_thread(self._chunk_starts, order.job_id, video_path)
        if starts is None:
            return False
        plan = chunk_plan_of(starts)

        def record(job: JobRecord) -> JobRecord | None:
            if job.status is not JobStatus.PROCESSING or job.work_seq != seq or job.chunk_plan is not None:
                return None  # ended, or planned by an earlier delivery of this message: that plan stands
            return job.moved_to(JobStatus.PROCESSING, stage=job.stage, chunk_plan=plan, progress=0.0)

        job = await self._jobs.update(order.job_id, record)
        if job.status is not JobStatus.PROCESSING or job.work_seq != seq or job.chunk_plan is None:
            log.info("job %s is %s; not split", order.job_id, job.status.value)
            return True
        # Published after the plan is recorded, so every chunk message finds its chunk; a crash in
        # between leaves this message unacked, and its redelivery publishes them (again: dropped as copies).
        for index in range(len(job.chunk_plan.chunks)):
            await publish_once(
                self._js, self._settings.work_subject, order.model_copy(update={"chunk": index}).to_json(),
                message_id=chunk_message_id(order.job_id, index), doing="queueing a chunk",
            )
        log.info("job %s split into %d chunks at %s s", order.job_id, len(job.chunk_plan.chunks), starts)
        return True

    def _chunk_starts(self, job_id: str, video_path: Path) -> list[float] | None:
        with VideoReader(video_path, max_duration_s=self._settings.max_video_duration_s) as video:
            info = video.info
        if plan_chunk_starts(info.duration_s, self._settings.chunk_s, []) is None:
            return None  # short: no need to list keyframes
        if not reaches_stated_end(video_path, info):
            log.info("job %s: the video ends before its stated %.1f s (cut off?): it runs whole", job_id, info.duration_s)
            return None
        return plan_chunk_starts(info.duration_s, self._settings.chunk_s, list_keyframes(video_path))

    async def _handle_chunk(self, order: WorkOrder, message: Msg) -> None:
        """Run chunk ``order.chunk`` of a split job and ack, term or nak its message; merge if it is the last."""
        assert order.chunk is not None
        job_id, index = order.job_id, order.chunk
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        try:
            claimed = await self._claim_chunk(job_id, index, seq, attempt)
            if claimed is None:
                JOBS.labels("skipped").inc()
                await message.ack()
                return
            merged = await self._run_chunk(order, message, *claimed)
        except JobNotFound:
            log.info("job %s: chunk %d of a deleted job dropped", job_id, index)
            await message.term()
        except WorkInterrupted as exc:
            # The job stays processing: only this chunk goes back, redelivered at once to another worker.
            await message.nak()
            JOBS.labels("released").inc()
            log.info("job %s: chunk %d released for another worker: %s", job_id, index, exc.message)
        except (VideoRejected, UploadNotFound) as exc:
            await self._fail(job_id, exc.code, f"chunk {index}: {exc.message}")
            await self._drop_chunk_files(job_id)
            await message.term()
        except ServiceUnavailable as exc:
            if await self._retry_or_fail(message, job_id, attempt, exc.code, f"chunk {index}: {exc.message}"):
                await self._drop_chunk_files(job_id)
        except Exception as exc:  # an unexpected bug must still end the job, never leave it stuck
            log.exception("job %s: chunk %d: unexpected error", job_id, index)
            if await self._retry_or_fail(message, job_id, attempt, "internal_error", f"chunk {index}: internal error: {exc!r}"):
                await self._drop_chunk_files(job_id)
        else:
            if merged is not None:
                summary, dance = merged
                if await self._complete(job_id, summary, dance):
                    await self._drop_chunk_files(job_id)
                else:
                    await asyncio.to_thread(self._discard_results, job_id)
            await message.ack()

    async def _claim_chunk(self, job_id: str, index: int, seq: int, attempt: int) -> tuple[JobRecord, ChunkStep] | None:
        """Mark the chunk run by this message; None when the job ended, or the chunk is done or run by another message."""
        job = await self._jobs.update(job_id, lambda job: claim_chunk(job, index, seq, attempt))
        plan = job.chunk_plan
        if job.status is not JobStatus.PROCESSING or plan is None or index >= len(plan.chunks):
            log.info("job %s is %s; its chunk %d (message seq %s) skipped", job_id, job.status.value, index, seq)
            return None
        chunk = plan.chunks[index]
        if chunk.done:
            if plan.all_done and plan.merge_seq == seq:
                log.info("job %s: merging again (message seq %d, attempt %d)", job_id, seq, attempt)
                return job, ChunkStep.MERGE
            return None
        if chunk.work_seq != seq:
            log.info("job %s: chunk %d runs as message seq %s; seq %s skipped", job_id, index, chunk.work_seq, seq)
            return None
        log.info("job %s: chunk %d of %d processing (attempt %d, work seq %d)", job_id, index, len(plan.chunks), attempt, seq)
        return job, ChunkStep.RUN

    async def _run_chunk(self, order: WorkOrder, message: Msg, job: JobRecord, step: ChunkStep):
        """The chunk's poses, stored; then, from the message that finished the last chunk, the merged
        results (poses, overlay, analysis). None when there is nothing to complete."""
        assert order.chunk is not None and job.chunk_plan is not None
        abort, cancelled = threading.Event(), threading.Event()
        with tempfile.TemporaryDirectory(prefix=f"chunk-{order.job_id}-{order.chunk}-", dir=self._scratch) as tmp:
            out_dir, video_path = Path(tmp), Path(tmp) / "video"
            if step is ChunkStep.RUN:
                video_url = await asyncio.to_thread(self._video_url, order)
                merger = await self._estimate_chunk(order, message, job, video_url, out_dir, abort, cancelled)
                if merger is None:
                    return None
                job = merger
            assert job.chunk_plan is not None
            # The merge draws the overlay over every frame and hears the whole audio track: it downloads.
            await asyncio.to_thread(self._download, order, video_path)
            return await self._merge(order, message, job.chunk_plan, video_path, out_dir, abort)

    def _video_url(self, order: WorkOrder) -> str:
        """A presigned GET URL of the job's video, for a chunk to read only its own byte ranges."""
        with storage_errors("reading the video", missing_key=order.s3_key):
            self._s3.stat_object(order.bucket, order.s3_key, version_id=order.version_id)  # gone: UploadNotFound
            return self._s3.presigned_get_object(
                order.bucket, order.s3_key, expires=CHUNK_URL_LIFETIME, version_id=order.version_id
            )

    async def _estimate_chunk(
        self, order: WorkOrder, message: Msg, job: JobRecord, video_url: str, out_dir: Path,
        abort: threading.Event, cancelled: threading.Event,
    ) -> JobRecord | None:
        """Run and store one chunk, mark it done; the job when this message is now to merge, else None."""
        assert order.chunk is not None and job.chunk_plan is not None
        job_id, index, seq = order.job_id, order.chunk, message.metadata.sequence.stream

        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            try:
                current = await self._jobs.update(job_id, lambda job: with_chunk_progress(job, index, seq, fraction))
            except JobNotFound:
                cancelled.set()
                return
            if current.status is not JobStatus.PROCESSING:
                cancelled.set()  # deleted, or failed by another chunk: stop before the next frame

        path = out_dir / f"chunk-{index}.json"
        async with ProgressReporter(publish_progress, self._settings.progress_interval_s) as progress:
            work = asyncio.ensure_future(
                asyncio.to_thread(
                    estimate_chunk_poses, video_url, path, job_id, self._model, job.chunk_plan.chunks[index],
                    progress.set, lambda: abort.is_set() or cancelled.is_set(), self._options,
                )
            )
            try:
                frames = await self._finish_or_interrupt(work, abort)
            except WorkInterrupted:
                if not cancelled.is_set():
                    raise
                log.info("job %s ended while its chunk %d ran; the chunk is dropped", job_id, index)
                await asyncio.to_thread(self._discard_results, job_id)
                return None
        await asyncio.to_thread(self._upload, chunk_key(job_id, index), path)
        FRAMES.inc(frames)
        done = await self._mark_chunk_done(job_id, index, seq)
        if done is None or done.status is not JobStatus.PROCESSING:
            # Deleted or ended while the chunk ran: what it stored must not outlive the job.
            log.info("job %s ended while its chunk %d ran; the chunk is discarded", job_id, index)
            await asyncio.to_thread(self._discard_results, job_id)
            return None
        assert done.chunk_plan is not None
        finished = sum(chunk.done for chunk in done.chunk_plan.chunks)
        JOBS.labels("chunk_done").inc()
        log.info("job %s: chunk %d done (%d of %d)", job_id, index, finished, len(done.chunk_plan.chunks))
        return done if done.chunk_plan.merge_seq == seq else None

    async def _mark_chunk_done(self, job_id: str, index: int, seq: int) -> JobRecord | None:
        """Mark the chunk done; the mark that finds every chunk done also names this message the merger."""
        try:
            return await self._jobs.update(job_id, lambda job: mark_chunk_done(job, index, seq))
        except JobNotFound:
            return None

    async def _merge(self, order: WorkOrder, message: Msg, plan: ChunkPlan, video_path: Path, out_dir: Path, abort: threading.Event):
        job_id = order.job_id
        log.info("job %s: merging %d chunks", job_id, len(plan.chunks))
        paths = [out_dir / f"chunk-{index}.json" for index in range(len(plan.chunks))]
        for index, path in enumerate(paths):
            if not path.exists():
                await asyncio.to_thread(self._download_result, chunk_key(job_id, index), path)

        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await self._jobs.update(job_id, lambda job: with_merge_progress(job, fraction))

        merged_dir = out_dir / "merged"
        merged_dir.mkdir()
        async with ProgressReporter(publish_progress, self._settings.progress_interval_s) as progress:
            progress.set(CHUNKS_SHARE)
            work = asyncio.ensure_future(
                asyncio.to_thread(
                    merge_chunk_poses, paths, [chunk.start_s for chunk in plan.chunks], video_path, merged_dir, job_id,
                    lambda fraction: progress.set(CHUNKS_SHARE + (POSE_SHARE - CHUNKS_SHARE) * fraction),
                    abort.is_set, self._options,
                )
            )
            summary = await self._finish_or_interrupt(work, abort)
            progress.set(POSE_SHARE)
            dance = await self._analyse_dance(job_id, video_path, summary.poses_path, merged_dir)
        await self._store_results(job_id, summary, dance)
        return summary, dance

    def _download_result(self, key: str, path: Path) -> None:
        with storage_errors("downloading a chunk's poses", missing_key=key):
            self._s3.fget_object(self._settings.bucket, key, str(path))

    async def _drop_chunk_files(self, job_id: str) -> None:
        """The chunks' files once the job has ended; best effort (retention removes any left behind)."""
        try:
            await asyncio.to_thread(delete_prefix, self._s3, self._settings.bucket, chunks_prefix(job_id))
        except ServiceUnavailable as exc:
            log.warning("job %s: chunk files not removed: %s", job_id, exc.message)
