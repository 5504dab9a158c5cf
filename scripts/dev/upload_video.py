#!/usr/bin/env python3
"""Upload a video to the Dance Analysis API and, if asked, wait for its poses and dance analysis.

    python scripts/dev/upload_video.py path/to/video.mp4 --direct          # recommended
    python scripts/dev/upload_video.py path/to/video.mp4 --direct --wait   # and follow the job
    python scripts/dev/upload_video.py big.mp4 --direct --resume JOB_ID    # go on after an interruption

``--direct`` asks the API for a presigned URL, PUTs the file straight to the bucket and then
confirms; files over ``--multipart-threshold`` go up in parts, several at once, each part retried
on its own, and an interrupted upload resumes (``--resume JOB_ID``, or by itself: a resume record
per file is kept in ``$XDG_CACHE_HOME/dance-analysis/uploads``); without it the file goes through the deprecated ``POST /api/v1/analyze``. The job id,
status and result URLs go to stdout, progress bars to stderr. Any failure ends the script with
one line on stderr and exit status 1. Standard library only: it runs wherever Python 3.11 does.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import threading
import time
import mimetypes
import os
import re
import select
import socket
import sys
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TextIO
from urllib.parse import quote, urlencode, urlsplit

PROG = "upload_video.py"
DEFAULT_API = "http://localhost:8000"
UPLOAD_URL_PATH = "/api/v1/analyze/upload-url"
CONFIRM_PATH = "/api/v1/analyze/confirm"
LEGACY_PATH = "/api/v1/analyze"
MULTIPART_PATH = "/api/v1/analyze/multipart"
DEFAULT_MULTIPART_THRESHOLD_MIB = 64
DEFAULT_PARALLEL = 4
#: Tries per part, and the first pause between them (doubling each time).
PART_TRIES = 5
PART_RETRY_S = 1.0
#: Part URLs asked for at once.
SIGN_BATCH = 100

#: The containers the API accepts, by extension; any other file is sent as guessed and the API says no.
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".avi": "video/x-msvideo",
}
FINAL_STATUSES = frozenset({"completed", "failed", "expired", "cancelled"})
ADMITTED_STATUSES = frozenset({"queued", "processing", "completed"})

#: Bytes read and sent per write: big enough for full speed, small enough for a smooth bar.
CHUNK_BYTES = 1024 * 1024
#: Seconds to wait for an answer to a plain API call.
API_TIMEOUT_S = 30
#: Seconds an upload may stall (no byte accepted, no answer) before it is given up.
UPLOAD_TIMEOUT_S = 120
#: The events stream sends a heartbeat every 15 s; four missed ones mean the connection is dead.
EVENTS_TIMEOUT_S = 60
#: How often the events stream may end before the job does (a restarted gateway) before giving up.
EVENTS_RECONNECTS = 3
#: How long to wait for "100 Continue" before sending the body anyway, as RFC 9110 allows.
CONTINUE_TIMEOUT_S = 2.0
#: Enough of an error answer to explain it; more is never needed.
MAX_ERROR_BODY = 64 * 1024


class UploadError(Exception):
    """Root of this script's failures; the message is the one line printed for it.

    UploadError
    ├── VideoUnreadable   Raised when the video file is missing or cannot be read.
    ├── Unreachable       Raised when the API or the storage cannot be reached or drops the connection.
    ├── ApiRefused        Raised when the API answers with an error.
    ├── UploadRefused     Raised when the storage refuses the PUT (403: the URL expired or was refused).
    └── JobFailed         Raised when the job ends failed, expired or cancelled.
    """


class VideoUnreadable(UploadError):
    """Raised when the video file is missing or cannot be read."""


class Unreachable(UploadError):
    """Raised when the API or the storage cannot be reached or drops the connection."""


class ApiRefused(UploadError):
    """Raised when the API answers with an error."""


class UploadRefused(UploadError):
    """Raised when the storage refuses the PUT (403: the URL expired or was refused)."""


class JobFailed(UploadError):
    """Raised when the job ends failed, expired or cancelled."""


# -- the video -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Video:
    """The file to upload: where it is, how big, and the type it is declared as."""

    path: Path
    size: int
    content_type: str


def open_video(path_text: str, content_type: str | None) -> Video:
    """The video at ``path_text``, with its type from ``content_type`` or its extension."""
    path = Path(path_text)
    if not path.exists():
        raise VideoUnreadable(f"no such file: {path}")
    if not path.is_file():
        raise VideoUnreadable(f"not a regular file: {path}")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise VideoUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc
    return Video(path, size, content_type or guess_content_type(path))


def guess_content_type(path: Path) -> str:
    """The MIME type the API expects for the file's extension, else the system's guess."""
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def file_range(path: Path, start: int, length: int) -> Iterator[bytes]:
    """Exactly ``length`` bytes of the file from ``start``, in chunks."""
    with path.open("rb") as file:
        file.seek(start)
        while length:
            chunk = file.read(min(CHUNK_BYTES, length))
            if not chunk:
                raise VideoUnreadable(f"{path} shrank while it was being uploaded")
            length -= len(chunk)
            yield chunk


def read_chunks(video: Video, bar: ProgressBar) -> Iterator[bytes]:
    """The file's bytes in chunks, exactly ``video.size`` of them, moving the bar as they go."""
    sent = 0
    bar.show(0.0, f"0 B / {human_bytes(video.size)}")
    try:
        for chunk in file_range(video.path, 0, video.size):
            yield chunk
            sent += len(chunk)
            bar.show(sent / video.size, f"{human_bytes(sent)} / {human_bytes(video.size)}")
        if video.size == 0:
            bar.show(1.0, "0 B / 0 B")
    finally:
        bar.close()


