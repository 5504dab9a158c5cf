// Practice tools on the main player: play and seek, speeds that keep the music's pitch, an A-B loop of a
// section, a mirror view (the video and the skeletons flipped together), the count (1-8) shown on the
// video, and keyboard shortcuts. Other parts of the page loop a section with loopRange(startS, endS).
import { countAt } from "./counts.js";
import { $ } from "./dom.js";

/** Playback rates offered: a quarter speed to learn a fast move, up to the real thing. */
export const SPEEDS = [0.25, 0.5, 0.75, 1];
/** Seconds an arrow key moves: about a count of four at 120 BPM. */
const SEEK_STEP_S = 2;
/** The shortest loop: shorter ones are a stutter, not a section. */
const MIN_LOOP_S = 0.2;

const loop = { a: null, b: null, looping: false };
let beats = [];
let video = null;

/** Loop ``startS``..``endS`` seconds of the main player (and play it unless ``play`` is false): the API the
 *  other parts of the page (the comparison's segments) call. Returns false when the range is too short. */
export function loopRange(startS, endS, { play = true } = {}) {
  if (!(endS - startS >= MIN_LOOP_S)) return false;
  Object.assign(loop, { a: Math.max(0, startS), b: endS, looping: true });
  loopChanged();
  video.currentTime = loop.a;
  if (play) video.play().catch(() => {});
  return true;
}

/** Stop looping and forget A and B. */
export function clearLoop() {
  Object.assign(loop, { a: null, b: null, looping: false });
  loopChanged();
}

/** The music's beats (seconds) the count on the video follows; [] hides it. */
export function setBeats(musicBeats) {
  beats = musicBeats;
  showTime();
}

export function setSpeed(rate) {
  // preservesPitch (true by default, set anyway): a slowed song keeps its key, the way dancers practise.
  video.preservesPitch = true;
  video.defaultPlaybackRate = rate; // kept when the player switches to another source (the overlay)
  video.playbackRate = rate;
  showSpeed(); // now: "ratechange" comes later, as a task of its own
}

/** The speed button of the video's rate pressed, the others not. */
function showSpeed() {
  for (const button of document.querySelectorAll("#speeds button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.rate) === video.playbackRate));
  }
}

export function setMirror(on) {
  $("stage").classList.toggle("mirrored", on);
  $("mirror").setAttribute("aria-pressed", String(on));
}

function setA() {
  loop.a = video.currentTime;
  if (loop.b !== null && loop.b - loop.a < MIN_LOOP_S) Object.assign(loop, { b: null, looping: false });
  loopChanged();
}

function setB() {
  const t = video.currentTime;
  if (t - (loop.a ?? 0) < MIN_LOOP_S) {
    $("loop-text").textContent = "B must come after A: play on a little, then set B.";
    return;
  }
  Object.assign(loop, { a: loop.a ?? 0, b: t, looping: true });
  loopChanged();
}

function toggleLoop() {
  if (loop.a === null || loop.b === null) {
    $("loop-text").textContent = "Set A and B first ([ and ] while it plays), then loop between them.";
    return;
  }
  loop.looping = !loop.looping;
  loopChanged();
}

function loopChanged() {
  const { a, b, looping } = loop;
  $("loop").setAttribute("aria-pressed", String(looping));
  $("loop-text").textContent = a === null ? "Set A and B to loop a section."
    : b === null ? `A at ${clockText(a)}: now set B.`
      : `A ${clockText(a)} to B ${clockText(b)}${looping ? ", looping" : ", not looping"}.`;
  video.dataset.loopA = a ?? "";
  video.dataset.loopB = b ?? "";
  video.dataset.looping = looping;
  video.dispatchEvent(new CustomEvent("looprange", { detail: { ...loop } }));
}

/** Back to A once playback passes B (also when B is the video's end); a seek past B while paused stays there. */
function keepInLoop() {
  const { a, b, looping } = loop;
  if (!looping || (video.paused && !video.ended) || video.currentTime < b) return;
  video.currentTime = a;
  if (video.ended) video.play().catch(() => {});
}

function clockText(t) {
  if (!Number.isFinite(t)) return "0:00.0";
  const minutes = Math.floor(t / 60);
  return `${minutes}:${(t - minutes * 60).toFixed(1).padStart(4, "0")}`;
}

/** The clock, the seek bar and the count, for the time the video is at. */
function showTime() {
  if (!video) return;
  const t = video.currentTime;
  $("clock").textContent = `${clockText(t)} / ${clockText(video.duration)}`;
  if (!seeking) $("seek").value = t;
  const count = countAt(beats, t);
  const badge = $("beat-count");
  badge.hidden = count === null;
  if (count !== null && badge.dataset.count !== String(count)) {
    badge.textContent = count;
    badge.dataset.count = count;
  }
}

let seeking = false;

/** While playing: the loop, the clock and the count on every animation frame (timeupdate is ~4 a second). */
function followPlayback() {
  const onTick = () => {
    keepInLoop();
    showTime();
    if (!video.paused) requestAnimationFrame(onTick);
  };
  requestAnimationFrame(onTick);
}

function showPlaying() {
  const playing = !video.paused;
  $("play").textContent = playing ? "❚❚" : "▶";
  $("play").setAttribute("aria-label", playing ? "Pause" : "Play");
}

function togglePlay() {
  if (video.paused || video.ended) video.play().catch(() => {}); else video.pause();
}

function seekBy(seconds) {
  const end = Number.isFinite(video.duration) ? video.duration : Infinity;
  video.currentTime = Math.min(Math.max(video.currentTime + seconds, 0), end);
}

/** Where a key goes to the element rather than to the player: text being typed, a list being chosen. */
function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.closest("textarea, select")) return true;
  return target.tagName === "INPUT" && !["range", "button", "checkbox", "radio"].includes(target.type);
}

