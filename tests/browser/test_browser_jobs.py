"""The page's "Your recent jobs": the caller's jobs listed newest first, a page at a time and by status,
opened in the page or deleted; driven in headless Chromium against the real stack, as one key's caller."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.browser.test_browser_page import JOB_TIMEOUT_MS, SCREENSHOTS, SETTLED, browser, page  # noqa: F401 (fixtures)
from tests.chromium import browser_playable_clip
from tests.conftest import API_KEYS
from tests.helpers import request_upload

#: The caller: the listing is per key, and this key has few jobs of other tests.
KEY = API_KEYS[1]
HEADERS = {"Authorization": f"Bearer {KEY}"}
#: Milliseconds the list may take to load a page.
LIST_TIMEOUT_MS = 10_000
#: The list has loaded (or said why not) since the last thing that asked it to.
LIST_SETTLED = """() => ["ready", "needs-key", "error"].includes(document.getElementById("jobs").dataset.state)"""
#: The rows as shown: the job, its name, status (label and pill), created time and headline, and its buttons.
LISTED = """() => [...document.querySelectorAll("#job-list li")].map((row) => {
  const text = (selector) => row.querySelector(selector).textContent;
  return {
    id: row.dataset.jobId, status: row.dataset.status, name: text(".job-name"), label: text(".job-status"),
    pill: row.querySelector(".job-status").dataset.status, created: row.querySelector("time").dateTime,
    createdText: text("time"), headline: text(".job-headline"),
    buttons: [...row.querySelectorAll("button")].map((button) => button.textContent),
  };
})"""
#: The row of a job has this status.
ROW_HAS_STATUS = """([id, status]) => [...document.querySelectorAll("#job-list li")]
  .some((row) => row.dataset.jobId === id && row.dataset.status === status)"""
#: The page is uploading a job and that job has a row.
UPLOAD_LISTED = """() => { const id = document.body.dataset.jobId;
  return Boolean(id) && [...document.querySelectorAll("#job-list li")].some((row) => row.dataset.jobId === id); }"""
#: The page's key box is filled from localStorage on load, as when the key was typed on an earlier visit.
REMEMBER_KEY = f"localStorage.setItem('dance-analysis.api-key', {json.dumps(KEY)});"


def create_job(api: str, filename: str) -> dict:
    """A job waiting for its upload, as the caller's key asks for it."""
    return request_upload(api, filename, headers=HEADERS)


def listed(page) -> list[dict]:
    page.wait_for_function(LIST_SETTLED, timeout=LIST_TIMEOUT_MS)
    return page.evaluate(LISTED)


def row_button(page, job_id: str, name: str):
    return page.locator(f'#job-list li[data-job-id="{job_id}"] .job-{name}')


def expected_headline(job: dict) -> str:
    """The headline of a completed job's row, from its summary: as the page rounds (half up)."""
    summary = job["result"]["summary"]
    if summary is None:
        return f"{job['result']['tracks']} tracks, no dance analysis"
    bpm = "no steady tempo" if summary["motion_bpm"] is None else f"{int(summary['motion_bpm'] + 0.5)} BPM"
    music = [] if summary["music_bpm"] is None else [f"music {int(summary['music_bpm'] + 0.5)} BPM"]
    dancers = f"{summary['dancers']} dancer{'' if summary['dancers'] == 1 else 's'}"
    return ", ".join([bpm, *music, dancers])


def test_the_list_shows_the_keys_jobs_newest_first_a_page_at_a_time_and_by_status(secured_gateway, page):
    api = secured_gateway.api
    first, second, third = (create_job(api, f"{name}.mp4") for name in ("first", "second", "third"))
    cancelled = requests.post(f"{api}/api/v1/analyze/{second['job_id']}/cancel", headers=HEADERS, timeout=10)
    assert cancelled.status_code == 200, cancelled.text

    page.goto(f"{api}/?jobs_page_size=2")  # two a page, so the third of them is on the second page
    assert listed(page) == []
    assert page.get_attribute("#jobs", "data-state") == "needs-key"  # no key typed yet: the gateway said 401
    assert "API key" in page.text_content("#jobs-note")

    page.click("#key-box summary")
    page.fill("#api-key", KEY)
    page.locator("#api-key").blur()  # changed: the list is that key's, so typing it loads it
    rows = listed(page)
    assert [row["id"] for row in rows] == [third["job_id"], second["job_id"]], f"{rows}\n{page.log}"
    assert [row["name"] for row in rows] == ["third.mp4", "second.mp4"]  # the file's name, not its key
    assert [(row["status"], row["pill"], row["label"]) for row in rows] == [
        ("awaiting_upload", "awaiting_upload", "waiting for the upload"), ("cancelled", "cancelled", "cancelled"),
    ]
    job = secured_gateway.get_job(third["job_id"], headers=HEADERS)
    assert rows[0]["created"] == job["created_at"] and rows[0]["createdText"]
    assert rows[0]["headline"] == "" and rows[0]["buttons"] == ["Open", "Delete", "Copy id"]
    pill_colours = page.eval_on_selector_all("#job-list .job-status", "pills => pills.map((p) => getComputedStyle(p).color)")
    assert pill_colours[0] != pill_colours[1]  # a waiting job and a cancelled one look different

    assert page.is_visible("#jobs-more")
    page.click("#jobs-more")
    rows = listed(page)
    assert [row["id"] for row in rows[:3]] == [third["job_id"], second["job_id"], first["job_id"]]
    assert len({row["id"] for row in rows}) == len(rows)  # the next page follows on, nothing twice

    page.select_option("#jobs-status", "cancelled")
    rows = listed(page)
    assert second["job_id"] in [row["id"] for row in rows]
    assert {row["status"] for row in rows} == {"cancelled"}
    page.select_option("#jobs-status", "awaiting_upload")
    rows = listed(page)
    assert [row["id"] for row in rows] == [third["job_id"], first["job_id"]]  # both on the first page of two


