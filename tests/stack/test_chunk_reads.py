"""A chunk reads its range of the video straight from the bucket through a presigned URL (FFmpeg
asks for byte ranges), with the poses a downloaded file gives; a connection closed under it is
picked up again; a read that breaks off for good is retried."""
from __future__ import annotations

import io
import json
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import imageio_ffmpeg
import pytest
import requests

from infra.errors import StorageUnavailable
from infra.settings import Settings
from infra.storage import make_s3_client
from pose_worker.chunk_plan import chunk_plan_of
from pose_worker.chunk_poses import _frame_after, estimate_chunk_poses
from pose_worker.model import PoseModel
from pose_worker.pose_estimation import PoseOptions
from pose_worker.video import VideoReader
from tests.clips import make_clip

#: Cut at 1.5 s and 3 s: the middle chunk decodes from 0.5 s and runs to the cut at 3 s.
CHUNK_STARTS = [0.0, 1.5, 3.0]


@pytest.fixture(scope="module")
def model() -> PoseModel:
    return PoseModel.load(Settings())


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 s clip with its index in front (as phones and `-movflags +faststart` write it)."""
    folder = tmp_path_factory.mktemp("chunk-reads")
    plain = make_clip(folder / "plain.mp4", seconds=4.0, fps=15.0, size=(320, 180))
    faststart = folder / "faststart.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(plain), "-c", "copy", "-movflags", "+faststart", str(faststart)],
        check=True,
    )
    return faststart


def stored_url(settings: Settings, path: Path, key: str, size: int | None = None) -> str:
    """Upload ``path`` (only its first ``size`` bytes when given) and return a presigned GET URL for it."""
    s3 = make_s3_client(settings)
    data = path.read_bytes()[:size]
    s3.put_object(settings.bucket, key, io.BytesIO(data), len(data))
    return s3.presigned_get_object(settings.bucket, key, expires=timedelta(minutes=10))


def chunk_poses(model: PoseModel, video: Path | str, out: Path) -> dict:
    chunk = chunk_plan_of(CHUNK_STARTS).chunks[1]
    estimate_chunk_poses(video, out, "job", model, chunk, lambda done: None, options=PoseOptions(overlay=False))
    return json.loads(out.read_text())


def test_a_chunk_read_through_a_presigned_url_has_the_poses_of_the_downloaded_file(provisioned, model, clip, tmp_path, unique_name):
    url = stored_url(provisioned, clip, f"reads/{unique_name}.mp4")
    from_file, from_bucket = chunk_poses(model, clip, tmp_path / "file.json"), chunk_poses(model, url, tmp_path / "url.json")
    assert [f["t"] for f in from_bucket["frames"]] == [f["t"] for f in from_file["frames"]]
    times = [f["t"] for f in from_bucket["frames"]]
    assert 0.5 <= times[0] < 0.5 + 1.5 / 15 and 3.0 - 1.5 / 15 < times[-1] < 3.0  # from the overlap to the next cut
    assert from_bucket["frames"] == from_file["frames"]


def test_a_chunk_whose_read_breaks_off_before_its_end_fails_as_a_storage_error_to_retry(provisioned, model, clip, tmp_path, unique_name):
    # The index promises 4 s of frames but the bytes stop about half-way: FFmpeg's reads fail there,
    # which OpenCV reports as the end of the video.
    url = stored_url(provisioned, clip, f"reads/{unique_name}.mp4", size=clip.stat().st_size // 2)
    with pytest.raises(StorageUnavailable, match="broke off"):
        chunk_poses(model, url, tmp_path / "cut.json")


def test_a_chunk_that_cannot_open_its_url_fails_as_a_storage_error_to_retry(provisioned, model, tmp_path, unique_name):
    s3 = make_s3_client(provisioned)
    url = s3.presigned_get_object(provisioned.bucket, f"reads/{unique_name}-missing.mp4", expires=timedelta(minutes=10))
    with pytest.raises(StorageUnavailable, match="could not be read from storage"):
        chunk_poses(model, url, tmp_path / "missing.json")


class CuttingProxy(ThreadingHTTPServer):
    """Forwards GETs to MinIO (signed for MinIO's host) but ends every answer after ``cut_after``
    bytes, as a connection closed under a slow reader; FFmpeg must ask again from there."""

    def __init__(self, upstream: str, cut_after: int) -> None:
        self.upstream, self.cut_after, self.requests = upstream, cut_after, 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # noqa: N805 (the handler, inside the server)
                self.requests += 1
                headers = {name: value for name, value in handler.headers.items() if name.lower() == "range"}
                answer = requests.get(f"{self.upstream}{handler.path}", headers=headers, stream=True, timeout=30)
                handler.send_response(answer.status_code)
                for name in ("Content-Length", "Content-Range", "Content-Type", "Accept-Ranges", "ETag", "Last-Modified"):
                    if name in answer.headers:
                        handler.send_header(name, answer.headers[name])
                handler.end_headers()
                sent = 0
                for block in answer.iter_content(64 * 1024):
                    block = block[: self.cut_after - sent]
                    handler.wfile.write(block)
                    sent += len(block)
                    if sent >= self.cut_after:
                        break
                answer.close()
                handler.close_connection = True

            def log_message(handler, *args) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, minio_url: str) -> str:
        parts = urlsplit(minio_url)
        return f"http://127.0.0.1:{self.server_address[1]}{parts.path}?{parts.query}"


def test_a_connection_closed_mid_chunk_is_picked_up_where_it_ended(provisioned, model, clip, tmp_path, unique_name):
    url = stored_url(provisioned, clip, f"reads/{unique_name}.mp4")
    proxy = CuttingProxy(provisioned.s3_endpoint, cut_after=clip.stat().st_size // 8)
    try:
        cut = proxy.url(url)
        from_file, through_cuts = chunk_poses(model, clip, tmp_path / "file.json"), chunk_poses(model, cut, tmp_path / "cut.json")
        assert proxy.requests > 2  # it had to ask again, more than once
    finally:
        proxy.shutdown()
    assert through_cuts["frames"] == from_file["frames"]


def test_the_last_chunk_tells_a_read_that_stopped_early_from_the_video_s_end(provisioned, clip, unique_name):
    url = stored_url(provisioned, clip, f"reads/{unique_name}.mp4")
    with VideoReader(clip) as video:
        times = [frame.t for frame in video]
    assert _frame_after(url, times[len(times) // 2], fps=15.0)
    assert not _frame_after(url, times[-1], fps=15.0)
    assert not _frame_after(clip, times[len(times) // 2], fps=15.0)  # a file is read whole
