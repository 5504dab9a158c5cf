// The timeline: energy per dancer, music and movement beats, a playhead on the video's clock; a click seeks.
import { colourOf } from "./colours.js";
import { $ } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The timeline's viewBox: 1000 units across the video; rows energy 0-60, music beats 60-75, movement beats 75-90. */
const TIMELINE = { width: 1000, energy: [4, 58], music: [62, 73], kinematic: [77, 88] };

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
    $("music-beats").replaceChildren(...(analysis.music.beats || []).map((t) => this.tick(t, "music", TIMELINE.music)));
    const movement = analysis.kinematic_beats.map((t) => this.tick(t, "kinematic", TIMELINE.kinematic));
    $("kinematic-beats").replaceChildren(...movement);
    this.movePlayhead(this.video.currentTime);
  }

  clear() {
    this.duration = 0;
    for (const id of ["energy-lines", "music-beats", "kinematic-beats"]) $(id).replaceChildren();
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

  tick(t, kind, [y1, y2]) {
    const x = this.x(t).toFixed(1);
    const line = svgElement("line", { class: `tick ${kind}`, x1: x, x2: x, y1, y2, "data-t": t });
    const title = svgElement("title", {});
    title.textContent = `${kind === "music" ? "music beat" : "movement beat"} at ${t.toFixed(2)} s`;
    line.append(title);
    return line;
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
