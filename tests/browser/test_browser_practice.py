"""The main player as a practice tool, in headless Chromium against the real stack: the original video with its
sound, a portrait video that fits the window, one colour per dancer, an A-B loop, speeds, the mirror, the
counts 1-8 and the keys; and the home page a dancer sees first."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import cv2
import imageio_ffmpeg
import numpy as np
import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pose_worker.overlay import track_colour
from tests.browser.test_browser_page import SCREENSHOTS, PageLog, browser, people_drawn  # noqa: F401 (fixture)
from tests.clips import make_bouncing_clip, mux_clicks
from tests.helpers import confirm, put_file, request_upload, wait_for_final

#: A phone's portrait video (9:16).
PORTRAIT = (432, 768)
SECONDS = 6.0
#: Clicks on the soundtrack every half second (120 BPM): the music's beats the counts follow.
BEAT_S = 0.5
#: Milliseconds the page may take to open a finished job and draw it (on a busy 2-core machine).
OPEN_TIMEOUT_MS = 60_000
#: Every window size the layout must fit: a laptop, a small laptop, a phone.
WINDOWS = {"laptop": (1400, 1000), "small-laptop": (1280, 720), "phone": (390, 844)}

#: The page has opened the job and dealt with its analysis.
OPENED = """() => document.body.dataset.player === "ready"
  && ["ready", "none", "error"].includes(document.body.dataset.analysis)
  || ["failed", "expired", "cancelled", "error"].includes(document.body.dataset.status)"""
#: Boxes (viewport pixels) of what must be in view, after the page has settled at the window's size.
GEOMETRY = """async () => {
  window.scrollTo(0, 0);
  for (let i = 0; i < 4; i += 1) await new Promise((done) => requestAnimationFrame(done));
  const box = (id) => {
    const element = document.getElementById(id);
    if (!element || element.offsetParent === null) return null;
    const { top, bottom, left, right, width, height } = element.getBoundingClientRect();
    return { top, bottom, left, right, width, height };
  };
  return { width: innerWidth, height: innerHeight, stage: box("stage"), practice: box("practice"),
    play: box("play"), mirror: box("mirror"), keyFigures: box("key-figures"), beatScore: box("beat-score"),
    motionTempo: box("motion-tempo") };
}"""
#: The media the player plays, and what it decoded of it.
MEDIA = """() => {
  const video = document.getElementById("video");
  const sound = document.getElementById("soundtrack");
  return { media: document.body.dataset.media, src: video.currentSrc, width: video.videoWidth, height: video.videoHeight,
    muted: video.muted, volume: video.volume, time: video.currentTime,
    audioBytes: video.webkitAudioDecodedByteCount, videoBytes: video.webkitVideoDecodedByteCount,
    sound: sound && sound.getAttribute("src") ? { src: sound.currentSrc, time: sound.currentTime, paused: sound.paused,
      audioBytes: sound.webkitAudioDecodedByteCount, rate: sound.playbackRate, preservesPitch: sound.preservesPitch } : null };
}"""
#: Play for ``ms`` milliseconds of the page's clock; the video's time at each animation frame, and the rate seen.
PLAY_FOR = """async (ms) => {
  const video = document.getElementById("video");
  await video.play();
  const times = [];
  const start = performance.now();
  const first = video.currentTime;
  while (performance.now() - start < ms) {
    await new Promise((done) => requestAnimationFrame(done));
    times.push(video.currentTime);
  }
  const elapsed = (performance.now() - start) / 1000;
  const last = video.currentTime;
  video.pause();
  return { times, rate: (last - first) / elapsed, playbackRate: video.playbackRate, preservesPitch: video.preservesPitch };
}"""
#: Pause at ``seconds`` and wait until that frame is shown and drawn over.
SEEK = """async (seconds) => {
  const video = document.getElementById("video");
  video.pause();
  if (Math.abs(video.currentTime - seconds) > 0.001) {
    const seeked = new Promise((done) => video.addEventListener("seeked", done, { once: true }));
    video.currentTime = seconds;
    await seeked;
  }
  for (let i = 0; i < 3; i += 1) await new Promise((done) => requestAnimationFrame(done));
  return { time: video.currentTime, frame: window.__drawnFrame };
}"""
#: RGBA of the canvas at points given in the video's pixels, and the canvas' size.
CANVAS_PIXELS = """([points, width]) => {
  const canvas = document.getElementById("skeletons");
  const scale = canvas.width / width;
  const context = canvas.getContext("2d");
  return points.map(([x, y]) => [...context.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data]);
}"""


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True, capture_output=True)


def portrait_dance_with_music(path: Path, codec: str) -> Path:
    """People of a photo bouncing in a portrait frame to a click track at 120 BPM, encoded as ``codec``
    (libx264, or libx265: HEVC, what phones record) with AAC sound."""
    silent = make_bouncing_clip(path.with_suffix(".silent.mp4"), seconds=SECONDS, fps=30.0, period_s=BEAT_S,
                                phase_s=0.25, size=PORTRAIT, photo="bus.jpg", height_px=30.0)
    clicks = mux_clicks(silent, path.with_suffix(".clicks.mp4"), np.arange(0.25, SECONDS, BEAT_S), SECONDS)
    tag = ["-tag:v", "hvc1"] if codec == "libx265" else []
    ffmpeg("-i", str(clicks), "-c:v", codec, *tag, "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart", str(path))
    return path


def streams_of(url: str) -> str:
    """What ffmpeg says of the streams of the object at ``url`` (its "Stream #0:1: Audio: aac ..." lines)."""
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", url], capture_output=True, text=True)
    return "\n".join(line for line in done.stderr.splitlines() if "Stream #" in line)


def analysed_job(api: str, clip: Path) -> dict:
    upload = request_upload(api, clip.name)
    assert put_file(upload["upload_url"], clip).status_code == 200
    assert confirm(api, upload["job_id"], upload["s3_key"]).status_code == 200
    job = wait_for_final(api, upload["job_id"], timeout_s=300)
    assert job["status"] == "completed", job
    return job


@pytest.fixture(scope="module")
def portrait_job(stack, tmp_path_factory) -> dict:
    """A finished job of a portrait H.264 video with music (every browser shows its picture)."""
    return analysed_job(stack.api, portrait_dance_with_music(tmp_path_factory.mktemp("practice") / "portrait.mp4", "libx264"))


@pytest.fixture(scope="module")
def hevc_job(stack, tmp_path_factory) -> dict:
    """The same as a phone records it, HEVC: this Chromium plays its sound but cannot decode its picture."""
    return analysed_job(stack.api, portrait_dance_with_music(tmp_path_factory.mktemp("practice") / "phone.mp4", "libx265"))


@pytest.fixture
def window(browser) -> Iterator:
    """A page at the size a test asks for (``window.open(size)``); the laptop's by default."""
    contexts = []

    class Window:
        def open(self, size: tuple[int, int] = WINDOWS["laptop"]):
            context = browser.new_context(viewport={"width": size[0], "height": size[1]})
            contexts.append(context)
            page = context.new_page()
            page.log = PageLog(page)
            return page

    yield Window()
    for context in contexts:
        context.close()