/** A control outside the player that the space presses (a button of the comparison, of the list of jobs). */
function pressedBySpace(target) {
  return target instanceof Element && Boolean(target.closest("button, a, summary, [role=button]"))
    && !target.closest("#practice");
}

const SHORTCUTS = {
  " ": togglePlay,
  ArrowLeft: () => seekBy(-SEEK_STEP_S),
  ArrowRight: () => seekBy(SEEK_STEP_S),
  "[": setA,
  "]": setB,
  m: () => setMirror(!$("stage").classList.contains("mirrored")),
  M: () => setMirror(!$("stage").classList.contains("mirrored")),
};

function onKey(event) {
  const action = SHORTCUTS[event.key];
  if (!action || $("player").hidden || event.ctrlKey || event.altKey || event.metaKey || typingIn(event.target)) return;
  if (event.key === " " && pressedBySpace(event.target)) return;
  if (event.target.type === "range" && event.key.startsWith("Arrow")) return; // the seek bar moves itself
  event.preventDefault(); // no page scroll on space or arrows
  action();
}

/** Wire the practice bar, the video's clicks and the keys; once, at start. */
export function wirePractice() {
  video = $("video");
  for (const name of ["timeupdate", "seeked", "loadedmetadata", "durationchange", "emptied"]) {
    video.addEventListener(name, () => { keepInLoop(); showTime(); });
  }
  video.addEventListener("durationchange", () => { $("seek").max = Number.isFinite(video.duration) ? video.duration : 0; });
  video.addEventListener("play", () => { showPlaying(); followPlayback(); });
  video.addEventListener("pause", showPlaying);
  video.addEventListener("ended", () => { keepInLoop(); showPlaying(); });
  video.addEventListener("ratechange", showSpeed);
  video.addEventListener("click", togglePlay);

  $("play").addEventListener("click", togglePlay);
  const seek = $("seek");
  seek.addEventListener("pointerdown", () => { seeking = true; });
  seek.addEventListener("pointerup", () => { seeking = false; });
  seek.addEventListener("input", () => { video.currentTime = Number(seek.value); });
  $("speeds").replaceChildren(...SPEEDS.map((rate) => {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.rate = rate;
    button.textContent = `${rate}×`;
    button.setAttribute("aria-pressed", String(rate === 1));
    button.addEventListener("click", () => setSpeed(rate));
    return button;
  }));
  $("set-a").addEventListener("click", setA);
  $("set-b").addEventListener("click", setB);
  $("loop").addEventListener("click", toggleLoop);
  $("mirror").addEventListener("click", () => setMirror(!$("stage").classList.contains("mirrored")));
  document.addEventListener("keydown", onKey);
  // A focused button of the player would also take the space as its own click (on keyup): it is play/pause.
  document.addEventListener("keyup", (event) => {
    const playerButton = event.target instanceof HTMLButtonElement && event.target.closest("#practice");
    if (event.key === " " && playerButton) event.preventDefault();
  });
  setSpeed(1);
  loopChanged();
}

/** A new video: no loop, the clock at zero (the speed and the mirror stay, as a dancer set them). */
export function resetPractice() {
  clearLoop();
  beats = [];
  showTime();
}
