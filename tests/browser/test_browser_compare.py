"""The page's "Compare with a reference": two jobs side by side on one clock, driven in headless Chromium
against the real stack. The attempt is the reference's dance started one second late.
(test_browser_comparison_pages.py: the comparison in the address, the lists, the verdict, loops, the report.)"""
from __future__ import annotations

import colorsys
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import requests

from tests.browser.test_browser_page import JOB_TIMEOUT_MS, SCREENSHOTS, SETTLED, browser, page  # noqa: F401 (fixtures)
from tests.clips import make_swaying_clip
from tests.conftest import API_KEYS
from tests.helpers import request_upload
from tests.stack.test_comparisons import completed_job

DELAY_S = 1.0
#: Milliseconds from "Compare" to a shown comparison (queue, compare worker, both jobs, comparison.json).
COMPARE_TIMEOUT_MS = 60_000
#: Seconds the attempt may be off its aligned time after a seek (a frame at 30 fps is 0.033 s).
SEEK_TOLERANCE_S = 0.15
#: The comparison is shown, or the page said why not.
COMPARE_SETTLED = """() => ["ready", "error"].includes(document.body.dataset.compare)"""
#: What the compare section shows, with each segment block's place and computed colour.
SHOWN_COMPARISON = """() => {
  const text = (id) => document.getElementById(id).textContent;
  const video = (id) => { const v = document.getElementById(id); return { src: v.currentSrc || v.src, width: v.videoWidth }; };
  const bar = document.getElementById("segment-bar").getBoundingClientRect();
  return {
    score: text("compare-score"), offset: text("compare-offset"), tempo: text("compare-tempo"),
    mirrored: text("compare-mirrored"), parts: text("compare-parts"),
    reference: video("reference-video"), attempt: video("attempt-video"),
    barWidth: bar.width,
    segments: [...document.querySelectorAll("#segment-bar .segment")].map((block) => {
      const box = block.getBoundingClientRect();
      return { start: Number(block.dataset.start), end: Number(block.dataset.end), score: block.dataset.score,
               left: box.left - bar.left, width: box.width, colour: getComputedStyle(block).backgroundColor,
               title: block.title };
    }),
    worst: [...document.querySelectorAll("#worst-segments li")].map((item) => item.textContent),
    link: document.getElementById("comparison-link").href,
  };
}"""
#: Wait until both videos have a frame to show.
BOTH_LOADED = """() => ["reference-video", "attempt-video"].every((id) => document.getElementById(id).readyState >= 2)"""
#: Wait until neither video is seeking any more (the attempt starts its seek after the reference's); their times.
SETTLE = """async () => {
  const [reference, attempt] = ["reference-video", "attempt-video"].map((id) => document.getElementById(id));
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await frame();
  await frame();
  for (let still = 0, k = 0; still < 3 && k < 300; k += 1) {
    still = reference.seeking || attempt.seeking ? 0 : still + 1;
    await frame();
  }
  return { reference: reference.currentTime, attempt: attempt.currentTime,
           paused: [reference.paused, attempt.paused] };
}"""
#: Seek the reference video as its own controls do.
SEEK_REFERENCE = """(t) => { document.getElementById("reference-video").currentTime = t; }"""
#: Press play on the attempt (as its controls do), sample both clocks while playing, then pause the reference.
PLAY_FROM_THE_ATTEMPT = """async (seconds) => {
  const [reference, attempt] = ["reference-video", "attempt-video"].map((id) => document.getElementById(id));
  await attempt.play();
  const started = performance.now();
  while (reference.paused && performance.now() - started < 3000) await new Promise((done) => setTimeout(done, 20));
  const playing = [!reference.paused, !attempt.paused];
  const samples = [];
  while (performance.now() - started < seconds * 1000) {
    await new Promise((done) => setTimeout(done, 100));
    if (!reference.seeking && !attempt.seeking) samples.push([reference.currentTime, attempt.currentTime]);
  }
  const paused = new Promise((done) => attempt.addEventListener("pause", done, { once: true }));
  reference.pause();
  await Promise.race([paused, new Promise((done) => setTimeout(done, 3000))]);
  return { playing, samples, pausedAfter: [reference.paused, attempt.paused] };
}"""


