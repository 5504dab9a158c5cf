"""The page uploads a large file in parts, 4 at a time, and resumes it after a reload when the same file is
given again; driven in headless Chromium against the real stack, the threshold lowered to 1 MiB."""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.browser.test_browser_page import JOB_TIMEOUT_MS, SETTLED, browser, page  # noqa: F401 (fixtures)
from tests.clips import make_clip, pad_clip

MiB = 1024**2
#: 40 MiB in parts of max(16 MiB, size / 10,000): 16 + 16 + 8 MiB.
SIZE = 40 * MiB
PART = 16 * MiB
PARTS = 3
#: The page's address: files over 1 MiB go in parts (64 MiB without it).
PAGE_PATH = "/?multipart_threshold_mib=1"
RECORD_PREFIX = "dance-analysis.upload:"
#: Seconds to wait for the bucket to hold a part the page is sending.
PART_TIMEOUT_S = 30
#: Records every value the upload bar and its text take, as the page sets them.
WATCH_UPLOAD = """() => {
  window.__upload = [];
  const bar = document.getElementById("upload-bar");
  const text = document.getElementById("upload-text");
  new MutationObserver(() => window.__upload.push([bar.value, text.textContent]))
    .observe(text, { childList: true, characterData: true, subtree: true });
}"""
#: The page's resume records: [[name, size, lastModified, API], {"job_id": ...}], and the picked file's lastModified.
RESUME_RECORDS = f"""() => ({{
  records: Object.keys(localStorage).filter((key) => key.startsWith({json.dumps(RECORD_PREFIX)}))
    .map((key) => [JSON.parse(key.slice({len(RECORD_PREFIX)})), JSON.parse(localStorage.getItem(key))]),
  lastModified: document.getElementById("file-input").files[0]?.lastModified,
}})"""


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory):
    """A real 2-second video padded to 40 MiB with an MP4 ``free`` box (decoders skip it): three parts."""
    return pad_clip(make_clip(tmp_path_factory.mktemp("browser-multipart") / "big.mp4", seconds=2.0, size=(640, 360)), SIZE)


def part_number(url: str) -> int | None:
    """The ``partNumber`` of a presigned UploadPart URL; None for any other URL."""
    numbers = parse_qs(urlsplit(url).query).get("partNumber")
    return int(numbers[0]) if numbers else None


class Requests:
    """The part PUTs and the API's multipart calls the page makes, in order."""

    def __init__(self, page) -> None:
        self.parts: list[int] = []
        self.api: list[str] = []
        page.on("request", self.saw)

    def saw(self, request) -> None:
        number = part_number(request.url)
        if request.method == "PUT" and number is not None:
            self.parts.append(number)
        elif "/api/v1/analyze/multipart" in request.url:
            self.api.append(f"{request.method} {urlsplit(request.url).path}")

    def count(self, method: str, suffix: str) -> int:
        return sum(1 for call in self.api if call.startswith(f"{method} ") and call.endswith(suffix))


def multipart_state(api: str, job_id: str) -> requests.Response:
    return requests.get(f"{api}/api/v1/analyze/multipart/{job_id}", timeout=10)


def settle(page) -> dict:
    """Wait until the page has finished (player drawn) or failed; its state."""
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    state = page.evaluate("() => ({...document.body.dataset, error: document.getElementById('error').textContent})")
    assert state.get("player") == "ready", f"the page did not finish: {state}\n{page.log}"
    return state


def assert_upload_over(api: str, job_id: str) -> None:
    """The job was an upload in parts, completed: its upload is closed, and the job is done."""
    closed = multipart_state(api, job_id)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "upload_closed", closed.text
    assert requests.get(f"{api}/api/v1/analyze/{job_id}", timeout=10).json()["status"] == "completed"


