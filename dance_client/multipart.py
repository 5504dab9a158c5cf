"""Uploads in parts: several parts at once, each retried on its own, and resumable after an
interruption (by the job id, or by the file's resume record)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from dance_client.api import COMPLETE_MULTIPART, CREATE_MULTIPART, GET_MULTIPART, SIGN_PARTS, Record
from dance_client.errors import ApiRefused, TryAgain, Unreachable, UploadRefused
from dance_client.progress import ProgressBar
from dance_client.report import Console
from dance_client.resume import ResumeRecord
from dance_client.transport import ApiClient, Backoff, retrying, send_streaming
from dance_client.uploads import storage_reason
from dance_client.video import Video, file_range

#: Tries per part, and the first pause between them (doubling each time): about 15 s in all,
#: enough to ride out a restarted MinIO or a dropped Wi-Fi.
PART_BACKOFF = Backoff(tries=5, first_pause_s=1.0)
#: Part URLs asked for at once.
SIGN_BATCH = 100


def multipart_upload(
    client: ApiClient, video: Video, console: Console, *, parallel: int, resume_job_id: str | None, records: Path
) -> Record:
    """Upload in parts (``parallel`` at once), resuming what the bucket already holds; complete; the
    complete answer. The file's resume record (in ``records``) lives until the upload is complete."""
    record = ResumeRecord(video, client.base, records)
    job_id, state = resume_job_id or record.job_id(), None
    if job_id:
        try:
            state = client.send(GET_MULTIPART, job_id=job_id)
        except ApiRefused:
            if resume_job_id:
                raise
            record.forget()  # an upload of this file that is over (completed, aborted, expired): start anew
    if job_id and state is not None:
        console.field("job_id", job_id)
        console.note(f"resuming job {job_id}: {len(state['parts'])} of {state['part_count']} parts stored")
        if state["size"] != video.size:
            raise UploadRefused(f"job {job_id} expects {state['size']} bytes, the file has {video.size}")
    else:
        grant = client.send(
            CREATE_MULTIPART, body={"filename": video.path.name, "content_type": video.content_type, "size": video.size}
        )
        job_id = grant["job_id"]
        record.save(job_id)
        console.field("job_id", job_id)
        state = {"part_size": grant["part_size"], "part_count": grant["part_count"], "parts": []}
    uploader = PartUploader(client, video, job_id, state["part_size"], state["part_count"])
    etags = uploader.run(state["parts"], parallel)
    parts = [{"part_number": number, "etag": etag} for number, etag in sorted(etags.items())]
    done = client.send(COMPLETE_MULTIPART, body={"parts": parts}, job_id=job_id)
    record.forget()
    return done


def part_length(number: int, part_size: int, part_count: int, size: int) -> int:
    """Bytes in part ``number`` (from 1) of a ``size``-byte file: ``part_size``, and what is left for the last."""
    return part_size if number < part_count else size - part_size * (part_count - 1)


class PartUploader:
    """Uploads the parts the bucket lacks, ``parallel`` at a time, with one byte-level progress bar."""

    def __init__(self, client: ApiClient, video: Video, job_id: str, part_size: int, part_count: int) -> None:
        self.client, self.video, self.job_id = client, video, job_id
        self.part_size, self.part_count = part_size, part_count
        self.bar = ProgressBar("upload")
        self._sent = 0
        self._lock = threading.Lock()
        self._urls: dict[int, str] = {}

    def part_length(self, number: int) -> int:
        return part_length(number, self.part_size, self.part_count, self.video.size)

    def run(self, stored: list[Record], parallel: int) -> dict[int, str]:
        """ETag of every part: those stored (at the right size) and those uploaded now."""
        etags = {p["part_number"]: p["etag"] for p in stored if p["size"] == self.part_length(p["part_number"])}
        self._sent = sum(self.part_length(n) for n in etags)
        todo = [n for n in range(1, self.part_count + 1) if n not in etags]
        self._count(0)
        try:
            with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
                for number, etag in zip(todo, pool.map(self.upload_part, todo)):
                    etags[number] = etag
        finally:
            self.bar.close()
        return etags

    def upload_part(self, number: int) -> str:
        """PUT one part, retried with backoff and re-signed when its URL may have expired; its ETag."""
        try:
            return retrying(lambda attempt: self._try_part(number, fresh=attempt > 1), PART_BACKOFF)
        except TryAgain as exc:
            raise UploadRefused(
                f"part {number} failed {PART_BACKOFF.tries} times, last: {exc}; run again with --resume {self.job_id}"
            ) from exc

    def _try_part(self, number: int, *, fresh: bool) -> str:
        """One PUT of the part; its ETag, or ``TryAgain`` saying what went wrong."""
        counted = [0]
        try:
            url = self._url(number, fresh=fresh)
            where = f"the storage at {urlsplit(url).netloc}"
            headers = {"Content-Length": str(self.part_length(number))}
            answer = send_streaming("PUT", url, headers, self._read(number, counted), where)
            if answer.status < 300 and answer.etag:
                return answer.etag.strip('"')
            problem = f"HTTP {answer.status}: {storage_reason(answer.body)}"
        except Unreachable as exc:
            problem = str(exc)
        self._count(-counted[0])  # those bytes go again
        raise TryAgain(problem)

    def _url(self, number: int, *, fresh: bool) -> str:
        """The part's presigned URL; signed in batches, and again when ``fresh`` (it may have expired)."""
        with self._lock:
            if fresh or number not in self._urls:
                batch = list(range(number, min(number + SIGN_BATCH, self.part_count + 1)))
                answer = self.client.send(SIGN_PARTS, body={"part_numbers": batch}, job_id=self.job_id)
                self._urls.update({int(n): url for n, url in answer["urls"].items()})
            return self._urls[number]

    def _read(self, number: int, counted: list[int]) -> Iterator[bytes]:
        """The part's bytes in chunks, each counted on the progress bar (and in ``counted``) as it is sent."""
        for chunk in file_range(self.video.path, (number - 1) * self.part_size, self.part_length(number)):
            yield chunk
            counted[0] += len(chunk)
            self._count(len(chunk))

    def _count(self, sent: int) -> None:
        with self._lock:
            self._sent += sent
            self.bar.show_bytes(self._sent, self.video.size)