@pytest.fixture(scope="module")
def jobs(stack, tmp_path_factory):
    """Two completed jobs: a reference dance and the same dance started ``DELAY_S`` late (the attempt)."""
    folder = tmp_path_factory.mktemp("browser-compare")
    reference = make_swaying_clip(folder / "reference.mp4", seconds=6.0)
    late = make_swaying_clip(folder / "late.mp4", seconds=7.0, delay_s=DELAY_S)
    return completed_job(stack.api, reference), completed_job(stack.api, late)


def open_job(page, api: str, job_id: str) -> None:
    """Open the page on a completed job by its id (``?job=``) and wait until its player is drawn."""
    response = page.goto(f"{api}/?job={job_id}")
    assert response is not None and response.status == 200
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    state = page.evaluate("() => ({...document.body.dataset, error: document.getElementById('error').textContent})")
    assert state.get("player") == "ready" and state["jobId"] == job_id, f"{state}\n{page.log}"
    assert page.is_visible("#compare")


def compare_in_page(page, reference_job_id: str, mirror: str = "auto") -> str:
    """Ask the page to compare the job shown with ``reference_job_id``; returns data-compare once settled."""
    page.fill("#reference-job-id", reference_job_id)
    page.select_option("#compare-mirror", mirror)
    page.click("#compare-button")
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    return page.get_attribute("body", "data-compare")


def shown_errors(page) -> str:
    """What the page said went wrong (asking for the comparison, or the comparison itself), and its log."""
    return f"{page.text_content('#compare-error')}{page.text_content('#comparison-error')}\n{page.log}"


def hue_of(css_colour: str) -> float:
    """Degrees (0 red, 120 green) of a computed ``rgb(r, g, b)``."""
    red, green, blue = (int(value) / 255 for value in re.findall(r"\d+", css_colour)[:3])
    return colorsys.rgb_to_hsv(red, green, blue)[0] * 360


def aligned(alignment: dict, reference_t: float) -> float:
    """The attempt's time aligned with ``reference_t`` (the alignment is an even grid of reference times)."""
    return float(np.interp(reference_t, alignment["reference_t"], alignment["attempt_t"]))


