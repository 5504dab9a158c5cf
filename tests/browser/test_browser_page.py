"""The page at ``/`` and the API doc's JavaScript example, driven in headless Chromium against the real stack."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
import requests

from choreo.music import MusicBeats
from choreo.report import build_report
from gateway.models.analysis import Analysis
from gateway.web_page import WEB_DIR
from tests.chromium import (
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
from tests.dance_series import bounce, frames_of, moving_dancer, poses_document
from tests.helpers import wait_for_final

SCREENSHOTS = ARTIFACTS / "browser"
#: Milliseconds the page may take from picking the file to a drawn player (upload, queue, pose model).
JOB_TIMEOUT_MS = 120_000
#: Opaque pixels in track colours that a drawn skeleton leaves at least, on a 640x360 video (one limb ~ 300).
MIN_SKELETON_PIXELS = 500
#: The page has settled: the player is drawn, or the job or a request failed.
SETTLED = """() => document.body.dataset.player === "ready"
  || ["failed", "expired", "cancelled", "error"].includes(document.body.dataset.status)"""

#: The page has shown the dance analysis, or said why there is none.
ANALYSIS_SETTLED = """() => ["ready", "none", "error"].includes(document.body.dataset.analysis)"""
#: Width of the timeline's viewBox: x = 1000 * t / duration.
TIMELINE_WIDTH = 1000
#: What the analysis section shows: its texts, the timeline's lines and ticks (viewBox units), the playhead.
SHOWN_ANALYSIS = """() => {
  const text = (id) => document.getElementById(id).textContent;
  const number = (element, name) => Number(element.getAttribute(name));
  const ticks = (id) => [...document.querySelectorAll(`#${id} line`)].map((line) => ({
    t: Number(line.dataset.t), x: number(line, "x1"), y1: number(line, "y1"), y2: number(line, "y2") }));
  return {
    note: document.getElementById("analysis-note").hidden ? null : text("analysis-note"),
    timelineShown: !document.getElementById("analysis-body").hidden
      && document.getElementById("timeline").getBoundingClientRect().width > 0,
    motionTempo: text("motion-tempo"), musicTempo: text("music-tempo"), beatScore: text("beat-score"),
    beatOffset: text("beat-offset"), synchrony: text("synchrony-group"),
    pairs: [...document.querySelectorAll("#synchrony-pairs li")].map((item) => item.textContent),
    energy: [...document.querySelectorAll("#energy-lines path")].map((path) => ({
      trackId: Number(path.dataset.trackId), stroke: path.getAttribute("stroke"), d: path.getAttribute("d") })),
    musicBeats: ticks("music-beats"), kinematicBeats: ticks("kinematic-beats"),
    end: text("timeline-end"),
  };
}"""
#: Pause the video at ``seconds`` and say where it is and where the playhead is drawn.
SEEK_TO = """async (seconds) => {
  const video = document.getElementById("video");
  video.pause();
  const seeked = new Promise((done) => video.addEventListener("seeked", done, { once: true }));
  video.currentTime = seconds;
  await seeked;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const playhead = document.getElementById("playhead");
  return { currentTime: video.currentTime, x: Number(playhead.getAttribute("x1")), t: Number(playhead.dataset.t) };
}"""


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
    # Done: the upload's progress card and the home page give the player the window.
    assert page.is_hidden("#progress") and page.is_hidden("#pick")
    assert page.evaluate("document.getElementById('video').src").startswith("blob:")  # the picked file, with its sound

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
    page.click("#again")  # back to the home page, for another video
    assert page.is_visible("#drop-zone") and page.is_hidden("#player")


def shown_analysis(page) -> dict:
    """Wait until the page has dealt with the job's analysis; returns what it shows."""
    page.wait_for_function(ANALYSIS_SETTLED, timeout=10_000)
    return page.evaluate(SHOWN_ANALYSIS)


def bpm_text(bpm: float) -> str:
    return f"{int(bpm + 0.5)} BPM"  # as JavaScript's Math.round, not Python's round-half-to-even


def analysis_with_music(job_id: str, seconds: float) -> dict:
    """A real analysis document of two dancers stopping 60 and 20 ms before the beats of 120 BPM music,
    the first one bouncing higher and higher (its energy rises)."""
    t = np.arange(0, seconds, 1 / 30)
    rising = moving_dancer(bounce(t, 0.5, phase_s=-0.06, height_px=1.0) * np.linspace(20, 60, len(t)))
    steady = moving_dancer(bounce(t, 0.5, phase_s=-0.02, height_px=40.0), x_px=250)
    music = MusicBeats(bpm=120.0, confidence=0.9, beats=np.arange(0.5, seconds, 0.5))
    document = build_report(poses_document(frames_of(t, rising, steady), 30.0, job_id), has_audio=True, music=music)
    Analysis.model_validate(document)  # the schema the worker's documents follow
    return document