@pytest.mark.usefixtures("stack")  # its listener and pose worker analyse what the secured gateway takes in
def test_a_job_made_in_the_page_is_listed_then_opens_again_from_the_list(secured_gateway, page, tmp_path):
    api = secured_gateway.api
    clip = browser_playable_clip(tmp_path / "listed.mp4", seconds=1, size=(640, 360))
    waiting = create_job(api, "waiting.mp4")
    page.add_init_script(REMEMBER_KEY)
    page.goto(f"{api}/")
    listed(page)

    page.set_input_files("#file-input", str(clip))
    page.wait_for_function(UPLOAD_LISTED, timeout=LIST_TIMEOUT_MS)  # listed as soon as the job exists
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    job_id = page.get_attribute("body", "data-job-id")
    assert page.get_attribute("body", "data-player") == "ready", page.log
    # The job ended while the page showed it: the list was loaded again and says so.
    page.wait_for_function(ROW_HAS_STATUS, arg=[job_id, "completed"], timeout=LIST_TIMEOUT_MS)
    job = secured_gateway.get_job(job_id, headers=HEADERS)
    (row,) = [row for row in listed(page) if row["id"] == job_id]
    assert row["name"] == "listed.mp4" and row["label"] == "completed"
    assert row["headline"] == expected_headline(job)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#jobs").screenshot(path=str(SCREENSHOTS / "recent-jobs.png"))

    # "Open" shows a job as ?job= does: first one still waiting for its upload, followed live...
    row_button(page, waiting["job_id"], "open").click()
    page.wait_for_function("(id) => document.body.dataset.jobId === id && document.body.dataset.status === 'awaiting_upload'",
                           arg=waiting["job_id"], timeout=LIST_TIMEOUT_MS)
    assert not page.is_visible("#player") and parse_qs(urlsplit(page.url).query)["job"] == [waiting["job_id"]]
    # ...then, leaving that one, the completed job again.
    row_button(page, job_id, "open").click()
    page.wait_for_function(SETTLED, timeout=JOB_TIMEOUT_MS)
    state = page.evaluate("() => ({...document.body.dataset, error: document.getElementById('error').textContent})")
    assert state.get("player") == "ready" and state["jobId"] == job_id, f"{state}\n{page.log}"
    assert state["status"] == "completed"
    assert page.text_content("#file-name") == f"Job {job_id}"  # opened by id, not from the picked file
    assert parse_qs(urlsplit(page.url).query)["job"] == [job_id]
    assert page.is_visible("#compare")
    assert not page.is_visible("#error")  # leaving the waiting job was no error
    assert not [line for line in page.log.lines if line.startswith("page error")], str(page.log)


def test_deleting_a_job_from_the_list_asks_first_then_removes_its_row_and_the_job(secured_gateway, page):
    api = secured_gateway.api
    kept, doomed = create_job(api, "kept.mp4"), create_job(api, "doomed.mp4")
    page.add_init_script(REMEMBER_KEY)
    page.goto(f"{api}/")
    assert [row["id"] for row in listed(page)[:2]] == [doomed["job_id"], kept["job_id"]]
    asked: list[str] = []

    def answer(accept: bool):
        def handle(dialog) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
        return handle

    page.once("dialog", answer(False))  # "no": nothing happens
    row_button(page, doomed["job_id"], "delete").click()
    assert asked == ["Delete doomed.mp4? Its video, results and record are removed for good."]
    assert requests.get(f"{api}/api/v1/analyze/{doomed['job_id']}", headers=HEADERS, timeout=10).status_code == 200
    assert doomed["job_id"] in [row["id"] for row in page.evaluate(LISTED)]

    # The API refuses: its error is shown and the row stays, its button ready to try again.
    refusal = {"error": {"code": "storage_unavailable", "message": "The object store did not answer."}}
    failing = re.compile(r"/api/v1/analyze/[0-9a-f-]+$")
    page.route(failing, lambda route: route.fulfill(status=503, json=refusal) if route.request.method == "DELETE"
               else route.continue_())
    page.once("dialog", answer(True))
    row_button(page, doomed["job_id"], "delete").click()
    page.wait_for_selector("#jobs-error", state="visible", timeout=LIST_TIMEOUT_MS)
    error = page.text_content("#jobs-error")
    assert "The object store did not answer." in error and "storage_unavailable, HTTP 503" in error
    assert doomed["job_id"] in [row["id"] for row in page.evaluate(LISTED)]
    assert row_button(page, doomed["job_id"], "delete").is_enabled()
    page.unroute(failing)

    page.once("dialog", answer(True))
    row_button(page, doomed["job_id"], "delete").click()
    page.wait_for_selector(f'#job-list li[data-job-id="{doomed["job_id"]}"]', state="detached", timeout=LIST_TIMEOUT_MS)
    assert len(asked) == 3
    gone = requests.get(f"{api}/api/v1/analyze/{doomed['job_id']}", headers=HEADERS, timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "job_not_found"
    assert not page.is_visible("#jobs-error")
    page.reload()
    ids = [row["id"] for row in listed(page)]
    assert kept["job_id"] in ids and doomed["job_id"] not in ids
