"""Comparisons as pages of their own, driven in headless Chromium against the real stack as one key's caller:
``/?compare=ID`` (after a reload, in a fresh browser with the key), the list of past comparisons, the
reference picked from the list of jobs, the verdict in words, "Loop this segment", and the printable report.

The dances: a reference, the same dance started one second late, and the same dance with its middle
(2-4 s) turned the other way, which scores 0 there and gets feedback, while the rest scores over 90."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import requests

from tests.browser.test_browser_compare import BOTH_LOADED, COMPARE_SETTLED, COMPARE_TIMEOUT_MS, aligned
from tests.browser.test_browser_page import JOB_TIMEOUT_MS, SCREENSHOTS, SETTLED, browser, page  # noqa: F401 (fixtures)
from tests.clips import make_swaying_clip, mux_clicks
from tests.conftest import API_KEYS
from tests.helpers import request_upload, wait_until_final
from tests.stack.test_comparisons import CLICKS_S, DELAY_S, completed_job

#: The caller, and another key whose comparisons and jobs this one must not see.
KEY, OTHER_KEY = API_KEYS[1], API_KEYS[0]
HEADERS = {"Authorization": f"Bearer {KEY}"}
#: The page's key box is filled from localStorage on load, as when the key was typed on an earlier visit.
REMEMBER_KEY = f"localStorage.setItem('dance-analysis.api-key', {json.dumps(KEY)});"
#: Where the "wrong" dance turns the other way (seconds, on both clocks: it starts with the reference).
WRONG_S = (2.0, 4.0)
#: The score under which a segment gets feedback (the API's, and the page's words).
FEEDBACK_BELOW = 70
#: The verdict's first words for a score, as verdict.js says them.
LIKENESS = ((85, "Very close to the teacher's dance"), (70, "Close to the teacher's dance"),
            (50, "Partly like the teacher's dance"), (25, "Quite unlike the teacher's dance"),
            (0, "Hardly like the teacher's dance"))
#: Milliseconds a list may take to load a page.
LIST_TIMEOUT_MS = 10_000
LISTS_SETTLED = """() => ["jobs", "comparisons"].every((id) =>
  ["ready", "needs-key", "error"].includes(document.getElementById(id).dataset.state))"""
#: The comparison shown, in words and figures.
SHOWN = """() => ({
  id: document.body.dataset.comparisonId, state: document.body.dataset.compare,
  who: document.getElementById("comparison-who").textContent,
  lead: document.getElementById("verdict-lead").textContent, notes: document.getElementById("verdict-notes").textContent,
  score: document.getElementById("compare-score").textContent,
  worst: [...document.querySelectorAll("#worst-segments li")].map((item) => ({
    start: Number(item.dataset.start), end: Number(item.dataset.end), text: item.textContent })),
  error: document.getElementById("comparison-error").hidden ? null : document.getElementById("comparison-error").textContent,
})"""
#: Sample the reference's clock (and the attempt's) every 40 ms for ``seconds``.
SAMPLE_CLOCKS = """async (seconds) => {
  const [reference, attempt] = ["reference-video", "attempt-video"].map((id) => document.getElementById(id));
  const samples = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    samples.push({ t: (performance.now() - started) / 1000, reference: reference.currentTime,
                   attempt: attempt.currentTime, seeking: reference.seeking || attempt.seeking, paused: reference.paused });
    await new Promise((done) => setTimeout(done, 40));
  }
  return samples;
}"""


def likeness(score: float) -> str:
    return next(words for floor, words in LIKENESS if score >= floor)


def js_round(value: float) -> int:
    return int(np.floor(value + 0.5))  # JavaScript's Math.round, not Python's round-half-to-even


def time_range(start: float, end: float) -> str:
    return f"{start:.1f}–{end:.1f} s"


@pytest.fixture(scope="module")
def jobs(stack, secured_gateway, tmp_path_factory) -> dict[str, str]:
    """The key's three completed jobs by name (``stack`` runs the workers the secured gateway shares)."""
    folder = tmp_path_factory.mktemp("comparison-pages")
    clips = {
        "reference": make_swaying_clip(folder / "reference.mp4", seconds=6.0),
        "late": make_swaying_clip(folder / "late.mp4", seconds=7.0, delay_s=DELAY_S),
        "wrong": make_swaying_clip(folder / "wrong.mp4", seconds=6.0, reversed_between=WRONG_S),
    }
    return {name: completed_job(secured_gateway.api, clip, HEADERS) for name, clip in clips.items()}


