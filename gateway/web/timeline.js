// The timeline: energy per dancer, music and movement beats, the counts 1-8 under the music's beats, the
// A-B loop shaded, a playhead on the video's clock; a click seeks.
import { colourOf } from "./colours.js";
import { countOf } from "./counts.js";
import { $ } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The timeline's viewBox: 1000 units across the video; rows energy 0-60, music beats 60-75, movement beats 75-90. */
const TIMELINE = { width: 1000, energy: [4, 58], music: [62, 73], kinematic: [77, 88] };
/** Pixels a count's label needs: closer beats show only their 1s (and 5s when there is room for those). */
const COUNT_LABEL_PX = 14;

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

export class Timeline {
  constructor(svg, video) {
    this.svg = svg;
    this.video = video;
    this.duration = 0;
    this.ticking = false;
    const follow = () => this.movePlayhead(this.video.currentTime);
    for (const name of ["timeupdate", "seeking", "seeked", "loadedmetadata"]) video.addEventListener(name, follow);
    // timeupdate comes only every 250 ms or so: while playing, follow every animation frame.
    video.addEventListener("play", () => this.followPlayback());
    svg.addEventListener("click", (event) => this.seek(event));
    // practice.js says where the A-B loop is; the timeline shades it.
    video.addEventListener("looprange", (event) => this.showLoop(event.detail));
    this.loop = { a: null, b: null, looping: false };
    this.beats = [];
    new ResizeObserver(() => this.thinCounts()).observe(svg);
  }

  /** Draw ``analysis`` (analysis.json) across its video's duration. */
  load(analysis) {
    this.duration = analysis.video.duration_s || this.video.duration || 0;
    $("timeline-end").textContent = `${this.duration.toFixed(1)} s`;
    const peak = Math.max(0, ...analysis.dancers.map((dancer) => dancer.energy.peak ?? 0));
    $("energy-lines").replaceChildren(...analysis.dancers.map((dancer) => svgElement("path", {
      class: "energy", stroke: colourOf(dancer.track_id), "data-track-id": dancer.track_id,
      d: this.energyPath(dancer.energy, peak),
    })));
    this.beats = analysis.music.beats || [];
    $("music-beats").replaceChildren(...this.beats.map((t, index) => this.tick(t, "music", TIMELINE.music, index)));
    this.showCounts();
    const movement = analysis.kinematic_beats.map((t) => this.tick(t, "kinematic", TIMELINE.kinematic));
    $("kinematic-beats").replaceChildren(...movement);
    this.showLoop(this.loop); // a loop set before the analysis came, now that the duration is known
    this.movePlayhead(this.video.currentTime);
  }

  clear() {
    this.duration = 0;
    this.beats = [];
    for (const id of ["energy-lines", "music-beats", "kinematic-beats", "beat-counts"]) $(id).replaceChildren();
    $("counts-row").hidden = true;
    this.showLoop({ a: null, b: null, looping: false });
    this.movePlayhead(0);
  }

  x(t) {
    if (!this.duration) return 0;
    return Math.min(Math.max(t / this.duration, 0), 1) * TIMELINE.width;
  }

  /** Energy is a mean over windows, so each window is drawn as a step across it; a gap (null) breaks the line. */
  energyPath(energy, peak) {
    const [top, bottom] = TIMELINE.energy;
    let path = "";
    let open = false;
    energy.series.forEach((value, k) => {
      if (value === null || !peak) { open = false; return; }
      const from = this.x(energy.start_s + k * energy.window_s);
      const to = this.x(energy.start_s + (k + 1) * energy.window_s);
      const y = bottom - (value / peak) * (bottom - top);
      path += `${open ? "L" : "M"}${from.toFixed(1)},${y.toFixed(1)}H${to.toFixed(1)}`;
      open = true;
    });
    return path;
  }

  /** A beat's tick; a music beat counted 1 (``index`` from the first beat) is drawn the full row's height. */
  tick(t, kind, [y1, y2], index = null) {
    const x = this.x(t).toFixed(1);
    const one = index !== null && countOf(index) === 1;
    const line = svgElement("line", { class: `tick ${kind}${one ? " one" : ""}`, x1: x, x2: x, y1, y2, "data-t": t });
    const title = svgElement("title", {});
    title.textContent = kind === "music" ? `music beat at ${t.toFixed(2)} s, count ${countOf(index)}`
      : `movement beat at ${t.toFixed(2)} s`;
    line.append(title);
    return line;
  }

  /** The counts 1-8 under the music's beats, placed in % of the duration (HTML: text in the stretched SVG would be too). */
  showCounts() {
    $("counts-row").hidden = !this.beats.length;
    $("beat-counts").replaceChildren(...this.beats.map((t, index) => {
      const label = document.createElement("span");
      const count = countOf(index);
      label.className = `count${count === 1 ? " one" : ""}${count === 5 ? " five" : ""}`;
      label.textContent = count;
      label.dataset.count = count;
      label.dataset.t = t;
      label.style.left = `${(100 * this.x(t)) / TIMELINE.width}%`;
      return label;
    }));
    this.thinCounts();
  }

  /** Hide the counts that would overlap: all but the 1s and 5s, or all but the 1s, as the beats get closer. */
  thinCounts() {
    const row = $("beat-counts");
    if (this.beats.length < 2 || !this.duration) return;
    const beatSeconds = (this.beats.at(-1) - this.beats[0]) / (this.beats.length - 1);
    const beatPx = (row.getBoundingClientRect().width * beatSeconds) / this.duration;
    row.dataset.density = beatPx >= COUNT_LABEL_PX ? "all" : beatPx * 4 >= COUNT_LABEL_PX ? "ones-fives" : "ones";
  }

  /** Shade the A-B loop (``a``, ``b`` in seconds; null: not set); A alone is a thin mark. */
  showLoop(loop) {
    this.loop = loop;
    const { a, b, looping } = loop;
    const shade = $("loop-shade");
    const from = this.x(a ?? 0);
    const to = b === null ? from + 3 : this.x(b);
    shade.setAttribute("x", from.toFixed(1));
    shade.setAttribute("width", Math.max(0, to - from).toFixed(1));
    shade.dataset.looping = looping ? "true" : "false";
    shade.toggleAttribute("hidden", a === null);
  }

  movePlayhead(t) {
    const x = this.x(t).toFixed(1);
    const playhead = $("playhead");
    playhead.setAttribute("x1", x);
    playhead.setAttribute("x2", x);
    playhead.dataset.t = t.toFixed(3);
  }

  followPlayback() {
    if (this.ticking) return;
    this.ticking = true;
    const onTick = () => {
      this.movePlayhead(this.video.currentTime);
      if (this.video.paused || this.video.ended) this.ticking = false;
      else requestAnimationFrame(onTick);
    };
    requestAnimationFrame(onTick);
  }

  seek(event) {
    if (!this.duration) return;
    const box = this.svg.getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    this.video.currentTime = fraction * Math.min(this.duration, this.video.duration || this.duration);
  }
}