def test_the_page_shows_the_dance_analysis_on_a_timeline_that_follows_the_video(stack, page, tmp_path):
    # Four seconds, two per photo: its people are dancers (over 1 s on screen) and there is a movement tempo.
    clip = browser_playable_clip(tmp_path / "dance.mp4", seconds=4, size=(640, 360))
    page.goto(f"{stack.api}/")
    state = analyse_in_page(page, clip)
    shown = shown_analysis(page)
    page.evaluate(SHOW_FIRST_FRAME)
    skeleton_colours = set(page.evaluate(COUNT_SKELETON_PIXELS)["colours"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "page-analysis.png"), full_page=True)

    job = stack.get_job(state["jobId"])
    analysis = requests.get(job["result"]["analysis_url"], timeout=10).json()
    assert analysis["dancers"] and analysis["kinematic_beats"], analysis["tempo"]  # something to draw
    assert shown["note"] is None and shown["timelineShown"], f"{shown}\n{page.log}"
    motion_bpm = analysis["tempo"]["motion_bpm"]
    assert shown["motionTempo"] == (bpm_text(motion_bpm) if motion_bpm is not None else "no steady tempo")
    assert shown["musicTempo"] == "no audio"  # the clip has no audio track
    assert shown["beatOffset"] == shown["beatScore"] == "needs music"
    assert shown["musicBeats"] == []
    assert [tick["t"] for tick in shown["kinematicBeats"]] == analysis["kinematic_beats"]
    assert [line["trackId"] for line in shown["energy"]] == [dancer["track_id"] for dancer in analysis["dancers"]]
    assert all(line["d"].startswith("M") for line in shown["energy"])
    # The dancers of the first frame have their skeletons' colours on the timeline.
    first_dancers = {dancer["track_id"] for dancer in analysis["dancers"] if dancer["first_t"] == 0}
    first_strokes = {line["stroke"] for line in shown["energy"] if line["trackId"] in first_dancers}
    assert first_dancers and first_strokes <= skeleton_colours

    duration = analysis["video"]["duration_s"]
    early, late = page.evaluate(SEEK_TO, 1.0), page.evaluate(SEEK_TO, 3.0)
    for playhead in (early, late):
        assert playhead["t"] == pytest.approx(playhead["currentTime"], abs=0.001)
        assert playhead["x"] == pytest.approx(TIMELINE_WIDTH * playhead["currentTime"] / duration, abs=0.1)
    assert late["x"] - early["x"] == pytest.approx(TIMELINE_WIDTH * 2.0 / duration, abs=5)
    # A click on the timeline seeks the video there.
    box = page.locator("#timeline").bounding_box()
    page.locator("#timeline").click(position={"x": box["width"] / 4, "y": box["height"] / 2})
    page.wait_for_function("(t) => Math.abs(document.getElementById('video').currentTime - t) < 0.1",
                           arg=duration / 4, timeout=5000)