def test_a_large_file_is_uploaded_in_parts_under_one_progress_bar_and_analysed(stack, page, big_clip):
    seen = Requests(page)
    page.goto(f"{stack.api}{PAGE_PATH}")
    page.evaluate(WATCH_UPLOAD)
    page.set_input_files("#file-input", str(big_clip))
    state = settle(page)
    job_id = state["jobId"]

    assert sorted(seen.parts) == list(range(1, PARTS + 1))  # each part once, no single PUT of the whole file
    assert seen.count("POST", "/multipart") == 1 and seen.count("POST", "/complete") == 1, seen.api
    assert_upload_over(stack.api, job_id)
    # One bar for the whole file, counted in bytes as the parts go, never backwards.
    shown = page.evaluate("() => window.__upload")
    sending = [(value, text) for value, text in shown if " MB of " in text]  # before it: "waiting" (the reset)
    fractions = [value for value, _ in sending]
    assert fractions == sorted(fractions) and any(0 < value < 1 for value in fractions), shown
    assert all(text.endswith(f" of {SIZE / 1e6:.1f} MB") for _, text in sending), shown
    assert shown[-1] == [1, "uploaded"]
    assert page.is_hidden("#upload-note")  # nothing was resumed
    assert page.evaluate(RESUME_RECORDS)["records"] == []  # forgotten once complete


def test_the_same_file_given_again_after_a_reload_resumes_with_only_the_missing_parts(stack, page, big_clip):
    seen = Requests(page)

    # Parts 2 and 3 are refused by the browser itself (DevTools' request blocking): part 1 gets through.
    # (Playwright's page.route would intercept every request, and it stalls the parts' file bodies.)
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setBlockedURLs", {"urls": [f"*partNumber={n}&*" for n in range(2, PARTS + 1)]})
    page.goto(f"{stack.api}{PAGE_PATH}")
    page.set_input_files("#file-input", str(big_clip))
    page.wait_for_function("() => document.body.dataset.jobId", timeout=10_000)
    job_id = page.get_attribute("body", "data-job-id")
    deadline = time.monotonic() + PART_TIMEOUT_S
    while not multipart_state(stack.api, job_id).json()["parts"]:  # part 1 reaches the bucket, 2 and 3 cannot
        assert time.monotonic() < deadline, (
            f"part 1 was not stored: {seen.parts} {seen.api} {page.text_content('#upload-text')} "
            f"{page.text_content('#error')}\n{page.log}")
        time.sleep(0.1)
    stored = multipart_state(stack.api, job_id).json()["parts"]
    assert [(part["part_number"], part["size"]) for part in stored] == [(1, PART)]
    kept = page.evaluate(RESUME_RECORDS)
    assert kept["records"] == [[["big.mp4", SIZE, kept["lastModified"], f"{stack.api}/api/v1/analyze/"], {"job_id": job_id}]]
    assert abs(kept["lastModified"] - big_clip.stat().st_mtime * 1000) < 1000  # the file's own modification time

    page.reload()  # while parts 2 and 3 are still refused: nothing more of them reaches the bucket
    devtools.send("Network.setBlockedURLs", {"urls": []})
    first_load_parts, seen.parts = seen.parts, []
    assert 1 in first_load_parts and seen.count("POST", "/complete") == 0
    page.evaluate(WATCH_UPLOAD)
    page.set_input_files("#file-input", str(big_clip))
    state = settle(page)

    assert state["jobId"] == job_id
    assert page.text_content("#upload-note") == f"resuming: 1 of {PARTS} parts already uploaded"
    assert sorted(seen.parts) == [2, 3], seen.parts  # only the missing parts, each once
    assert seen.count("POST", "/multipart") == 1  # no second job: the first load's only
    assert seen.count("GET", f"/multipart/{job_id}") == 1 and seen.count("POST", "/complete") == 1, seen.api
    first_text = next(text for _, text in page.evaluate("() => window.__upload") if " MB of " in text)
    assert first_text == f"{PART / 1e6:.1f} MB of {SIZE / 1e6:.1f} MB"  # the bar starts with the stored part counted
    assert_upload_over(stack.api, job_id)
    assert page.evaluate(RESUME_RECORDS)["records"] == []
