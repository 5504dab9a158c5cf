"""The two one-request uploads: one presigned PUT straight to the bucket (then confirm), and the
deprecated form post through the API. Uploads in parts are in ``multipart.py``."""
from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

from dance_client.api import CONFIRM_UPLOAD, CREATE_UPLOAD_URL, LEGACY_UPLOAD, Record
from dance_client.errors import UploadRefused
from dance_client.progress import ProgressBar, human_bytes
from dance_client.report import Console
from dance_client.transport import ApiClient, json_of, send_streaming
from dance_client.video import Video, file_range


def direct_upload(client: ApiClient, video: Video, console: Console) -> Record:
    """Request a presigned URL, PUT the video to it, confirm; returns the confirm answer."""
    query: dict[str, object] = {"filename": video.path.name, "content_type": video.content_type}
    if video.size:
        query["size"] = video.size  # the URL is then signed for exactly this Content-Length
    grant = client.send(CREATE_UPLOAD_URL, query=query)
    console.field("job_id", grant["job_id"])
    put_file(grant["upload_url"], video)
    return client.send(CONFIRM_UPLOAD, query={"job_id": grant["job_id"], "s3_key": grant["s3_key"]})


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


def read_chunks(video: Video, bar: ProgressBar) -> Iterator[bytes]:
    """The file's bytes in chunks, exactly ``video.size`` of them, moving the bar as they go."""
    sent = 0
    bar.show(0.0, f"0 B / {human_bytes(video.size)}")
    try:
        for chunk in file_range(video.path, 0, video.size):
            yield chunk
            sent += len(chunk)
            bar.show_bytes(sent, video.size)
        if video.size == 0:
            bar.show_bytes(0, 0)
    finally:
        bar.close()


def storage_reason(body: bytes) -> str:
    """S3's (MinIO's) ``<Code>`` and ``<Message>`` from its XML error, if it sent them."""
    text = body.decode("utf-8", "replace")
    found = [re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S) for tag in ("Code", "Message")]
    return ": ".join(match.group(1).strip() for match in found if match) or "no details given"


def legacy_upload(client: ApiClient, video: Video, console: Console) -> Record:
    """The deprecated way: the file as the ``file`` field of a form posted to the API (``LEGACY_UPLOAD``)."""
    boundary = f"dance-{uuid.uuid4().hex}"
    head, tail = multipart_frame(video, boundary)
    headers = client.headers(
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + video.size + len(tail)),
        }
    )
    body = itertools.chain([head], read_chunks(video, ProgressBar("upload")), [tail])
    job = json_of(send_streaming(LEGACY_UPLOAD.method, client.url(LEGACY_UPLOAD), headers, body, client.where))
    console.field("job_id", job["job_id"])
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