# -- progress --------------------------------------------------------------------------------


class ProgressBar:
    """Progress on stderr: one line redrawn in place on a terminal, a few plain lines otherwise."""

    #: Characters of bar on a terminal.
    WIDTH = 30
    #: Without a terminal (a log, CI) a line at 0, 25, 50, 75 and 100 %: visible, yet short.
    STEPS = 4

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.redraw = self.stream.isatty()
        self._last_plain: tuple[int, str] | None = None
        self._drawn = False

    def show(self, fraction: float, detail: str = "", *, phase: str = "") -> None:
        """Show ``fraction`` (0..1); without a terminal only at each quarter or a new ``phase``."""
        fraction = min(max(fraction, 0.0), 1.0)
        if self.redraw:
            filled = round(fraction * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {detail}\x1b[K")
            self._drawn = True
        else:
            mark = (int(fraction * self.STEPS), phase)
            if mark == self._last_plain:
                return
            self._last_plain = mark
            self.stream.write(f"{self.label}: {fraction:4.0%} {detail}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def human_bytes(count: float) -> str:
    """``1.3 MB``-style sizes for the progress bar (decimal units, as disks and networks count)."""
    if count < 1000:
        return f"{count:.0f} B"
    for unit in ("kB", "MB", "GB"):
        count /= 1000
        if count < 1000:
            break
    return f"{count:.1f} {unit}"


# -- HTTP ------------------------------------------------------------------------------------


class Answer(NamedTuple):
    """An HTTP answer, read whole: status code, reason phrase, body and (some) headers."""

    status: int
    reason: str
    body: bytes
    etag: str | None = None


@contextmanager
def network_errors(where: str) -> Iterator[None]:
    """Socket and protocol errors become ``Unreachable``, naming what could not be reached."""
    try:
        yield
    except (OSError, http.client.HTTPException) as exc:
        detail = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
        if isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
            raise Unreachable(f"cannot reach {where}: {detail}") from exc
        raise Unreachable(f"the connection to {where} failed: {detail}") from exc


def connect(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A (not yet opened) connection to the URL's host, and the request target as the URL has it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unreachable(f"not an http(s) URL: {url}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    # Path and query are sent exactly as given: a presigned URL's signature covers them.
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return connection_class(parts.netloc, timeout=timeout), target


def send_streaming(method: str, url: str, headers: dict[str, str], body: Iterable[bytes], where: str) -> Answer:
    """Send a request whose body is streamed from ``body``; headers must give its Content-Length.

    ``Expect: 100-continue`` lets a server refuse before the body is sent: an expired URL is then
    reported as MinIO's 403, not as a connection reset half-way through a large file.
    """
    connection, target = connect(url, UPLOAD_TIMEOUT_S)
    with network_errors(where):
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in {**headers, "Expect": "100-continue"}.items():
                connection.putheader(name, value)
            connection.endheaders()
            early = early_answer(connection)
            if early is not None:
                return early
            try:
                for chunk in body:
                    connection.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may have answered and closed before taking it all; read why below
            response = connection.getresponse()
            return Answer(response.status, response.reason, response.read(), response.getheader("ETag"))
        finally:
            connection.close()


def early_answer(connection: http.client.HTTPConnection) -> Answer | None:
    """After headers sent with ``Expect: 100-continue``: None to go on with the body, or the
    server's final answer if it refused at once."""
    readable, _, _ = select.select([connection.sock], [], [], CONTINUE_TIMEOUT_S)
    if not readable:
        return None  # a server that ignores Expect simply gets the body
    # Nothing follows "100 Continue" until the body is sent, so this reader takes nothing
    # that the response read later would need.
    reader = connection.sock.makefile("rb")
    try:
        status_line = reader.readline(65537).decode("iso-8859-1")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or not code.isdigit():
            raise http.client.BadStatusLine(status_line or "the server closed the connection")
        headers = http.client.parse_headers(reader)
        if int(code) == 100:
            return None
        length = int(headers.get("Content-Length") or 0)
        return Answer(int(code), reason.strip(), reader.read(min(length, MAX_ERROR_BODY)))
    finally:
        reader.close()


def api_error(answer: Answer) -> ApiRefused:
    """The API's ``{"error": {"code", "message"}}`` as one line, or the bare status if it sent none."""
    try:
        error = json.loads(answer.body)["error"]
        return ApiRefused(f"{error['code']}: {error['message']} (HTTP {answer.status})")
    except (ValueError, KeyError, TypeError):
        return ApiRefused(f"the API answered HTTP {answer.status} {answer.reason}".rstrip())


def json_of(answer: Answer) -> dict:
    """The API's JSON answer, or ``ApiRefused`` with its error."""
    if answer.status >= 400:
        raise api_error(answer)
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        raise ApiRefused(f"the API answered HTTP {answer.status} with something that is not JSON") from exc


class ApiClient:
    """Calls to the Dance Analysis API, with ``Authorization: Bearer`` when a key is given."""

    def __init__(self, base: str, api_key: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.api_key = api_key
        self.where = f"the API at {self.base}"

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Headers for an API request: ``extra``, plus the API key if there is one."""
        headers = {"Accept": "application/json", **(extra or {})}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def post(self, path: str, params: dict[str, object]) -> dict:
        """POST with query parameters, as the API doc shows."""
        return self.call("POST", f"{path}?{urlencode(params)}")

    def post_json(self, path: str, body: dict[str, object]) -> dict:
        """POST with a JSON object body (for lists, which a query string cannot carry)."""
        return self.call("POST", path, body)

    def get_job(self, job_id: str) -> dict:
        """The job's current state."""
        return self.call("GET", f"/api/v1/analyze/{quote(job_id)}")

    def call(self, method: str, path: str, body: dict[str, object] | None = None) -> dict:
        """One request (a JSON body if given); the JSON answer, or ``ApiRefused`` with the API's error."""
        connection, target = connect(self.base + path, API_TIMEOUT_S)
        payload = json.dumps(body).encode() if body is not None else None
        headers = self.headers({"Content-Type": "application/json"} if payload is not None else None)
        with network_errors(self.where):
            try:
                connection.request(method, target, body=payload, headers=headers)
                response = connection.getresponse()
                answer = Answer(response.status, response.reason, response.read())
            finally:
                connection.close()
        return json_of(answer)

    def job_events(self, job_id: str) -> Iterator[dict]:
        """Each state of the job from its server-sent events, until the server ends the stream."""
        return self.events(f"/api/v1/analyze/{quote(job_id)}/events", "job")

    def comparison_events(self, comparison_id: str) -> Iterator[dict]:
        """Each state of the comparison from its server-sent events, until the server ends the stream."""
        return self.events(f"/api/v1/compare/{quote(comparison_id)}/events", "comparison")

    def events(self, path: str, kind: str) -> Iterator[dict]:
        """The JSON of each ``kind`` event of the stream at ``path``."""
        connection, target = connect(self.base + path, EVENTS_TIMEOUT_S)
        with network_errors(self.where):
            try:
                connection.request("GET", target, headers=self.headers({"Accept": "text/event-stream"}))
                response = connection.getresponse()
                if response.status != 200:
                    raise api_error(Answer(response.status, response.reason, response.read(MAX_ERROR_BODY)))
                for event, data in server_sent_events(response):
                    if event == kind:
                        yield json.loads(data)
            finally:
                connection.close()


def server_sent_events(lines: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` pairs from a text/event-stream; comment lines (heartbeats) are skipped."""
    event, data = "message", []
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)


# -- the two ways to upload ------------------------------------------------------------------


def direct_upload(client: ApiClient, video: Video) -> dict:
    """Request a presigned URL, PUT the video to it, confirm; returns the confirm answer."""
    params: dict[str, object] = {"filename": video.path.name, "content_type": video.content_type}
    if video.size:
        params["size"] = video.size  # the URL is then signed for exactly this Content-Length
    grant = client.post(UPLOAD_URL_PATH, params)
    print(f"job_id: {grant['job_id']}", flush=True)
    put_file(grant["upload_url"], video)
    return client.post(CONFIRM_PATH, {"job_id": grant["job_id"], "s3_key": grant["s3_key"]})


def put_file(upload_url: str, video: Video) -> None:
    """PUT the video to its presigned URL, streamed with an exact Content-Length and a progress bar."""
    headers = {"Content-Type": video.content_type, "Content-Length": str(video.size)}
    where = f"the storage at {urlsplit(upload_url).netloc}"
    answer = send_streaming("PUT", upload_url, headers, read_chunks(video, ProgressBar("upload")), where)
    if answer.status == 403:
        raise UploadRefused(
            f"upload URL expired or refused (403): {storage_reason(answer.body)}; request a new upload URL"
        )
    if answer.status >= 300:
        raise UploadRefused(f"the storage refused the upload (HTTP {answer.status}): {storage_reason(answer.body)}")


def multipart_upload(client: ApiClient, video: Video, parallel: int, resume_job_id: str | None) -> dict:
    """Upload in parts (several at once), resuming what the bucket already holds; complete; the
    complete answer. The resume record of the file lives until the upload is complete."""
    record = ResumeRecord(video, client.base)
    job_id, state = resume_job_id or record.job_id(), None
    if job_id:
        try:
            state = client.call("GET", f"{MULTIPART_PATH}/{quote(job_id)}")
        except ApiRefused:
            if resume_job_id:
                raise
            record.forget()  # an upload of this file that is over (completed, aborted, expired): start anew
    if state is not None:
        print(f"job_id: {job_id}", flush=True)
        print(f"{PROG}: resuming job {job_id}: {len(state['parts'])} of {state['part_count']} parts stored",
              file=sys.stderr, flush=True)
        if state["size"] != video.size:
            raise UploadRefused(f"job {job_id} expects {state['size']} bytes, the file has {video.size}")
    else:
        grant = client.post_json(
            MULTIPART_PATH, {"filename": video.path.name, "content_type": video.content_type, "size": video.size}
        )
        job_id = grant["job_id"]
        record.save(job_id)
        print(f"job_id: {job_id}", flush=True)
        state = {"part_size": grant["part_size"], "part_count": grant["part_count"], "parts": []}
    uploader = PartUploader(client, video, job_id, state["part_size"], state["part_count"])
    etags = uploader.run(state["parts"], parallel)
    parts = [{"part_number": number, "etag": etag} for number, etag in sorted(etags.items())]
    done = client.post_json(f"{MULTIPART_PATH}/{quote(job_id)}/complete", {"parts": parts})
    record.forget()
    return done


class ResumeRecord:
    """Which job an upload of this file (same path, size and modification time, same API) belongs to."""

    def __init__(self, video: Video, api: str) -> None:
        stat = video.path.stat()
        fingerprint = f"{video.path.resolve()}|{video.size}|{stat.st_mtime_ns}|{api}"
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        self.path = cache / "dance-analysis" / "uploads" / f"{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}.json"

    def job_id(self) -> str | None:
        try:
            return json.loads(self.path.read_text())["job_id"]
        except (OSError, ValueError, KeyError):
            return None

    def save(self, job_id: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"job_id": job_id}))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


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
        return self.part_size if number < self.part_count else self.video.size - self.part_size * (self.part_count - 1)

    def run(self, stored: list[dict], parallel: int) -> dict[int, str]:
        """ETag of every part: those stored (at the right size) and those uploaded now."""
        etags = {p["part_number"]: p["etag"] for p in stored if p["size"] == self.part_length(p["part_number"])}
        self._sent = sum(self.part_length(n) for n in etags)
        todo = [n for n in range(1, self.part_count + 1) if n not in etags]
        self._progress()
        try:
            with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
                for number, etag in zip(todo, pool.map(self.upload_part, todo)):
                    etags[number] = etag
        finally:
            self.bar.close()
        return etags

    def upload_part(self, number: int) -> str:
        """PUT one part; retried with backoff, re-signed when its URL may have expired; its ETag."""
        pause = PART_RETRY_S
        for attempt in range(1, PART_TRIES + 1):
            counted = [0]
            try:
                url = self._url(number, fresh=attempt > 1)
                where = f"the storage at {urlsplit(url).netloc}"
                headers = {"Content-Length": str(self.part_length(number))}
                answer = send_streaming("PUT", url, headers, self._read(number, counted), where)
                if answer.status < 300 and answer.etag:
                    return answer.etag.strip('"')
                problem = f"HTTP {answer.status}: {storage_reason(answer.body)}"
            except Unreachable as exc:
                problem = str(exc)
            self._count(-counted[0])  # those bytes go again
            if attempt == PART_TRIES:
                raise UploadRefused(
                    f"part {number} failed {PART_TRIES} times, last: {problem}; run again with --resume {self.job_id}"
                )
            time.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")

    def _url(self, number: int, *, fresh: bool) -> str:
        """The part's presigned URL; signed in batches, and again when ``fresh`` (it may have expired)."""
        with self._lock:
            if fresh or number not in self._urls:
                batch = list(range(number, min(number + SIGN_BATCH, self.part_count + 1)))
                answer = self.client.post_json(f"{MULTIPART_PATH}/{quote(self.job_id)}/parts", {"part_numbers": batch})
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
            self._progress()

    def _progress(self) -> None:
        size = self.video.size
        self.bar.show(self._sent / size if size else 1.0, f"{human_bytes(self._sent)} / {human_bytes(size)}")


def storage_reason(body: bytes) -> str:
    """S3's (MinIO's) ``<Code>`` and ``<Message>`` from its XML error, if it sent them."""
    text = body.decode("utf-8", "replace")
    found = [re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S) for tag in ("Code", "Message")]
    return ": ".join(match.group(1).strip() for match in found if match) or "no details given"


def legacy_upload(client: ApiClient, video: Video) -> dict:
    """The deprecated way: the file as a multipart ``file`` field of ``POST /api/v1/analyze``."""
    boundary = f"dance-{uuid.uuid4().hex}"
    head, tail = multipart_frame(video, boundary)
    headers = client.headers(
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + video.size + len(tail)),
        }
    )
    body = itertools.chain([head], read_chunks(video, ProgressBar("upload")), [tail])
    job = json_of(send_streaming("POST", client.base + LEGACY_PATH, headers, body, client.where))
    print(f"job_id: {job['job_id']}", flush=True)
    return job


def multipart_frame(video: Video, boundary: str) -> tuple[bytes, bytes]:
    """What goes before and after the file's bytes in a one-field multipart/form-data body."""
    # Quotes and line breaks escaped the way browsers do (HTML's form-data encoding).
    name = video.path.name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {video.content_type}\r\n\r\n"
    )
    return head.encode(), f"\r\n--{boundary}--\r\n".encode()


# -- after the upload ------------------------------------------------------------------------


def follow_job(client: ApiClient, job_id: str) -> dict:
    """The job's final state, with a progress bar of its analysis from the events stream."""
    bar = ProgressBar("analysis")
    try:
        for _ in range(EVENTS_RECONNECTS + 1):
            for job in client.job_events(job_id):
                bar.show(job.get("progress") or 0.0, job["status"], phase=job["status"])
                if job["status"] in FINAL_STATUSES:
                    return job
    finally:
        bar.close()
    raise Unreachable(f"the events stream of job {job_id} kept ending before the job did")


def check_final(job: dict) -> None:
    """Nothing if the job completed; ``JobFailed`` with its error otherwise."""
    if job["status"] == "completed":
        return
    error = job.get("error") or {}
    reason = f": {error.get('code')}: {error.get('message')}" if error else ""
    raise JobFailed(f"job {job['job_id']} {job['status']}{reason}")


def check_admitted(client: ApiClient, job: dict) -> None:
    """Nothing if the job is queued (or further); ``JobFailed`` with its error otherwise."""
    if job["status"] in ADMITTED_STATUSES:
        return
    # Answers to confirm carry no error: read the job for it.
    current = client.get_job(job["job_id"])
    if current["status"] in ADMITTED_STATUSES:
        return
    check_final(current)


def print_result(job: dict) -> None:
    """The final status, the result URLs and the dance summary, one ``name: value`` line each, on stdout."""
    print(f"status: {job['status']}")
    result = job.get("result") or {}
    for name in ("poses_url", "overlay_url", "analysis_url"):
        if result.get(name):
            print(f"{name}: {result[name]}")
    for name, value in summary_lines(result.get("summary")):
        print(f"{name}: {value}")
    for warning in job.get("warnings") or ():
        print(f"warning: {warning}")


def summary_lines(summary: dict | None) -> list[tuple[str, str]]:
    """The dance analysis' headline figures in words: tempo, on-beat score and offset, synchrony."""
    if not summary:
        return []
    motion, music = summary.get("motion_bpm"), summary.get("music_bpm")
    tempo = f"{motion:.1f} BPM (movement)" if motion is not None else "no steady movement tempo"
    tempo += f", {music:.1f} BPM (music)" if music is not None else ", no music beat"
    lines = [("tempo", tempo), ("dancers", str(summary.get("dancers", 0)))]
    alignment = summary.get("beat_alignment")
    if alignment and alignment.get("score") is not None:
        offset = alignment.get("mean_offset_ms")
        timing = "" if offset is None else f", {abs(offset):.0f} ms {'early' if offset < 0 else 'late'} on average"
        lines.append(("on_beat", f"{alignment['score']:.2f} of 1{timing}"))
    synchrony = summary.get("synchrony")
    if synchrony and synchrony.get("R") is not None:
        lines.append(("synchrony", f"R = {synchrony['R']:.2f} (1: all in phase)"))
    return lines


def compare_with(client: ApiClient, reference_job_id: str, job_id: str) -> dict:
    """Compare the uploaded job with a reference job; the finished comparison (``JobFailed`` if it failed)."""
    comparison = client.post("/api/v1/compare", {"reference_job_id": reference_job_id, "job_id": job_id})
    print(f"comparison_id: {comparison['comparison_id']}", flush=True)
    for _ in range(EVENTS_RECONNECTS + 1):
        for comparison in client.comparison_events(comparison["comparison_id"]):
            if comparison["status"] == "failed":
                error = comparison.get("error") or {}
                raise JobFailed(f"comparison {comparison['comparison_id']} failed: {error.get('code')}: {error.get('message')}")
            if comparison["status"] == "completed":
                return comparison
    raise Unreachable(f"the events stream of comparison {comparison['comparison_id']} kept ending before it did")


def print_comparison(comparison: dict) -> None:
    """Score, offset, tempo and the worst segments in words, one ``name: value`` line each."""
    result = comparison["result"]
    offset = result["offset_s"]
    when = "at the same time as" if abs(offset) < 0.05 else f"{abs(offset):.2f} s {'later' if offset > 0 else 'earlier'} than"
    print(f"compare_score: {result['score']:.1f} of 100")
    print(f"compare_offset: starts {when} the reference")
    print(f"compare_tempo: {result['tempo_ratio']:.2f}x the reference's duration")
    if result["mirrored"]:
        print("compare_mirrored: compared as a mirror image")
    for segment in result["worst_segments"]:
        advice = f", {segment['body_part']}: {segment['feedback']}" if segment.get("feedback") else ""
        score = "no pose" if segment["score"] is None else f"{segment['score']:.0f}/100"
        print(f"compare_worst: {segment['start_s']:.1f}-{segment['end_s']:.1f} s {score}{advice}")
    if not result["worst_segments"]:
        print("compare_worst: none (no segment falls short)")
    print(f"comparison_url: {result['comparison_url']}")


# -- entry point -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Options; the API's URL and key default to ``$DANCE_API_URL`` and ``$DANCE_API_KEY``."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Upload a video to the Dance Analysis API; optionally wait for its poses."
    )
    parser.add_argument("video", help="the video file (MP4, MOV or AVI)")
    parser.add_argument(
        "--direct", action="store_true", help="upload straight to storage through a presigned URL (recommended)"
    )
    parser.add_argument("--wait", action="store_true", help="follow the job to its end and print the result URLs and the dance summary")
    parser.add_argument(
        "--api", default=os.environ.get("DANCE_API_URL") or DEFAULT_API,
        help=f"the API's base URL (default: $DANCE_API_URL, else {DEFAULT_API})",
    )
    parser.add_argument(
        "--api-key", default=os.environ.get("DANCE_API_KEY") or None,
        help="API key, sent as 'Authorization: Bearer' (default: $DANCE_API_KEY)",
    )
    parser.add_argument("--content-type", help="the video's MIME type (default: guessed from the extension)")
    parser.add_argument(
        "--multipart-threshold", type=int, default=DEFAULT_MULTIPART_THRESHOLD_MIB, metavar="MIB",
        help=f"with --direct, upload files larger than this many MiB in parts (default {DEFAULT_MULTIPART_THRESHOLD_MIB})",
    )
    parser.add_argument(
        "--parallel", type=int, default=DEFAULT_PARALLEL, help=f"parts uploaded at once (default {DEFAULT_PARALLEL})"
    )
    parser.add_argument(
        "--resume", metavar="JOB_ID", help="go on with the multipart upload of this job (implies --direct)"
    )
    parser.add_argument(
        "--compare-to", metavar="JOB_ID",
        help="after the job completes, compare it with this reference job and print the score (implies --wait)",
    )
    args = parser.parse_args(argv)
    args.wait = args.wait or bool(args.compare_to)
    args.direct = args.direct or bool(args.resume)
    return args


def run(args: argparse.Namespace) -> None:
    """Upload, then report the job as asked; any failure is raised as an ``UploadError``."""
    client = ApiClient(args.api, args.api_key)
    video = open_video(args.video, args.content_type)
    if args.resume or (args.direct and video.size > args.multipart_threshold * 1024**2):
        job = multipart_upload(client, video, args.parallel, args.resume)
    elif args.direct:
        job = direct_upload(client, video)
    else:
        print(
            f"{PROG}: warning: the legacy upload (POST {LEGACY_PATH}, through the API) is deprecated; "
            "--direct (straight to storage) is recommended",
            file=sys.stderr,
        )
        job = legacy_upload(client, video)
    if not args.wait:
        check_admitted(client, job)
        print(f"status: {job['status']}")
        return
    job = follow_job(client, job["job_id"])
    check_final(job)
    print_result(job)
    if args.compare_to:
        print_comparison(compare_with(client, args.compare_to, job["job_id"]))


def main(argv: list[str] | None = None) -> int:
    """Run the script; 0 when the job was queued (or, with --wait, completed), 1 on a failure."""
    args = parse_args(argv)
    try:
        run(args)
    except UploadError as exc:
        reason = " ".join(str(exc).split())  # one line, whatever the server's message held
        print(f"{PROG}: error: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
