"""The page at ``/`` and the API doc's JavaScript example, driven in headless Chromium against the real stack."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.browser import (
    CHROMIUM_ARGS,
    COUNT_SKELETON_PIXELS,
    PLAY_UNTIL,
    SHOW_FIRST_FRAME,
    BrowserMissing,
    browser_playable_clip,
    doc_upload_function,
    ensure_chromium,
    in_ci,
    other_origin,
)
from tests.conftest import API_KEYS, ARTIFACTS
from tests.helpers import wait_for_final

SCREENSHOTS = ARTIFACTS / "browser"
#: Milliseconds the page may take from picking the file to a drawn player (upload, queue, pose model).
JOB_TIMEOUT_MS = 120_000
#: Opaque pixels in track colours that a drawn skeleton leaves at least, on a 640x360 video (one limb ~ 300).
MIN_SKELETON_PIXELS = 500
#: The page has settled: the player is drawn, or the job or a request failed.
SETTLED = """() => document.body.dataset.player === "ready"
  || ["failed", "expired", "cancelled", "error"].includes(document.body.dataset.status)"""

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; a machine without one skips these tests, except in CI, where they fail."""
    try:
        executable = ensure_chromium()
        from playwright.sync_api import sync_playwright
    except (BrowserMissing, ImportError) as exc:
        if in_ci():
            pytest.fail(f"headless Chromium and Playwright are required in CI: {exc}")
        pytest.skip(f"no headless browser: {exc}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageLog:
    """What the page said on its console and what it threw, for failure messages."""

    def __init__(self, page) -> None:
        self.lines: list[str] = []
        page.on("console", lambda message: self.lines.append(f"console.{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.lines.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: self.lines.append(f"failed: {request.method} {request.url} {request.failure}"))

    def __str__(self) -> str:
        return "\n".join(self.lines) or "(the page logged nothing)"


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    opened = context.new_page()
    opened.log = PageLog(opened)
    yield opened
    context.close()


def people_drawn(frame: dict) -> list[dict]:
    """People of a poses.json frame with a keypoint the page draws (visibility >= 0.5)."""
    return [person for person in frame["people"] if any(v >= 0.5 for _, _, v in person["keypoints"])]


def analyse_in_page(page, clip) -> dict:
    """Pick ``clip`` in the open page and wait until it is analysed and the player drawn; returns the page's state."""
    page.set_input_files("#file-input", str(clip))
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    state = page.evaluate("() => ({...document.body.dataset, error: document.getElementById('error').textContent})")
    assert state.get("player") == "ready", f"the page did not finish: {state}\n{page.log}"
    return state


def test_the_page_uploads_a_video_and_draws_each_dancers_skeleton_over_it(stack, page, tmp_path):
    clip = browser_playable_clip(tmp_path / "dance.mp4", seconds=2, size=(640, 360))
    response = page.goto(f"{stack.api}/")
    assert response is not None and response.status == 200

    state = analyse_in_page(page, clip)
    assert state["status"] == "completed" and state["jobId"]
    assert page.eval_on_selector("#upload-bar", "bar => bar.value") == 1
    assert page.eval_on_selector("#job-bar", "bar => bar.value") == 1

    shown = page.evaluate(SHOW_FIRST_FRAME)
    assert (shown["videoWidth"], shown["videoHeight"]) == (640, 360), f"the video did not load: {shown}\n{page.log}"
    assert shown["canvasBox"] == shown["videoBox"]  # the canvas lies exactly over the video
    pixels = page.evaluate(COUNT_SKELETON_PIXELS)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "page-completed.png"), full_page=True)

    job = stack.get_job(state["jobId"])
    poses = requests.get(job["result"]["poses_url"], timeout=10).json()
    assert pixels["people"] >= 1
    assert pixels["people"] == len(people_drawn(poses["frames"][0]))
    drawn_tracks = {person["track_id"] for person in people_drawn(poses["frames"][0])}
    assert len(pixels["colours"]) == len(drawn_tracks)  # one colour per track (a short clip has fewer than the palette)
    assert pixels["inTrackColours"] >= MIN_SKELETON_PIXELS, pixels
    # Played on into the second photograph and paused: the skeletons follow the video's time.
    played = page.evaluate(PLAY_UNTIL, 1.4)
    times = [frame["t"] for frame in poses["frames"]]
    nearest = min(range(len(times)), key=lambda index: abs(times[index] - played["currentTime"]))
    assert played["drawnFrame"] == poses["frames"][nearest]["index"], played
    assert played["people"] == len(people_drawn(poses["frames"][nearest])) >= 1

    overlay_link, poses_link = page.eval_on_selector_all(".links a", "links => links.map(a => a.href)")
    assert urlsplit(overlay_link).path == urlsplit(job["result"]["overlay_url"]).path
    assert urlsplit(poses_link).path == urlsplit(job["result"]["poses_url"]).path


def test_the_page_sends_the_api_key_typed_into_it(secured_gateway, page, tmp_path):
    clip = browser_playable_clip(tmp_path / "keyed.mp4", seconds=1, size=(640, 360))
    response = page.goto(f"{secured_gateway.api}/")
    assert response is not None and response.status == 200  # the page itself needs no key

    page.set_input_files("#file-input", str(clip))  # no key yet: the API's own error is shown
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    assert page.get_attribute("body", "data-status") == "error"
    assert "unauthorized" in page.text_content("#error")
    assert page.is_visible("#api-key")  # the key box opened

    page.fill("#api-key", API_KEYS[0])
    page.dispatch_event("#api-key", "change")
    page.reload()  # the key is remembered in localStorage
    assert page.input_value("#api-key") == API_KEYS[0]
    state = analyse_in_page(page, clip)
    assert state["status"] == "completed"
    headers = {"Authorization": f"Bearer {API_KEYS[0]}"}
    assert secured_gateway.get_job(state["jobId"], headers=headers)["status"] == "completed"


def test_the_api_docs_javascript_example_uploads_from_another_origin(stack, page, tmp_path):
    clip = browser_playable_clip(tmp_path / "dance.mp4", seconds=1, size=(640, 360))
    script = f"const API_BASE = {json.dumps(stack.api)};\n{doc_upload_function()}"
    html = f"<!doctype html><title>Integrating app</title><script>{script}</script>".encode()
    files = {"/": (html, "text/html; charset=utf-8"), "/dance.mp4": (clip.read_bytes(), "video/mp4")}

    with other_origin(files) as origin:
        assert urlsplit(origin).netloc != urlsplit(stack.api).netloc
        page.goto(f"{origin}/")
        try:
            job_id = page.evaluate(
                """async () => {
                  const blob = await (await fetch("/dance.mp4")).blob();
                  const file = new File([blob], "dance.mp4", { type: "video/mp4" });
                  return await uploadVideoDirect(file);
                }"""
            )
        except Exception as exc:  # Playwright's Error: add what the browser said (CORS refusals show there)
            raise AssertionError(f"uploadVideoDirect failed: {exc}\n{page.log}") from exc

    assert isinstance(job_id, str) and job_id
    job = wait_for_final(stack.api, job_id, timeout_s=JOB_TIMEOUT_MS / 1000)
    assert job["status"] == "completed", job
    assert job["result"]["frames"] > 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param("/", "text/html", id="page"),
        pytest.param("/web/app.js", "application/javascript", id="script"),
        pytest.param("/web/style.css", "text/css", id="stylesheet"),
    ],
)
def test_the_page_and_its_assets_are_served_without_a_key(secured_gateway, path, content_type):
    response = requests.get(f"{secured_gateway.api}{path}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_everything_the_page_loads_comes_from_the_gateway(stack):
    page = requests.get(f"{stack.api}/", timeout=10).text
    references = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assets = [reference for reference in references if not reference.startswith("data:")]  # the empty icon
    assert sorted(assets) == ["web/app.js", "web/style.css"]
    for asset in assets:
        url = urljoin(f"{stack.api}/", asset)
        assert urlsplit(url).netloc == urlsplit(stack.api).netloc
        assert requests.get(url, timeout=10).status_code == 200, url


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("index.html", id="the-page-is-not-an-asset"),
        pytest.param("..%2Fweb_page.py", id="encoded-parent-directory"),
        pytest.param("missing.js", id="not-in-the-folder"),
    ],
)
def test_page_assets_outside_the_folder_are_404(stack, name):
    assert requests.get(f"{stack.api}/web/{name}", timeout=10).status_code == 404