def compared(api: str, reference: str, attempt: str, headers: dict | None = HEADERS, **params) -> dict:
    answer = requests.post(f"{api}/api/v1/compare", json={"reference_job_id": reference, "job_id": attempt, **params},
                           headers=headers, timeout=10)
    assert answer.status_code == 202, answer.text
    done = wait_until_final(api, f"/api/v1/compare/{answer.json()['comparison_id']}", headers)
    assert done["status"] == "completed", done
    return done


@pytest.fixture(scope="module")
def wrong_comparison(secured_gateway, jobs) -> dict:
    """The dance with its middle turned the other way, against the reference."""
    done = compared(secured_gateway.api, jobs["reference"], jobs["wrong"], mirror="off")
    weak = [segment for segment in done["result"]["segments"] if segment["score"] < FEEDBACK_BELOW]
    assert [(s["start_s"], s["end_s"]) for s in weak] == [WRONG_S], done["result"]["segments"]
    return done


def open_comparison(page, api: str, comparison_id: str, query: str = "") -> dict:
    response = page.goto(f"{api}/?compare={comparison_id}{query}")
    assert response is not None and response.status == 200
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    return page.evaluate(SHOWN)


def test_the_jobs_list_shows_ids_to_copy_and_use_as_reference_fills_the_compare_box(secured_gateway, browser, jobs):
    context = browser.new_context(viewport={"width": 1100, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=secured_gateway.api)
    context.add_init_script(REMEMBER_KEY)
    page = context.new_page()
    waiting = request_upload(secured_gateway.api, "not-yet.mp4", headers=HEADERS)["job_id"]
    page.goto(f"{secured_gateway.api}/?jobs_page_size=50")
    page.wait_for_function(LISTS_SETTLED, timeout=LIST_TIMEOUT_MS)
    row = page.locator(f'#job-list li[data-job-id="{jobs["reference"]}"]')
    # The id is in the row as text, whole, not only in a tooltip; "Copy id" puts it on the clipboard.
    assert row.locator(".job-id").is_visible() and row.locator(".job-id").text_content() == jobs["reference"]
    row.locator(".job-copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == jobs["reference"]
    # Only a completed job can be a reference.
    assert page.locator(f'#job-list li[data-job-id="{waiting}"] .job-reference').count() == 0

    # No attempt shown yet: the reference is kept and the page says what to do next.
    row.locator(".job-reference").click()
    assert "now open the attempt" in page.text_content("#jobs-note")
    assert "is-reference" in row.get_attribute("class")
    page.locator(f'#job-list li[data-job-id="{jobs["late"]}"] .job-open').click()
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    assert page.is_visible("#compare") and page.input_value("#reference-job-id") == jobs["reference"]
    assert page.text_content("#reference-name") == "Reference: reference.mp4"
    # With the attempt shown, "Use as reference" on another job takes its place in the box.
    page.locator(f'#job-list li[data-job-id="{jobs["wrong"]}"] .job-reference').click()
    assert page.input_value("#reference-job-id") == jobs["wrong"]
    page.locator(f'#job-list li[data-job-id="{jobs["reference"]}"] .job-reference').click()
    assert page.input_value("#reference-job-id") == jobs["reference"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#jobs").screenshot(path=str(SCREENSHOTS / "jobs-use-as-reference.png"))

    page.click("#compare-button")
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    shown = page.evaluate(SHOWN)
    assert shown["state"] == "ready", shown
    comparison = requests.get(f"{secured_gateway.api}/api/v1/compare/{shown['id']}", headers=HEADERS, timeout=10).json()
    assert (comparison["reference_job_id"], comparison["job_id"]) == (jobs["reference"], jobs["late"])
    context.close()


def test_a_comparison_in_the_address_opens_again_after_a_reload_and_in_a_fresh_browser_with_the_key(
    secured_gateway, browser, page, jobs
):
    api = secured_gateway.api
    page.add_init_script(REMEMBER_KEY)
    page.goto(f"{api}/?job={jobs['late']}")
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    page.fill("#reference-job-id", jobs["reference"])
    page.click("#compare-button")
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    first = page.evaluate(SHOWN)
    assert first["state"] == "ready", f"{first}\n{page.log}"
    # Starting it put its id in the address, beside the job shown.
    query = parse_qs(urlsplit(page.url).query)
    assert query["compare"] == [first["id"]] and query["job"] == [jobs["late"]]

    page.reload()
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    again = page.evaluate(SHOWN)
    assert again == first
    assert page.get_attribute("body", "data-job-id") == jobs["late"]  # the job came back too

    # A fresh browser: no key yet (401, and the key box opens), another key's (not found), then the right one.
    fresh = browser.new_context(viewport={"width": 1100, "height": 1000})
    other = fresh.new_page()
    refused = open_comparison(other, api, first["id"])
    assert refused["state"] == "error" and "HTTP 401" in refused["error"], refused
    assert other.is_visible("#api-key")
    other.fill("#api-key", OTHER_KEY)
    other.dispatch_event("#api-key", "change")
    other.wait_for_function("() => document.getElementById('comparison-error').textContent.includes('404')",
                            timeout=LIST_TIMEOUT_MS)
    assert "No such comparison for this API key" in other.text_content("#comparison-error")
    other.fill("#api-key", KEY)
    other.dispatch_event("#api-key", "change")
    other.wait_for_function("() => document.body.dataset.compare === 'ready'", timeout=COMPARE_TIMEOUT_MS)
    shared = other.evaluate(SHOWN)
    assert {key: shared[key] for key in ("id", "lead", "notes", "score", "worst", "who")} == {
        key: first[key] for key in ("id", "lead", "notes", "score", "worst", "who")
    }
    assert parse_qs(urlsplit(other.url).query) == {"compare": [first["id"]]}
    # Opened on its own, the comparison comes first: its verdict on the first screen, the home page's drop zone
    # and example out of the way (the key box stays), and the title leads back home.
    assert not other.is_visible("#drop-zone") and not other.is_visible("#example")
    assert other.evaluate("document.getElementById('verdict-lead').getBoundingClientRect().bottom") <= 1000
    assert other.get_attribute("header h1 a", "href") == "./"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(SCREENSHOTS / "comparison-shared-link.png"), full_page=True)
    fresh.close()


def test_the_list_of_comparisons_pages_newest_first_and_opens_each(secured_gateway, page, jobs):
    api = secured_gateway.api
    made = [compared(api, jobs["reference"], jobs[name])["comparison_id"] for name in ("late", "wrong", "reference")]
    page.add_init_script(REMEMBER_KEY)
    page.goto(f"{api}/?comparisons_page_size=2")
    page.wait_for_function(LISTS_SETTLED, timeout=LIST_TIMEOUT_MS)
    rows = lambda: page.eval_on_selector_all(  # noqa: E731
        "#comparison-list li", "rows => rows.map((row) => ({ id: row.dataset.comparisonId, status: row.dataset.status, "
        "name: row.querySelector('.job-name').textContent, headline: row.querySelector('.job-headline').textContent }))")
    assert [row["id"] for row in rows()] == made[:0:-1]  # the newest two
    page.wait_for_function("() => document.querySelector('#comparison-list .job-name').textContent.endsWith('.mp4')")
    listed = rows()
    assert listed[0]["name"] == "reference.mp4 against reference.mp4"  # the videos' names, not their ids
    assert listed[1]["name"] == "wrong.mp4 against reference.mp4"
    score = requests.get(f"{api}/api/v1/compare/{made[1]}", headers=HEADERS, timeout=10).json()["result"]["score"]
    assert listed[1]["headline"] == f"{js_round(score)} / 100: {likeness(score).lower()}"
    assert {row["status"] for row in listed} == {"completed"}
    page.click("#comparisons-more")
    page.wait_for_function("(n) => document.querySelectorAll('#comparison-list li').length > n", arg=2,
                           timeout=LIST_TIMEOUT_MS)
    ids = [row["id"] for row in rows()]
    assert ids[:3] == made[::-1] and len(ids) == len(set(ids))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#comparisons").screenshot(path=str(SCREENSHOTS / "comparison-list.png"))

    page.locator(f'#comparison-list li[data-comparison-id="{made[0]}"] .comparison-open').click()
    page.wait_for_function(COMPARE_SETTLED, timeout=COMPARE_TIMEOUT_MS)
    shown = page.evaluate(SHOWN)
    assert shown["id"] == made[0] and shown["state"] == "ready", shown
    assert parse_qs(urlsplit(page.url).query)["compare"] == [made[0]]
    assert shown["who"].startswith("late.mp4 (attempt) against reference.mp4 (reference), compared ")
    # Another from the list replaces it.
    page.locator(f'#comparison-list li[data-comparison-id="{made[1]}"] .comparison-open').click()
    page.wait_for_function("(id) => document.body.dataset.comparisonId === id && document.body.dataset.compare === 'ready'",
                           arg=made[1], timeout=COMPARE_TIMEOUT_MS)
    assert parse_qs(urlsplit(page.url).query)["compare"] == [made[1]]


def test_the_verdict_says_how_alike_when_and_what_needs_work_only_where_a_segment_scores_under_70(
    secured_gateway, page, jobs, wrong_comparison
):
    api = secured_gateway.api
    page.add_init_script(REMEMBER_KEY)
    result = wrong_comparison["result"]
    shown = open_comparison(page, api, wrong_comparison["comparison_id"])
    assert shown["state"] == "ready", shown
    assert shown["lead"].startswith(f"{likeness(result['score'])}: {js_round(result['score'])} / 100. ")
    assert "You keep the teacher's tempo; you start with the teacher." in shown["lead"]
    assert f"need work at {time_range(*WRONG_S)}." in shown["lead"], shown["lead"]  # "Arms need work at 2.0–4.0 s."
    assert shown["notes"] == "Aligned by the poses (the reference video has no sound): times count from the start of each video."
    meanings = page.eval_on_selector_all(
        "#compare-result .figures .meaning", "lines => lines.filter((l) => l.checkVisibility()).map((l) => l.textContent)")
    assert len(meanings) == 4 and "100 is the same movement" in meanings[0], meanings  # each figure says what it means
    # Feedback only where the API gave it: the one segment under 70, with the API's words and a loop button.
    (weak,) = result["worst_segments"]
    (item,) = shown["worst"]
    assert (item["start"], item["end"]) == (weak["start_s"], weak["end_s"]) == WRONG_S
    assert item["text"].startswith(f"{time_range(*WRONG_S)}, score {js_round(weak['score'])}")
    assert weak["feedback"] in item["text"] and item["text"].endswith("Loop this segment")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#comparison").screenshot(path=str(SCREENSHOTS / "comparison-verdict.png"))

    late_comparison = compared(api, jobs["reference"], jobs["late"])
    late = late_comparison["result"]
    shown = open_comparison(page, api, late_comparison["comparison_id"])
    # By the poses the start is the videos' own: the late copy starts a second after the teacher.
    assert late["offset_s"] == pytest.approx(DELAY_S, abs=0.1)
    assert f"you start {abs(late['offset_s']):.1f} s after the teacher" in shown["lead"], shown["lead"]
    if not late["worst_segments"]:
        assert shown["lead"].endswith("Nothing stands out to fix: every part of the dance scores 70 or more.")
        assert page.is_visible("#worst-none") and shown["worst"] == []


#: A result as the API gives it by the music, with the reference's counts of eight: arms weak in eights 2 and 3
#: (one stretch), legs in eight 5, and the dancer rushing through eights 3-4.
EIGHTS_RESULT = {
    "score": 61.0, "tempo_ratio": 1.0, "offset_s": -0.8, "aligned_by": "soundtrack", "mirrored": False,
    "worst_segments": [
        {"start_s": 4.8, "end_s": 9.6, "eight": 2, "score": 40.0, "body_part": "arms",
         "feedback": "right elbow moves differently, about 60° apart"},
        {"start_s": 9.6, "end_s": 14.4, "eight": 3, "score": 45.0, "body_part": "arms",
         "feedback": "left arm raised 30° higher"},
        {"start_s": 19.2, "end_s": 24.0, "eight": 5, "score": 50.0, "body_part": "legs",
         "feedback": "left knee bent 35° more"},
    ],
    "timing": [
        {"start_s": 0.5, "end_s": 4.8, "eight": 1, "verdict": "on time", "offset_ms": 10.0},
        {"start_s": 4.8, "end_s": 9.6, "eight": 2, "verdict": "on time", "offset_ms": -20.0},
        {"start_s": 9.6, "end_s": 14.4, "eight": 3, "verdict": "early", "offset_ms": -180.0},
        {"start_s": 14.4, "end_s": 19.2, "eight": 4, "verdict": "early", "offset_ms": -220.0},
    ],
}


def test_the_verdict_names_the_musics_counts_of_eight_as_a_teacher_would(stack, page):
    page.goto(f"{stack.api}/")
    said = page.evaluate(
        "async (result) => { const { verdict, segmentPlace } = await import('./web/verdict.js');"
        " return { ...verdict(result), place: segmentPlace(result.worst_segments[2]) }; }",
        EIGHTS_RESULT,
    )
    assert "rush about 0.2 s ahead of the teacher in eights 3–4 (9.6–19.2 s)" in said["lead"], said
    assert said["lead"].endswith("Arms need work in eights 2–3 (4.8–14.4 s); legs in eight 5 (19.2–24.0 s)."), said
    assert said["place"] == "Eight 5, 19.2–24.0 s"
    # Without counts (no beats: time windows), the same stretches are told in seconds.
    windows = json.loads(json.dumps(EIGHTS_RESULT).replace('"eight": ', '"eight_was": '))
    plain = page.evaluate("async (result) => (await import('./web/verdict.js')).verdict(result).lead", windows)
    assert plain.endswith("Arms need work at 4.8–14.4 s; legs at 19.2–24.0 s."), plain


@pytest.fixture(scope="module")
def music_comparison(stack, tmp_path_factory) -> dict:
    """The reference and the late copy with one recording of clicks (the copy's 1 s later): aligned by the music."""
    folder = tmp_path_factory.mktemp("comparison-pages-music")
    reference = mux_clicks(make_swaying_clip(folder / "silent-reference.mp4", seconds=6.0), folder / "reference.mp4",
                           CLICKS_S, 6.0)
    late = mux_clicks(make_swaying_clip(folder / "silent-late.mp4", seconds=7.0, delay_s=DELAY_S), folder / "late.mp4",
                      CLICKS_S + DELAY_S, 7.0)
    done = compared(stack.api, completed_job(stack.api, reference), completed_job(stack.api, late), headers=None)
    assert done["result"]["aligned_by"] == "soundtrack", done["result"]
    return done


def test_by_the_music_the_verdict_measures_timing_on_the_beat_and_calls_the_start_the_recordings(
    stack, page, music_comparison
):
    result = music_comparison["result"]
    shown = open_comparison(page, stack.api, music_comparison["comparison_id"])  # the open gateway: no key
    assert shown["state"] == "ready", shown
    # offset_s = attempt time - reference time = +1 s: the copy's video has a second more before the same music.
    assert result["offset_s"] == pytest.approx(DELAY_S, abs=0.05)
    assert shown["notes"].startswith("Aligned by the music: both videos play one recording")
    assert "your video starts 1.0 s earlier in the song than the teacher's (that is the recording, not your timing)" \
        in shown["notes"], shown["notes"]
    assert "start" not in shown["lead"]  # not a second behind the teacher: the dance is on the same beat
    if all(timing["verdict"] == "on time" for timing in result["timing"]):
        assert "You keep the teacher's tempo and stay with the teacher on the music." in shown["lead"], shown["lead"]
    assert page.text_content("#compare-offset") == f"attempt's video starts {abs(result['offset_s']):.2f} s earlier in the song"


def test_loop_this_segment_plays_the_weak_segment_over_and_over_in_both_videos(secured_gateway, page, wrong_comparison):
    page.add_init_script(REMEMBER_KEY)
    assert open_comparison(page, secured_gateway.api, wrong_comparison["comparison_id"])["state"] == "ready"
    page.wait_for_function(BOTH_LOADED, timeout=10_000)
    alignment = requests.get(wrong_comparison["result"]["comparison_url"], timeout=10).json()["alignment"]
    start, end = WRONG_S
    page.click("#worst-segments li .loop-segment")
    assert page.is_visible("#comparison-loop") and time_range(start, end) in page.text_content("#comparison-loop")
    looping = page.eval_on_selector_all("#segment-bar .segment.looping", "blocks => blocks.map((b) => Number(b.dataset.start))")
    assert looping == [start]  # the segment looped is marked in the bar
    samples = page.evaluate(SAMPLE_CLOCKS, 2 * (end - start) + 1.5)
    steady = [sample for sample in samples if not sample["seeking"]]
    assert not any(sample["paused"] for sample in samples[5:]), samples  # it plays
    times = [sample["reference"] for sample in steady]
    assert min(times) >= start - 0.05 and max(times) <= end + 0.3, times  # never far out of the segment
    near_end = [index for index, t in enumerate(times) if t >= end - 0.35]
    assert near_end, times
    back = [t for t in times[near_end[0]:] if t <= start + 0.4]
    assert back, f"the reference did not go back to {start} s after passing {end} s: {times}"
    # The attempt follows it along the alignment, also after going back.
    later = [sample for sample in steady if sample["t"] > samples[near_end[0]]["t"] + 0.6]
    drifts = [abs(sample["attempt"] - aligned(alignment, sample["reference"])) for sample in later]
    assert drifts and float(np.median(drifts)) < 0.15, drifts

    # Stopped: it plays on past the segment's end.
    page.click("#comparison-loop-stop")
    assert not page.is_visible("#comparison-loop") and page.locator("#segment-bar .segment.looping").count() == 0
    page.wait_for_function("(end) => document.getElementById('reference-video').currentTime > end + 0.3", arg=end,
                           timeout=2 * int(1000 * (end - start)) + 3000)
    page.evaluate("() => document.getElementById('reference-video').pause()")


def test_the_printable_report_has_the_verdict_figures_segments_dancers_and_date(secured_gateway, page, jobs,
                                                                                 wrong_comparison):
    api = secured_gateway.api
    comparison_id, result = wrong_comparison["comparison_id"], wrong_comparison["result"]
    page.add_init_script(REMEMBER_KEY)
    page.goto(f"{api}/?compare={comparison_id}&report=1")
    page.wait_for_function("() => ['ready', 'error'].includes(document.body.dataset.report)", timeout=COMPARE_TIMEOUT_MS)
    assert page.get_attribute("body", "data-report") == "ready", f"{page.text_content('#report')}\n{page.log}"
    # Alone on the page: nothing else of it shows.
    assert page.is_visible("#report")
    assert not any(page.is_visible(selector) for selector in ("header", "#pick", "#jobs", "#comparisons", "#comparison"))
    report = page.text_content("#report")
    lead = page.text_content("#report .verdict-lead")
    assert lead.startswith(f"{likeness(result['score'])}: {js_round(result['score'])} / 100.")
    assert f"{js_round(result['score'])} / 100" in report and "Pose similarity" in report and "Tempo" in report
    for segment in result["segments"]:
        assert time_range(segment["start_s"], segment["end_s"]) in report
    rows = page.eval_on_selector_all("#report tbody tr", "rows => rows.map((row) => row.lastElementChild.textContent)")
    feedback = {s["start_s"]: s["feedback"] for s in result["worst_segments"]}
    for segment, what in zip(result["segments"], rows, strict=True):
        assert feedback.get(segment["start_s"], "—") in what  # feedback only under 70
        assert (what == "—") == (segment["score"] >= FEEDBACK_BELOW)
    for name in ("reference", "wrong"):
        assert jobs[name] in report and f"{name}.mp4" in report  # both dancers' videos and ids
    assert comparison_id in report
    created = page.get_attribute("#report time", "datetime")
    assert created == wrong_comparison["created_at"] and page.text_content("#report time")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "comparison-report.png"), full_page=True)

    # Printing the comparison's page prints the report, and only it.
    open_comparison(page, api, comparison_id)
    page.emulate_media(media="print")
    assert page.is_visible("#report") and not page.is_visible("#comparison") and not page.is_visible("#pick")
    assert not page.is_visible("#report-print")  # the buttons are not printed
    page.pdf(path=str(SCREENSHOTS / "comparison-report.pdf"))
    page.emulate_media(media="screen")
    assert page.is_visible("#comparison") and not page.is_visible("#report")


def test_an_unknown_comparison_in_the_address_says_so(secured_gateway, page):
    page.add_init_script(REMEMBER_KEY)
    shown = open_comparison(page, secured_gateway.api, "00000000-0000-4000-8000-000000000000")
    assert shown["state"] == "error"
    assert "No such comparison" in shown["error"] and "comparison_not_found, HTTP 404" in shown["error"]
    assert re.search(r"compare=0{8}-", page.url)
