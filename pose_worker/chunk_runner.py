"""Long videos split across workers: one work message per chunk, and the merge after the last.

A split job (``pose_worker/job_split.py``) has one message per chunk on the work stream. Any worker
may take a chunk: it claims the chunk by its message's stream sequence (as a job is claimed), reads
the chunk's range through a presigned URL (no download of the whole video), writes
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

from nats.aio.msg import Msg

from domain.jobs import ChunkPlan, JobRecord, JobStatus
from domain.object_keys import chunk_key, chunks_prefix
from domain.stored_uploads import delete_prefix
from domain.work_orders import WorkOrder
from infra.errors import JobNotFound, ServiceUnavailable, UploadNotFound, VideoRejected, WorkInterrupted
from infra.settlement import NOW, Done, GiveUp, MessageOutcome, Retries, Retry
from infra.storage import storage_errors
from pose_worker.chunk_merge import merge_chunk_poses
from pose_worker.chunk_poses import estimate_chunk_poses
from pose_worker.chunk_records import CHUNKS_SHARE, claim_chunk, mark_chunk_done, with_chunk_progress, with_merge_progress
from pose_worker.job_steps import JobSteps, RunResults
from pose_worker.metrics import FRAMES, JOBS
from pose_worker.progress import POSE_SHARE, ProgressReporter

log = logging.getLogger(__name__)

#: How long a chunk's presigned video URL stays valid: FFmpeg asks for byte ranges while the chunk
#: runs (a minute of video takes minutes on a CPU), and again after a seek.
CHUNK_URL_LIFETIME = timedelta(hours=6)


class ChunkStep(enum.Enum):
    RUN = "run"  # estimate the chunk's poses (and merge, if it is the last to finish)
    MERGE = "merge"  # the chunk is done and this message finished the last one: merge (again)


class ChunkRunner:
    """A split job's chunks, one per message, and the merge after the last."""

    def __init__(self, steps: JobSteps, retries: Retries) -> None:
        self._steps = steps
        self._retries = retries

    async def run(self, order: WorkOrder, message: Msg) -> MessageOutcome:
        """Run chunk ``order.chunk`` of a split job, and merge if it is the last; what became of its message."""
        assert order.chunk is not None
        job_id, index = order.job_id, order.chunk
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        try:
            claimed = await self._claim_chunk(job_id, index, seq, attempt)
            if claimed is None:
                JOBS.labels("skipped").inc()
                return Done("the job ended, or the chunk is done or run by another message")
            merged = await self._run_chunk(order, message, *claimed)
        except JobNotFound:
            return GiveUp("its job is deleted")
        except WorkInterrupted as exc:
            # The job stays processing: only this chunk goes back, redelivered at once to another worker.
            JOBS.labels("released").inc()
            return Retry(f"released for another worker: {exc.message}", delay_s=NOW)
        except (VideoRejected, UploadNotFound) as exc:
            await self._fail(job_id, exc.code, f"chunk {index}: {exc.message}")
            return GiveUp(f"{exc.code}: {exc.message}")
        except ServiceUnavailable as exc:
            return await self._retry_or_fail(job_id, attempt, exc.code, f"chunk {index}: {exc.message}")
        except Exception as exc:  # an unexpected bug must still end the job, never leave it stuck
            log.exception("job %s: chunk %d: unexpected error", job_id, index)
            return await self._retry_or_fail(job_id, attempt, "internal_error", f"chunk {index}: internal error: {exc!r}")
        if merged is None:
            return Done("chunk done, or dropped as its job ended")
        summary, dance = merged
        if not await self._steps.complete(job_id, summary, dance):
            await self._steps.discard_results(job_id)
            return Done("merged, but the job was cancelled or deleted meanwhile")
        await self._drop_chunk_files(job_id)
        return Done("merged and completed")

    async def _claim_chunk(self, job_id: str, index: int, seq: int, attempt: int) -> tuple[JobRecord, ChunkStep] | None:
        """Mark the chunk run by this message; None when the job ended, or the chunk is done or run by another message."""
        job = await self._steps.jobs.update(job_id, lambda job: claim_chunk(job, index, seq, attempt))
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

    async def _run_chunk(self, order: WorkOrder, message: Msg, job: JobRecord, step: ChunkStep) -> RunResults | None:
        """The chunk's poses, stored; then, from the message that finished the last chunk, the merged
        results (poses, overlay, analysis). None when there is nothing to complete."""
        assert order.chunk is not None and job.chunk_plan is not None
        abort, cancelled = threading.Event(), threading.Event()
        with tempfile.TemporaryDirectory(prefix=f"chunk-{order.job_id}-{order.chunk}-", dir=self._steps.scratch) as tmp:
            out_dir, video_path = Path(tmp), Path(tmp) / "video"
            if step is ChunkStep.RUN:
                video_url = await asyncio.to_thread(self._video_url, order)
                merger = await self._estimate_chunk(order, message, job, video_url, out_dir, abort, cancelled)
                if merger is None:
                    return None
                job = merger
            assert job.chunk_plan is not None
            # The merge draws the overlay over every frame and hears the whole audio track: it downloads.
            await self._steps.download(order, video_path)
            return await self._merge(order, message, job.chunk_plan, video_path, out_dir, abort)

    def _video_url(self, order: WorkOrder) -> str:
        """A presigned GET URL of the job's video, for a chunk to read only its own byte ranges."""
        s3 = self._steps.s3
        with storage_errors("reading the video", missing_key=order.s3_key):
            s3.stat_object(order.bucket, order.s3_key, version_id=order.version_id)  # gone: UploadNotFound
            return s3.presigned_get_object(
                order.bucket, order.s3_key, expires=CHUNK_URL_LIFETIME, version_id=order.version_id
            )

    async def _estimate_chunk(
        self, order: WorkOrder, message: Msg, job: JobRecord, video_url: str, out_dir: Path,
        abort: threading.Event, cancelled: threading.Event,
    ) -> JobRecord | None:
        """Run and store one chunk, mark it done; the job when this message is now to merge, else None."""
        assert order.chunk is not None and job.chunk_plan is not None
        steps = self._steps
        job_id, index, seq = order.job_id, order.chunk, message.metadata.sequence.stream

        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            try:
                current = await steps.jobs.update(job_id, lambda job: with_chunk_progress(job, index, seq, fraction))
            except JobNotFound:
                cancelled.set()
                return
            if current.status is not JobStatus.PROCESSING:
                cancelled.set()  # deleted, or failed by another chunk: stop before the next frame

        path = out_dir / f"chunk-{index}.json"
        async with ProgressReporter(publish_progress, steps.settings.progress_interval_s) as progress:
            work = asyncio.ensure_future(
                asyncio.to_thread(
                    estimate_chunk_poses, video_url, path, job_id, steps.model, job.chunk_plan.chunks[index],
                    progress.set, lambda: abort.is_set() or cancelled.is_set(), steps.options,
                )
            )
            try:
                frames = await steps.finish_or_interrupt(work, abort)
            except WorkInterrupted:
                if not cancelled.is_set():
                    raise
                log.info("job %s ended while its chunk %d ran; the chunk is dropped", job_id, index)
                await steps.discard_results(job_id)
                return None
        await steps.upload(chunk_key(job_id, index), path)
        FRAMES.inc(frames)
        done = await self._mark_chunk_done(job_id, index, seq)
        if done is None or done.status is not JobStatus.PROCESSING:
            # Deleted or ended while the chunk ran: what it stored must not outlive the job.
            log.info("job %s ended while its chunk %d ran; the chunk is discarded", job_id, index)
            await steps.discard_results(job_id)
            return None
        assert done.chunk_plan is not None
        finished = sum(chunk.done for chunk in done.chunk_plan.chunks)
        JOBS.labels("chunk_done").inc()
        log.info("job %s: chunk %d done (%d of %d)", job_id, index, finished, len(done.chunk_plan.chunks))
        return done if done.chunk_plan.merge_seq == seq else None

    async def _mark_chunk_done(self, job_id: str, index: int, seq: int) -> JobRecord | None:
        """Mark the chunk done; the mark that finds every chunk done also names this message the merger."""
        try:
            return await self._steps.jobs.update(job_id, lambda job: mark_chunk_done(job, index, seq))
        except JobNotFound:
            return None

    async def _merge(
        self, order: WorkOrder, message: Msg, plan: ChunkPlan, video_path: Path, out_dir: Path, abort: threading.Event
    ) -> RunResults:
        steps, job_id = self._steps, order.job_id
        log.info("job %s: merging %d chunks", job_id, len(plan.chunks))
        paths = [out_dir / f"chunk-{index}.json" for index in range(len(plan.chunks))]
        for index, path in enumerate(paths):
            if not path.exists():
                await asyncio.to_thread(self._download_chunk, chunk_key(job_id, index), path)

        async def publish_progress(fraction: float) -> None:
            await message.in_progress()
            await steps.jobs.update(job_id, lambda job: with_merge_progress(job, fraction))

        merged_dir = out_dir / "merged"
        merged_dir.mkdir()
        async with ProgressReporter(publish_progress, steps.settings.progress_interval_s) as progress:
            progress.set(CHUNKS_SHARE)
            work = asyncio.ensure_future(
                asyncio.to_thread(
                    merge_chunk_poses, paths, [chunk.start_s for chunk in plan.chunks], video_path, merged_dir, job_id,
                    lambda fraction: progress.set(CHUNKS_SHARE + (POSE_SHARE - CHUNKS_SHARE) * fraction),
                    abort.is_set, steps.options,
                )
            )
            summary = await steps.finish_or_interrupt(work, abort)
            progress.set(POSE_SHARE)
            dance = await steps.analyse_dance(job_id, video_path, summary.poses_path, merged_dir)
        await steps.store_results(job_id, summary, dance)
        return summary, dance

    def _download_chunk(self, key: str, path: Path) -> None:
        with storage_errors("downloading a chunk's poses", missing_key=key):
            self._steps.s3.fget_object(self._steps.settings.bucket, key, str(path))

    async def _fail(self, job_id: str, code: str, text: str) -> None:
        """Fail the job for its chunk, and drop every chunk's files: the job has ended."""
        await self._steps.fail(job_id, code, text)
        await self._drop_chunk_files(job_id)

    async def _retry_or_fail(self, job_id: str, attempt: int, code: str, text: str) -> MessageOutcome:
        """A retry of the chunk; or, after its last attempt, the job failed and the message given up."""
        outcome = self._retries.decide(Retry(text), attempt)
        if isinstance(outcome, GiveUp):
            await self._fail(job_id, code, outcome.reason)
        return outcome

    async def _drop_chunk_files(self, job_id: str) -> None:
        """The chunks' files once the job has ended; best effort (retention removes any left behind)."""
        steps = self._steps
        try:
            await asyncio.to_thread(delete_prefix, steps.s3, steps.settings.bucket, chunks_prefix(job_id))
        except ServiceUnavailable as exc:
            log.warning("job %s: chunk files not removed: %s", job_id, exc.message)