def test_the_page_compares_the_job_shown_with_a_reference_side_by_side_on_one_clock(stack, page, jobs):
    reference_job, attempt_job = jobs
    open_job(page, stack.api, attempt_job)
    assert parse_qs(urlsplit(page.url).query)["job"] == [attempt_job]
    assert compare_in_page(page, reference_job) == "ready", shown_errors(page)
    page.wait_for_function(BOTH_LOADED, timeout=10_000)
    shown = page.evaluate(SHOWN_COMPARISON)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#comparison").screenshot(path=str(SCREENSHOTS / "compare.png"))

    comparison_id = page.get_attribute("body", "data-comparison-id")
    comparison = requests.get(f"{stack.api}/api/v1/compare/{comparison_id}", timeout=10).json()
    assert (comparison["reference_job_id"], comparison["job_id"]) == (reference_job, attempt_job)
    result = comparison["result"]
    alignment = requests.get(result["comparison_url"], timeout=10).json()["alignment"]
    # Each job's overlay video (skeletons drawn in), the reference on the left.
    for side, job_id in (("reference", reference_job), ("attempt", attempt_job)):
        overlay = stack.get_job(job_id)["result"]["overlay_url"]
        assert urlsplit(shown[side]["src"]).path == urlsplit(overlay).path
        assert shown[side]["width"] == 640
    assert page.locator("#reference-video").bounding_box()["x"] < page.locator("#attempt-video").bounding_box()["x"]
    assert shown["score"] == f"{int(result['score'] + 0.5)} / 100"
    offset = re.fullmatch(r"attempt starts (\d+\.\d\d) s later", shown["offset"])
    assert offset and float(offset[1]) == pytest.approx(result["offset_s"], abs=0.006), shown["offset"]
    assert float(offset[1]) == pytest.approx(DELAY_S, abs=0.1)
    assert shown["tempo"].startswith(f"×{result['tempo_ratio']:.2f}")
    assert shown["mirrored"] == "no" and result["mirrored"] is False
    assert urlsplit(shown["link"]).path == urlsplit(result["comparison_url"]).path
    for segment, feedback in zip(result["worst_segments"], shown["worst"], strict=True):
        assert segment["feedback"] and segment["feedback"] in feedback

    # One block per segment, placed and sized by time, coloured from red (0) to green (100).
    segments = result["segments"]
    assert [(block["start"], block["end"]) for block in shown["segments"]] == [(s["start_s"], s["end_s"]) for s in segments]
    assert [float(block["score"]) for block in shown["segments"]] == [s["score"] for s in segments]
    duration = max(max(s["end_s"] for s in segments), max(alignment["reference_t"]))
    for block in shown["segments"]:
        assert block["left"] == pytest.approx(shown["barWidth"] * block["start"] / duration, abs=1.5)
        assert block["width"] == pytest.approx(shown["barWidth"] * (block["end"] - block["start"]) / duration, abs=1.5)
        assert hue_of(block["colour"]) == pytest.approx(1.2 * float(block["score"]), abs=3), block
    by_score = sorted(shown["segments"], key=lambda block: float(block["score"]))
    hues = [hue_of(block["colour"]) for block in by_score]
    assert hues == sorted(hues)  # a lower score is redder

    # A click on a segment seeks both: the reference to its start, the attempt to the time aligned with it.
    for index in (len(segments) - 1, 0):
        page.locator("#segment-bar .segment").nth(index).click()
        times = page.evaluate(SETTLE)
        start = segments[index]["start_s"]
        assert times["reference"] == pytest.approx(start, abs=0.01), times
        assert times["attempt"] == pytest.approx(aligned(alignment, start), abs=SEEK_TOLERANCE_S), times
        assert times["attempt"] - times["reference"] == pytest.approx(DELAY_S, abs=0.2)
    # Seeking the reference moves the attempt along the alignment.
    page.evaluate(SEEK_REFERENCE, 3.3)
    times = page.evaluate(SETTLE)
    assert times["reference"] == pytest.approx(3.3, abs=0.01)
    assert times["attempt"] == pytest.approx(aligned(alignment, 3.3), abs=SEEK_TOLERANCE_S), times


def test_playing_or_pausing_either_video_plays_or_pauses_both_in_step(stack, page, jobs):
    reference_job, attempt_job = jobs
    open_job(page, stack.api, attempt_job)
    assert compare_in_page(page, reference_job) == "ready", shown_errors(page)
    page.wait_for_function(BOTH_LOADED, timeout=10_000)
    page.locator("#segment-bar .segment").nth(0).click()
    page.evaluate(SETTLE)
    comparison = requests.get(f"{stack.api}/api/v1/compare/{page.get_attribute('body', 'data-comparison-id')}",
                              timeout=10).json()
    alignment = requests.get(comparison["result"]["comparison_url"], timeout=10).json()["alignment"]

    played = page.evaluate(PLAY_FROM_THE_ATTEMPT, 2.0)
    assert played["playing"] == [True, True], f"{played}\n{page.log}"
    assert played["pausedAfter"] == [True, True]
    drifts = [abs(attempt - aligned(alignment, reference)) for reference, attempt in played["samples"]]
    assert len(drifts) >= 5, played
    assert float(np.median(drifts)) < SEEK_TOLERANCE_S, drifts  # steered along the alignment while playing
    times = page.evaluate(SETTLE)
    assert times["reference"] > 0.5  # it played
    assert times["attempt"] == pytest.approx(aligned(alignment, times["reference"]), abs=SEEK_TOLERANCE_S), times


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        pytest.param("unknown", ("Job not found", "job_not_found", "HTTP 404"), id="unknown-job"),
        pytest.param("awaiting-upload", ("has not completed yet", "job_not_completed", "HTTP 409"), id="unfinished-job"),
    ],
)
def test_a_reference_that_cannot_be_compared_is_refused_in_words(stack, page, jobs, reference, shown):
    reference_job_id = str(uuid.uuid4()) if reference == "unknown" else request_upload(stack.api, "later.mp4")["job_id"]
    open_job(page, stack.api, jobs[1])
    assert compare_in_page(page, reference_job_id) == "error"
    message = page.text_content("#compare-error")
    assert all(words in message for words in shown), message
    assert reference_job_id in message  # the API's own message names the job
    assert page.is_visible("#compare-error") and not page.is_visible("#compare-result")
    assert page.is_enabled("#compare-button")  # another id can be tried


