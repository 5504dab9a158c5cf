"""One compare message -> one comparison: claim it, read both jobs' poses, compare, store, settle."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import time

from minio import Minio
from nats.aio.msg import Msg

from choreo.comparison import compare
from choreo.comparison_report import comparison_document, dancer_fields, result_fields
from compare_worker.inputs import choose_track, read_danced_job
from compare_worker.metrics import COMPARE_SECONDS, COMPARISONS
from domain.comparisons import ComparisonRecord, ComparisonResultRecord, ComparisonStatus, ComparisonStore
from domain.job_store import JobStore
from domain.jobs import JobError
from domain.object_keys import comparison_key
from domain.work_orders import CompareOrder
from infra.consumer import read_order
from infra.errors import ComparisonNotFound, ComparisonRejected, NotFound, ServiceUnavailable
from infra.settings import Settings
from infra.settlement import Done, GiveUp, MessageOutcome, Retries, Retry, settle
from infra.storage import storage_errors

log = logging.getLogger(__name__)

#: The gateway queues a comparison just before it writes its record (``gateway/comparisons.py``), so
#: a quick worker often finds none: it looks again this much later, not after a failure's backoff
#: pause, since nothing failed and the record is a moment away.
RECORD_WAIT_S = 2.0


class CompareRunner:
    def __init__(self, settings: Settings, comparisons: ComparisonStore, jobs: JobStore, s3: Minio) -> None:
        self._settings = settings
        self._comparisons = comparisons
        self._jobs = jobs
        self._s3 = s3
        self._retries = Retries(max_deliver=settings.work_max_deliver)

    async def handle(self, message: Msg) -> None:
        """Run the comparison in ``message`` and settle it; never raises for its failure."""
        order = await read_order(message, CompareOrder)
        if order is None:
            return
        outcome = await self._compare(order.comparison_id, message)
        await settle(message, outcome, f"comparison {order.comparison_id}", self._retries)

    async def _compare(self, comparison_id: str, message: Msg) -> MessageOutcome:
        attempt, seq = message.metadata.num_delivered, message.metadata.sequence.stream
        started = time.monotonic()
        try:
            comparison = await self._claim(comparison_id, seq, attempt)
            if comparison is None:
                COMPARISONS.labels("skipped").inc()
                return Done("finished, or run by another message")
            result = await self._run(comparison, message)
        except ComparisonNotFound:
            return Retry("no record yet", delay_s=RECORD_WAIT_S)  # still none on the last delivery: given up
        except (ComparisonRejected, NotFound) as exc:
            await self._fail(comparison_id, exc.code, exc.message)
            return GiveUp(f"{exc.code}: {exc.message}")
        except ServiceUnavailable as exc:
            return await self._retry_or_fail(comparison_id, attempt, exc.code, exc.message)
        except Exception as exc:  # a bug must still end the comparison, never leave it stuck
            log.exception("comparison %s: unexpected error", comparison_id)
            return await self._retry_or_fail(comparison_id, attempt, "internal_error", f"internal error: {exc!r}")
        await self._comparisons.update(
            comparison_id, lambda c: c.moved_to(ComparisonStatus.COMPLETED, result=result) if not c.status.is_final else None
        )
        COMPARISONS.labels("completed").inc()
        COMPARE_SECONDS.observe(time.monotonic() - started)
        log.info("comparison %s completed: score %.1f, aligned by %s", comparison_id, result.score, result.aligned_by)
        return Done("completed")

    async def _claim(self, comparison_id: str, seq: int, attempt: int) -> ComparisonRecord | None:
        def claim(current: ComparisonRecord) -> ComparisonRecord | None:
            if current.status.is_final:
                return None
            if current.status is ComparisonStatus.PROCESSING and current.work_seq not in (None, seq):
                return None
            return current.moved_to(ComparisonStatus.PROCESSING, attempts=attempt, work_seq=seq)

        comparison = await self._comparisons.update(comparison_id, claim)
        if comparison.status is not ComparisonStatus.PROCESSING or comparison.work_seq != seq:
            return None
        return comparison

    async def _run(self, comparison: ComparisonRecord, message: Msg) -> ComparisonResultRecord:
        reference_job = await self._jobs.get(comparison.reference_job_id)
        attempt_job = await self._jobs.get(comparison.job_id)
        bucket = self._settings.bucket
        reference = await asyncio.to_thread(read_danced_job, self._s3, bucket, reference_job)
        attempt = await asyncio.to_thread(read_danced_job, self._s3, bucket, attempt_job)
        reference_track, reference_dancer = choose_track(reference, comparison.reference_track_id, "reference")
        attempt_track, attempt_dancer = choose_track(attempt, comparison.track_id, "attempt")
        await message.in_progress()
        outcome = await asyncio.to_thread(
            compare, reference_track, attempt_track, mirror=comparison.mirror.value, reference_beats=reference.beats,
            reference_soundtrack=reference.soundtrack, attempt_soundtrack=attempt.soundtrack,
        )
        ids = {
            "comparison_id": comparison.comparison_id,
            "reference_job_id": comparison.reference_job_id,
            "job_id": comparison.job_id,
            "reference_track_id": reference_track.track_id,
            "track_id": attempt_track.track_id,
            **dancer_fields(reference_dancer, attempt_dancer),
        }
        key = comparison_key(comparison.comparison_id)
        document = json.dumps(comparison_document(outcome, ids), separators=(",", ":"), allow_nan=False).encode()
        await asyncio.to_thread(self._store, key, document)
        return ComparisonResultRecord.model_validate(
            {**result_fields(outcome), **dancer_fields(reference_dancer, attempt_dancer),
             "reference_track_id": reference_track.track_id, "track_id": attempt_track.track_id, "comparison_key": key}
        )

    def _store(self, key: str, document: bytes) -> None:
        with storage_errors("storing a comparison"):
            self._s3.put_object(self._settings.bucket, key, io.BytesIO(document), len(document),
                                content_type="application/json")

    async def _fail(self, comparison_id: str, code: str, text: str) -> None:
        def fail(current: ComparisonRecord) -> ComparisonRecord | None:
            if current.status.is_final:
                return None
            return current.moved_to(ComparisonStatus.FAILED, error=JobError(code=code, message=text))

        try:
            await self._comparisons.update(comparison_id, fail)
        except ComparisonNotFound:
            return
        COMPARISONS.labels("failed").inc()
        log.warning("comparison %s failed: %s: %s", comparison_id, code, text)

    async def _retry_or_fail(self, comparison_id: str, attempt: int, code: str, text: str) -> MessageOutcome:
        """A retry of the comparison; or, after its last attempt, the comparison failed and the message given up."""
        outcome = self._retries.decide(Retry(text), attempt)
        if isinstance(outcome, GiveUp):
            await self._fail(comparison_id, code, outcome.reason)
        return outcome