def open_job(page, api: str, job_id: str) -> None:
    page.goto(f"{api}/?job={job_id}")
    try:
        page.wait_for_function(OPENED, timeout=OPEN_TIMEOUT_MS)
    except PlaywrightTimeout as exc:
        state = page.evaluate("() => ({ ...document.body.dataset })")
        raise AssertionError(f"the page did not open the job: {state} {page.text_content('#error')}\n{page.log}") from exc
    assert page.get_attribute("body", "data-player") == "ready", f"{page.text_content('#error')}\n{page.log}"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def same_object(a: str, b: str) -> bool:
    """Two presigned URLs of one object version: the same path and versionId, whatever their signatures."""
    return urlsplit(a).path == urlsplit(b).path and parse_qs(urlsplit(a).query).get("versionId") == parse_qs(
        urlsplit(b).query).get("versionId")


def test_a_job_opened_by_id_plays_the_original_video_with_its_sound(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    result = portrait_job["result"]
    assert "Audio: aac" in streams_of(result["video_url"])  # the upload, served with its sound
    assert "Audio" not in streams_of(result["overlay_url"])  # what the page played before: no sound

    page.evaluate(SEEK, 0.0)
    played = page.evaluate(PLAY_FOR, 1500)
    media = page.evaluate(MEDIA)
    assert media["media"] == "original", f"{media}\n{page.log}"
    assert same_object(media["src"], result["video_url"])
    assert (media["width"], media["height"]) == PORTRAIT
    assert not media["muted"] and media["volume"] > 0
    assert max(played["times"]) > 1.0
    assert media["audioBytes"] > 0, media  # Chromium decoded the sound it played
    assert page.evaluate(COUNT_PAINTED) > 0  # the skeletons are drawn over it, not burnt in

    # The same signal stays at zero on the overlay video: it tells a played sound from none.
    overlay_audio = page.evaluate("""async (url) => {
      const video = document.createElement("video");
      video.muted = false;
      video.src = url;
      await video.play();
      await new Promise((done) => setTimeout(done, 1000));
      video.pause();
      return [video.currentTime, video.webkitAudioDecodedByteCount];
    }""", result["overlay_url"])
    assert overlay_audio[0] > 0.3 and overlay_audio[1] == 0


#: Opaque pixels on the skeleton canvas.
COUNT_PAINTED = """() => {
  const canvas = document.getElementById("skeletons");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return painted;
}"""


def test_a_phone_video_whose_picture_the_browser_cannot_decode_plays_the_overlay_with_the_originals_sound(
    stack, hevc_job, window
):
    page = window.open()
    open_job(page, stack.api, hevc_job["job_id"])
    page.evaluate(SEEK, 0.0)
    page.click("#speeds button[data-rate='0.5']")
    page.evaluate(PLAY_FOR, 2000)
    media = page.evaluate(MEDIA)
    shot(page, "practice-hevc-fallback")
    assert media["width"] > 0, f"no picture: {media}\n{page.log}"  # a picture, whichever the browser can show
    if media["media"] == "original":  # a browser that decodes HEVC: as any other video
        assert media["audioBytes"] > 0
        return
    assert media["media"] == "overlay" and "overlay.mp4" in media["src"]
    assert (media["width"], media["height"]) == PORTRAIT  # the overlay keeps the phone video's size: not soft
    assert page.is_visible("#codec-note") and "HEVC" in page.text_content("#codec-note")
    sound = media["sound"]
    assert sound is not None and same_object(sound["src"], hevc_job["result"]["video_url"]), media
    assert sound["audioBytes"] > 0 and sound["paused"]  # it played, and paused with the picture
    assert abs(sound["time"] - media["time"]) < 0.3  # on the picture's clock
    assert sound["rate"] == 0.5 and sound["preservesPitch"]  # slowed with it, at the music's pitch


@pytest.mark.parametrize("size", [pytest.param(size, id=name) for name, size in WINDOWS.items()])
def test_a_portrait_video_its_controls_and_the_key_figures_fit_the_window(stack, portrait_job, window, size):
    page = window.open(size)
    open_job(page, stack.api, portrait_job["job_id"])
    seen = page.evaluate(GEOMETRY)
    shot(page, f"practice-portrait-{size[0]}x{size[1]}")
    width, height = seen["width"], seen["height"]
    for name in ("stage", "practice", "play", "mirror"):
        box = seen[name]
        assert box is not None, f"{name} is not shown: {seen}"
        assert box["top"] >= 0 and box["bottom"] <= height and box["left"] >= 0 and box["right"] <= width, (name, seen)
    stage = seen["stage"]
    assert stage["width"] / stage["height"] == pytest.approx(PORTRAIT[0] / PORTRAIT[1], rel=0.02)
    assert stage["height"] >= 0.5 * height  # fitted, not shrunk to a stamp
    # The key figures: the analysis beside the video on a wide window, a line under it on a narrow one.
    figures = [seen["keyFigures"]] if width < 1000 else [seen["motionTempo"], seen["beatScore"]]
    for box in figures:
        assert box is not None and box["top"] >= 0 and box["bottom"] <= height, seen
    if width >= 1000:
        assert seen["beatScore"]["left"] >= stage["right"]  # beside, not under
    else:
        assert page.text_content("#key-figures").startswith(("1", "2", "no steady tempo"))  # "120 BPM · ..."


def test_each_dancers_skeleton_on_the_canvas_has_the_colour_of_its_legend_swatch(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    poses = requests.get(portrait_job["result"]["poses_url"], timeout=10).json()
    shown = page.evaluate(SEEK, 1.0)
    frame = next(frame for frame in poses["frames"] if frame["index"] == shown["frame"])
    people = [person for person in people_drawn(frame) if person["track_id"] is not None]
    checked = []
    for person in people:
        points = person["keypoints"]
        # The middle of the torso's sides (shoulder to hip), where no other person's box reaches.
        for shoulder, hip in ((5, 11), (6, 12)):
            if min(points[shoulder][2], points[hip][2]) < 0.5:
                continue
            middle = [(points[shoulder][0] + points[hip][0]) / 2, (points[shoulder][1] + points[hip][1]) / 2]
            others = [other["box"] for other in frame["people"] if other is not person]
            if any(x1 - 4 <= middle[0] <= x2 + 4 and y1 - 4 <= middle[1] <= y2 + 4 for x1, y1, x2, y2 in others):
                continue
            (pixel,) = page.evaluate(CANVAS_PIXELS, [[middle], poses["video"]["width"]])
            swatch = page.eval_on_selector(f"#legend li[data-track-id='{person['track_id']}'] i",
                                           "swatch => getComputedStyle(swatch).backgroundColor")
            checked.append((person["track_id"], pixel, swatch))
            break
    assert checked, f"no torso to check in frame {shown['frame']}: {people}"
    for track_id, (red, green, blue, alpha), swatch in checked:
        legend = tuple(int(value) for value in re.findall(r"\d+", swatch)[:3])
        assert alpha >= 250 and max(abs(a - b) for a, b in zip((red, green, blue), legend)) <= 3, (track_id, checked)
        assert (blue, green, red) == pytest.approx(track_colour(track_id), abs=3)  # the overlay video's colour too

    # And for every id, not only those in this clip: the page's colourOf is the overlay's track_colour.
    page_colours = page.evaluate("async () => { const { colourOf } = await import('./web/colours.js');"
                                 " return Array.from({ length: 48 }, (_, k) => colourOf(k + 1)); }")
    for track_id, colour in enumerate(page_colours, start=1):
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert (blue, green, red) == track_colour(track_id), track_id
    assert len(set(page_colours[:12])) == 12  # twelve dancers, twelve colours


def loop_state(page) -> dict:
    return page.evaluate("""() => { const { loopA, loopB, looping } = document.getElementById("video").dataset;
      return { a: Number(loopA), b: Number(loopB), looping: looping === "true",
               text: document.getElementById("loop-text").textContent }; }""")


def test_a_section_set_with_the_keys_loops_from_b_back_to_a(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    page.evaluate(SEEK, 1.0)
    page.keyboard.press("[")
    page.evaluate(SEEK, 2.0)
    page.keyboard.press("]")
    state = loop_state(page)
    assert (state["a"], state["b"], state["looping"]) == (1.0, 2.0, True), state
    assert page.get_attribute("#loop", "aria-pressed") == "true"
    assert page.get_attribute("#loop-shade", "data-looping") == "true"
    assert float(page.get_attribute("#loop-shade", "width")) == pytest.approx(1000 * 1.0 / SECONDS, abs=1)

    page.evaluate(SEEK, 1.5)
    times = page.evaluate(PLAY_FOR, 2200)["times"]
    back = [k for k in range(1, len(times)) if times[k - 1] >= 1.85 and times[k] < 1.3]
    assert back, times  # passed B and went back to A
    assert max(times) < 2.0 + 0.25 and min(times[back[0]:]) >= 1.0 - 0.05, times

    # The JS API other parts of the page call: loop 3.0-3.6 s of this video.
    assert page.evaluate("async () => (await import('./web/practice.js')).loopRange(3.0, 3.6, { play: false })")
    state = loop_state(page)
    assert (state["a"], state["b"], state["looping"]) == (3.0, 3.6, True)
    times = page.evaluate(PLAY_FOR, 1500)["times"]
    assert any(times[k - 1] >= 3.45 and times[k] < 3.3 for k in range(1, len(times))), times
    page.click("#loop")  # looping off: A and B stay, the video plays past B
    assert loop_state(page)["looping"] is False


def test_the_speeds_slow_the_video_and_keep_the_musics_pitch(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    page.evaluate(SEEK, 0.0)
    page.click("#speeds button[data-rate='0.5']")
    assert page.get_attribute("#speeds button[data-rate='0.5']", "aria-pressed") == "true"
    assert page.get_attribute("#speeds button[data-rate='1']", "aria-pressed") == "false"
    played = page.evaluate(PLAY_FOR, 1500)
    assert played["playbackRate"] == 0.5 and played["preservesPitch"] is True
    assert 0.1 < played["rate"] < 0.75, played  # half the page's clock, or less on a busy machine
    page.click("#speeds button[data-rate='0.25']")
    assert page.evaluate("document.getElementById('video').playbackRate") == 0.25
    assert [page.text_content(f"#speeds button >> nth={k}") for k in range(4)] == ["0.25×", "0.5×", "0.75×", "1×"]


def stage_picture(page) -> np.ndarray:
    """The stage as shown (video and skeletons), without the count in its top corner."""
    image = cv2.imdecode(np.frombuffer(page.locator("#stage").screenshot(), np.uint8), cv2.IMREAD_COLOR).astype(float)
    return image[image.shape[0] // 4 :]


def test_the_mirror_flips_the_video_and_the_skeletons_together(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    page.evaluate(SEEK, 1.0)
    before = stage_picture(page)
    page.keyboard.press("m")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    after = stage_picture(page)
    shot(page, "practice-mirrored")
    transforms = page.evaluate(
        """() => ["video", "skeletons"].map((id) => getComputedStyle(document.getElementById(id)).transform)""")
    assert transforms == ["matrix(-1, 0, 0, 1, 0, 0)"] * 2
    assert page.get_attribute("#mirror", "aria-pressed") == "true"
    assert np.abs(after - before[:, ::-1]).mean() < 4  # the picture and its skeletons, flipped as one
    assert np.abs(after - before).mean() > 10  # and not the same picture (the photo is not symmetric)
    page.click("#mirror")
    assert page.evaluate("getComputedStyle(document.getElementById('video')).transform") == "none"


def test_the_counts_run_one_to_eight_from_the_musics_first_beat(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    analysis = requests.get(portrait_job["result"]["analysis_url"], timeout=10).json()
    beats = analysis["music"]["beats"]
    assert beats and len(beats) >= 9, analysis["music"]  # 120 BPM clicks for 6 s
    labels = page.eval_on_selector_all(
        "#beat-counts .count", "labels => labels.map((l) => [l.textContent, Number(l.dataset.t), l.style.left])")
    assert [text for text, _, _ in labels] == [str(k % 8 + 1) for k in range(len(beats))]
    assert [t for _, t, _ in labels] == beats
    for _, t, left in labels:
        assert float(left.rstrip("%")) == pytest.approx(100 * t / analysis["video"]["duration_s"], abs=0.01)
    assert page.is_visible("#beat-counts .count.one")
    for k in (0, 3, 7, 8):  # the count on the video, as it plays through the beats
        page.evaluate(SEEK, beats[k] + 0.05)
        assert page.text_content("#beat-count") == str(k % 8 + 1), k
    if beats[0] > 0.1:
        page.evaluate(SEEK, beats[0] / 2)
        assert page.is_hidden("#beat-count")  # before the music's first beat there is nothing to count


def test_the_keys_play_seek_set_the_loop_and_mirror_but_not_while_typing(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    page.evaluate(SEEK, 1.0)
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getElementById('video').currentTime") == pytest.approx(3.0, abs=0.01)
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.getElementById('video').currentTime") == pytest.approx(1.0, abs=0.01)
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.getElementById('video').paused", timeout=5000)
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('video').paused", timeout=5000)
    # A focused button does not take the space as its own click: the mirror stays as it is.
    page.click("#mirror")
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.getElementById('video').paused", timeout=5000)
    assert page.get_attribute("#mirror", "aria-pressed") == "true"
    page.keyboard.press(" ")
    page.click("#mirror")

    # Typed into a text box, the same keys are letters.
    page.evaluate(SEEK, 1.0)
    page.fill("#reference-job-id", "")
    page.type("#reference-job-id", "m[] x")
    assert page.input_value("#reference-job-id") == "m[] x"
    assert page.get_attribute("#mirror", "aria-pressed") == "false"
    assert page.evaluate("document.getElementById('video').paused")
    assert loop_state(page)["looping"] is False and page.get_attribute("#video", "data-loop-a") == ""


def test_the_home_page_shows_a_dancer_an_example_and_folds_the_developers_details(stack, window):
    for name in ("laptop", "phone"):
        page = window.open(WINDOWS[name])
        page.goto(f"{stack.api}/")
        page.wait_for_selector("#example .figures dd")
        shot(page, f"home-{name}")
        assert page.is_visible("#drop-zone") and page.is_visible("#example .example-stage")
        words = page.text_content("#example")
        assert "What you get" in words and "follows the beat" in words
        meanings = page.eval_on_selector_all(
            "#example .meaning", "lines => lines.map((line) => line.checkVisibility() && line.textContent)")
        assert len(meanings) == 4 and all(meanings), meanings  # each figure says what it means, in view
        assert page.get_attribute("#key-box", "open") is None
        assert not page.is_visible("#api-key") and not page.is_visible("#key-box a[href='docs']")
        assert "straight to the bucket" not in page.inner_text("#pick")  # integrators' words, folded away
        page.click("#key-box summary")
        assert page.is_visible("#api-key") and page.is_visible("#key-box a[href='docs']")
        assert "straight to the bucket" in page.inner_text("#key-box")


def test_an_opened_job_says_what_each_figure_means_beside_it(stack, portrait_job, window):
    page = window.open()
    open_job(page, stack.api, portrait_job["job_id"])
    meanings = page.eval_on_selector_all(
        "#analysis-body .figures .meaning", "lines => lines.filter((l) => l.checkVisibility()).map((l) => l.textContent)")
    assert any("keeps time with the music's beat" in line for line in meanings), meanings  # on the beat
    assert page.is_visible("[data-meaning='energy']") and "Energy:" in page.text_content("[data-meaning='energy']")
    assert page.is_visible("[data-meaning='counts']")
    if page.is_visible("#synchrony-group"):  # two dancers or more: R is said in words
        assert "R is 1 when all move as one" in page.text_content("[data-meaning='synchrony']")
    assert page.is_hidden("#progress") and page.is_hidden("#pick")  # nothing above the opened job


def pair(a: int, b: int, score: float) -> dict:
    return {"track_ids": [a, b], "score": score, "leader_track_id": None, "lag_s": 0.0, "pose_similarity": 0.7}


def test_a_class_says_who_is_most_and_least_in_step_and_folds_its_many_pairs(stack, window):
    """Eight dancers make 28 pairs: a wall of text. Four or more dancers first get one line, who moves most and
    least with the others, and the pairs behind a button; two or three dancers keep every pair in view."""
    page = window.open()
    page.goto(f"{stack.api}/")
    # Dancer 4 moves with nobody: 0.1 with each; 1-3 move together 0.8.
    class_pairs = [pair(1, 2, 0.8), pair(1, 3, 0.8), pair(2, 3, 0.8), pair(1, 4, 0.1), pair(2, 4, 0.1), pair(3, 4, 0.1)]
    show = "async (pairs) => { (await import('./web/pairs.js')).showPairs(pairs); }"
    page.evaluate("() => { document.getElementById('analysis').hidden = false;"
                  " document.getElementById('analysis-body').hidden = false; }")
    page.evaluate(show, class_pairs)
    summary = page.text_content("#synchrony-summary")
    assert summary == "In step with the others, on average: dancer 1 most (0.57), dancer 4 least (0.10).", summary
    assert page.is_visible("#synchrony-summary") and page.is_hidden("#synchrony-pairs")
    assert page.text_content("#synchrony-toggle") == "Show all 6 pairs"
    page.click("#synchrony-toggle")
    assert page.is_visible("#synchrony-pairs") and page.locator("#synchrony-pairs li").count() == 6
    assert page.get_attribute("#synchrony-toggle", "aria-expanded") == "true"
    page.click("#synchrony-toggle")
    assert page.is_hidden("#synchrony-pairs")

    page.evaluate(show, class_pairs[:3])  # three dancers: every pair in view, no summary, no button
    assert page.is_visible("#synchrony-pairs") and page.locator("#synchrony-pairs li").count() == 3
    assert page.is_hidden("#synchrony-summary") and page.is_hidden("#synchrony-toggle")
