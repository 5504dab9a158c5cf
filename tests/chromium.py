"""Headless Chromium for page tests: Debian's browser driven by Playwright, a second origin, browser-playable clips."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import imageio_ffmpeg

from tests.clips import make_clip
from tests.processes import ROOT

#: Debian's package: Playwright's own browser download needs the internet, which test machines may lack.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and nothing that phones home or waits for a network the machine does not have.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Seconds apt-get may take to fetch and install the browser on a fresh machine.
APT_TIMEOUT_S = 240
#: The API document whose JavaScript example the tests run as written.
DIRECT_UPLOAD_DOC = ROOT.parent / "shared" / "docs" / "direct-upload-api.md"


class BrowserMissing(Exception):
    """Raised when no headless Chromium can be had on this machine."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get if it is missing and we may; else BrowserMissing says why."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BrowserMissing(f"{CHROMIUM} is missing and apt-get cannot install it here (not Debian, or not root)")
    command = "apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium"
    try:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=APT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise BrowserMissing(f"installing chromium took over {APT_TIMEOUT_S}s") from exc
    if done.returncode != 0 or not CHROMIUM.exists():
        raise BrowserMissing(f"apt-get could not install chromium: {done.stderr.strip()[-500:]}")
    return CHROMIUM


def browser_playable_clip(path: Path, *, seconds: float, size: tuple[int, int]) -> Path:
    """``make_clip``'s people, re-encoded as H.264: browsers do not play OpenCV's MPEG-4 Part 2."""
    source = make_clip(path.with_suffix(".mpeg4.mp4"), seconds=seconds, size=size)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an", str(path),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return path


def doc_upload_function(doc: Path = DIRECT_UPLOAD_DOC) -> str:
    """The doc's ``uploadVideoDirect`` as JavaScript: its TypeScript block with the type annotations removed."""
    match = re.search(r"```typescript\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    if match is None:
        raise AssertionError(f"{doc} has no ```typescript example")
    code = re.sub(r"(\w+)\s*:\s*File\b", r"\1", match.group(1))
    code = re.sub(r"\)\s*:\s*Promise<string>", ")", code)
    assert "uploadVideoDirect" in code and "Promise<" not in code, code
    return code


class _Files(BaseHTTPRequestHandler):
    files: Mapping[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body, content_type = self.files.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if self.path in self.files else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass


@contextmanager
def other_origin(files: Mapping[str, tuple[bytes, str]]) -> Iterator[str]:
    """Serve ``{path: (body, content type)}`` on a free port of 127.0.0.1 (another port, another origin)."""
    handler = type("Files", (_Files,), {"files": dict(files)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="other-origin", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


#: Counts the canvas' pixels: painted at all, and painted opaque in one of the colours the page drew with.
COUNT_SKELETON_PIXELS = """() => {
  const canvas = document.getElementById("skeletons");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const colours = (window.__drawnColours || []).map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  let painted = 0, inTrackColours = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    painted += 1;
    const near = ([r, g, b]) => Math.abs(data[i] - r) <= 8 && Math.abs(data[i + 1] - g) <= 8 && Math.abs(data[i + 2] - b) <= 8;
    if (data[i + 3] >= 250 && colours.some(near)) inTrackColours += 1;
  }
  return { painted, inTrackColours, colours: window.__drawnColours, people: window.__drawnPeople };
}"""

#: Pause the video on its first frame and wait until it is shown and the page has drawn over it.
SHOW_FIRST_FRAME = """async () => {
  const video = document.getElementById("video");
  const once = (name) => new Promise((done) => video.addEventListener(name, done, { once: true }));
  const atMost = (ms, promise) => Promise.race([promise, new Promise((done) => setTimeout(done, ms))]);
  if (video.readyState < 2) await atMost(10000, once("loadeddata"));
  video.pause();
  video.currentTime = 0;
  await atMost(5000, once("seeked"));
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const box = (element) => { const r = element.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  return {
    readyState: video.readyState, videoWidth: video.videoWidth, videoHeight: video.videoHeight,
    videoBox: box(video), canvasBox: box(document.getElementById("skeletons")),
  };
}"""

#: Play until ``seconds`` into the video, pause, and say which frame is shown and which one was drawn.
PLAY_UNTIL = """async (seconds) => {
  const video = document.getElementById("video");
  await video.play();
  while (video.currentTime < seconds && !video.ended) await new Promise((done) => setTimeout(done, 20));
  const paused = new Promise((done) => video.addEventListener("pause", done, { once: true }));
  video.pause();
  await paused;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return { currentTime: video.currentTime, drawnFrame: window.__drawnFrame, people: window.__drawnPeople };
}"""