def test_a_failed_comparison_shows_why(stack, page, jobs):
    # The page never asks for a dancer; a request for one the attempt does not have makes the worker fail it.
    def ask_for_dancer_99(route) -> None:
        body = json.loads(route.request.post_data or "{}")
        route.continue_(post_data=json.dumps({**body, "track_id": 99}))

    page.route(lambda url: urlsplit(url).path == "/api/v1/compare", ask_for_dancer_99)
    open_job(page, stack.api, jobs[1])
    assert compare_in_page(page, jobs[0]) == "error"
    message = page.text_content("#comparison-error")  # queued, then failed: the comparison's own section says why
    assert message.startswith("The comparison failed:") and "no dancer 99" in message, message
    assert "track_not_found" in message


def test_a_reference_uploaded_in_the_compare_section_is_analysed_then_compared(stack, page, jobs, tmp_path):
    clip = make_swaying_clip(tmp_path / "teacher.mp4", seconds=6.0)
    open_job(page, stack.api, jobs[1])
    page.set_input_files("#reference-file", str(clip))
    page.wait_for_function(COMPARE_SETTLED, timeout=JOB_TIMEOUT_MS + COMPARE_TIMEOUT_MS)
    assert page.get_attribute("body", "data-compare") == "ready", shown_errors(page)
    reference_job_id = page.input_value("#reference-job-id")
    reference = stack.get_job(reference_job_id)
    assert reference["status"] == "completed" and reference_job_id != jobs[0]
    comparison_id = page.get_attribute("body", "data-comparison-id")
    comparison = requests.get(f"{stack.api}/api/v1/compare/{comparison_id}", timeout=10).json()
    assert (comparison["reference_job_id"], comparison["job_id"]) == (reference_job_id, jobs[1])
    src = page.eval_on_selector("#reference-video", "video => video.src")
    assert urlsplit(src).path == urlsplit(reference["result"]["overlay_url"]).path
    assert page.text_content("#compare-score") == f"{int(comparison['result']['score'] + 0.5)} / 100"


def test_with_an_api_key_the_page_opens_and_compares_that_keys_jobs(stack, secured_gateway, page, tmp_path):
    # ``stack`` runs the listener and workers the secured gateway shares.
    headers = {"Authorization": f"Bearer {API_KEYS[0]}"}
    job_id = completed_job(secured_gateway.api, make_swaying_clip(tmp_path / "mine.mp4", seconds=4.0), headers)
    page.goto(f"{secured_gateway.api}/")
    page.click("#key-box summary")
    page.fill("#api-key", API_KEYS[0])
    page.dispatch_event("#api-key", "change")  # kept in localStorage for the page opened next
    open_job(page, secured_gateway.api, job_id)
    assert compare_in_page(page, job_id) == "ready", shown_errors(page)
    assert page.text_content("#compare-score") == "100 / 100"  # a dance compared with itself
    assert page.text_content("#compare-offset") == "starts together"