def test_the_timeline_shows_the_music_beats_and_the_offset_in_words_when_there_is_music(stack, page, tmp_path):
    clip = browser_playable_clip(tmp_path / "dance.mp4", seconds=4, size=(640, 360))
    served: list[str] = []

    def serve_music_analysis(route) -> None:
        # The job's own analysis.json, swapped for one of a video with music (test clips have no audio);
        # the bucket answers cross-origin, so does this.
        served.append(route.request.url)
        document = analysis_with_music(urlsplit(route.request.url).path.split("/")[-2], seconds=6.0)
        route.fulfill(json=document, headers={"Access-Control-Allow-Origin": "*"})

    page.route(lambda url: urlsplit(url).path.endswith("/analysis.json"), serve_music_analysis)
    page.goto(f"{stack.api}/")
    state = analyse_in_page(page, clip)
    shown = shown_analysis(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#analysis").screenshot(path=str(SCREENSHOTS / "analysis-with-music.png"))

    assert served and f"/{state['jobId']}/" in served[0], served
    document = analysis_with_music(state["jobId"], seconds=6.0)
    on_beat, synchrony = document["on_beat"], document["synchrony"]
    assert on_beat["locked"] and on_beat["mean_asynchrony_ms"] < 0  # the dancers follow the beat, early
    assert shown["note"] is None and shown["timelineShown"], f"{shown}\n{page.log}"
    assert shown["musicTempo"] == "120 BPM"
    assert shown["motionTempo"] == f"{bpm_text(document['tempo']['motion_bpm'])}, on the beat"
    assert shown["beatOffset"] == f"hits {int(-on_beat['mean_asynchrony_ms'] + 0.5)} ms early on average"
    assert shown["beatScore"] == f"yes, follows the beat ({on_beat['locking']:.2f}, chance {on_beat['chance']:.2f})"
    assert shown["synchrony"] == f"R {synchrony['group']['R']:.2f} (chance {synchrony['group']['chance']:.2f})"
    (pair,) = synchrony["pairs"]
    assert pair["leader_track_id"] == 1  # the earlier dancer leads
    assert f"dancer 1 leads by {int(pair['lag_s'] * 1000 + 0.5)} ms" in shown["pairs"][0]

    duration = document["video"]["duration_s"]
    assert shown["end"] == f"{duration:.1f} s"
    assert [tick["t"] for tick in shown["musicBeats"]] == document["music"]["beats"]
    assert [tick["t"] for tick in shown["kinematicBeats"]] == document["kinematic_beats"]
    for tick in shown["musicBeats"] + shown["kinematicBeats"]:
        assert tick["x"] == pytest.approx(TIMELINE_WIDTH * tick["t"] / duration, abs=0.1)
    music_rows = {(tick["y1"], tick["y2"]) for tick in shown["musicBeats"]}
    movement_rows = {(tick["y1"], tick["y2"]) for tick in shown["kinematicBeats"]}
    (music_row,), (movement_row,) = music_rows, movement_rows
    assert music_row[1] <= movement_row[0]  # two rows, music above movement
    assert [line["trackId"] for line in shown["energy"]] == [1, 2]


MOVEMENT_TEMPI = [
    # (tempo block, what the page says): the movement's own tempo is told against the music's.
    ({"motion_bpm": 98.39, "motion_source": "movement", "cycles_per_beat": None, "music_bpm": 99.32},
     "98 BPM, about the music's tempo"),
    ({"motion_bpm": 67.2, "motion_source": "movement", "cycles_per_beat": None, "music_bpm": 134.0},
     "67 BPM, about half the music's tempo"),
    ({"motion_bpm": 104.82, "motion_source": "movement", "cycles_per_beat": None, "music_bpm": 119.46},
     "105 BPM, not the music's 119 BPM"),
    ({"motion_bpm": 67.0, "motion_source": "beat", "cycles_per_beat": 0.5, "music_bpm": 134.0}, "67 BPM, every 2 beats"),
    ({"motion_bpm": 94.84, "motion_source": "movement", "cycles_per_beat": None, "music_bpm": None}, "95 BPM"),
    ({"motion_bpm": None, "motion_source": "movement", "cycles_per_beat": None, "music_bpm": 120.0}, "no steady tempo"),
]


def test_the_movements_tempo_is_told_against_the_musics_in_a_dancers_words(stack, page):
    page.goto(f"{stack.api}/")
    said = page.evaluate("async (tempi) => { const { tempoText } = await import('./web/analysis.js');"
                         " return tempi.map(tempoText); }", [tempo for tempo, _ in MOVEMENT_TEMPI])
    assert said == [words for _, words in MOVEMENT_TEMPI]


def test_a_faint_music_beat_is_said_to_be_one_and_not_following_it_is_not_called_off_the_beat(stack, page):
    page.goto(f"{stack.api}/")
    unlocked = {"locked": False, "locking": 0.057, "chance": 0.0792}
    locked = {"locked": True, "locking": 0.35, "chance": 0.16}
    tempo = {"music_bpm": 119.46}
    said = page.evaluate(
        "async ([unlocked, locked, tempo]) => { const { onBeatText, musicTempoText } = await import('./web/analysis.js');"
        " return [onBeatText(unlocked, false), onBeatText(unlocked, true), onBeatText(locked, false),"
        " musicTempoText(tempo, { has_audio: true, clear_beat: false }), musicTempoText(tempo, { has_audio: true, clear_beat: true }),"
        " musicTempoText({ music_bpm: null }, { has_audio: true, clear_beat: null }),"
        " musicTempoText({ music_bpm: 189.5 }, { has_audio: true, clear_beat: true, tracker_bpm: 125.8 }),"
        " musicTempoText(tempo, { has_audio: true, clear_beat: true, tracker_bpm: 119.46 })]; }",
        [unlocked, locked, tempo],
    )
    assert said == [
        "can't tell: the music's beat is faint (0.06, chance 0.08)", "not measurably (0.06, chance 0.08)",
        "yes, follows the beat (0.35, chance 0.16)", "119 BPM, a faint beat", "119 BPM", "no beat found",
        "190 BPM, the beat the dancers follow (the beat tracker heard 126)", "119 BPM",
    ]


def test_a_job_without_an_analysis_says_so_under_the_player(stack, page, tmp_path):
    clip = browser_playable_clip(tmp_path / "dance.mp4", seconds=1, size=(640, 360))
    warning = "dance analysis failed, poses and overlay are complete: RuntimeError: no audio decoder"

    def without_analysis(route) -> None:
        # The gateway's job as it reads when the worker's analysis failed: no analysis_url, a warning.
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        job = response.json()
        if job["status"] == "completed":
            job["result"].update(analysis_url=None, analysis_key=None, summary=None)
            job["warnings"].append(warning)
        route.fulfill(response=response, json=job)

    # The page follows the job by polling when its event stream is refused; the polled job is rewritten.
    page.route("**/api/v1/analyze/*/events", lambda route: route.fulfill(status=404, json={"error": {
        "code": "not_found", "message": "no stream in this test"}}))
    page.route(re.compile(r"/api/v1/analyze/[0-9a-f-]+$"), without_analysis)
    page.goto(f"{stack.api}/")
    analyse_in_page(page, clip)
    shown = shown_analysis(page)
    assert page.get_attribute("body", "data-analysis") == "none"
    assert shown["note"] == f"No dance analysis for this job. {warning}"
    assert not shown["timelineShown"]
    assert page.is_visible("#analysis-note") and page.is_visible("#video")


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
        pytest.param("/web/multipart.js", "application/javascript", id="imported-module"),
        pytest.param("/web/style.css", "text/css", id="stylesheet"),
    ],
)
def test_the_page_and_its_assets_are_served_without_a_key(secured_gateway, path, content_type):
    response = requests.get(f"{secured_gateway.api}{path}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def imported_modules(api: str, module: str) -> set[str]:
    """``module`` (a path under the gateway) and every module it imports, transitively, as paths."""
    found: set[str] = set()
    todo = [module]
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        source = requests.get(urljoin(f"{api}/", path), timeout=10).text
        todo += [urljoin(path, name) for name in re.findall(r'^import [^;]*?from "([^"]+)";', source, re.MULTILINE)]
    return found


def test_everything_the_page_loads_comes_from_the_gateway(stack):
    page = requests.get(f"{stack.api}/", timeout=10).text
    references = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assets = [reference for reference in references if not reference.startswith("data:")]  # the empty icon
    # The script and the folder's stylesheets (style.css, and any other the page's parts keep apart).
    assert sorted(assets) == sorted(["web/app.js", *(f"web/{path.name}" for path in WEB_DIR.glob("*.css"))])
    assert "web/style.css" in assets
    assert '<script type="module" src="web/app.js">' in page
    # app.js imports the page's other modules (no bundler): every script in the folder, each one served here.
    modules = imported_modules(stack.api, "web/app.js")
    assert modules == {f"web/{path.name}" for path in WEB_DIR.glob("*.js")}
    for asset in [*assets, *modules]:
        url = urljoin(f"{stack.api}/", asset)
        assert urlsplit(url).netloc == urlsplit(stack.api).netloc
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        if asset.endswith(".js"):
            assert response.headers["Content-Type"] == "application/javascript", url


def test_the_browser_loads_every_module_from_the_gateway_without_an_error(stack, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{stack.api}/", wait_until="networkidle")
    scripts = {urlsplit(url).path for url in requested if urlsplit(url).path.endswith(".js")}
    assert scripts == {f"/web/{path.name}" for path in WEB_DIR.glob("*.js")}, f"{scripts}\n{page.log}"
    assert all(urlsplit(url).netloc == urlsplit(stack.api).netloc for url in requested), requested
    assert not [line for line in page.log.lines if line.startswith(("page error", "failed"))], str(page.log)
    page.dispatch_event("body", "dragover")  # app.js ran and wired the page: a file dragged over it shows where to drop
    assert "dragging" in page.get_attribute("body", "class")


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
