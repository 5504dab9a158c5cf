// The home page's example of what a dancer gets: skeletons in their colours, the count, the key figures with
// what they mean, and the timeline, drawn from a synthetic analysis (two made-up dancers bouncing to 120 BPM
// music, through choreo.report.build_report), so the example speaks the words the real page uses.
import { MEANINGS, onBeatText, offsetText, synchronyText, tempoText } from "./analysis.js";
import { colourOf, swatchOf } from "./colours.js";
import { countOf } from "./counts.js";
import { $ } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The parts of analysis.json the example shows. */
const EXAMPLE = {
  duration_s: 8.0,
  tempo: { motion_bpm: 120.0, motion_source: "beat", cycles_per_beat: 1.0, music_bpm: 120.0 },
  beats: [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5],
  on_beat: { locked: true, locking: 0.6693, chance: 0.2545, mean_asynchrony_ms: -32.4 },
  synchrony: { group: { R: 0.9446, chance: 0.7071 } },
  energy: {
    1: [1.1186, 1.276, 1.2862, 1.514, 1.6025, 1.9197, 1.9717, 2.1033],
    2: [1.4574, 1.3117, 1.2262, 1.7963, 1.3188, 1.3671, 1.3175, 1.8314],
  },
};
/** Two standing dancers (COCO keypoints, x and y in a 640 x 400 frame), the first with an arm raised. */
const POSES = {
  1: [[200, 60], [190, 50], [210, 50], [180, 55], [220, 55], [160, 100], [240, 100], [120, 70], [250, 160],
    [110, 20], [255, 220], [175, 200], [225, 200], [165, 300], [235, 300], [150, 390], [240, 390]],
  2: [[440, 70], [430, 60], [450, 60], [420, 65], [460, 65], [400, 110], [480, 110], [380, 170], [500, 170],
    [400, 225], [480, 225], [415, 210], [465, 210], [405, 300], [480, 300], [410, 390], [470, 390]],
};
const BONES = [[0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10],
  [5, 11], [6, 12], [11, 12], [11, 13], [13, 15], [12, 14], [14, 16]];

function svg(name, attributes, children = []) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

function html(name, attributes, children = []) {
  const element = document.createElement(name);
  Object.assign(element, attributes);
  element.append(...children);
  return element;
}

function stage() {
  const figures = Object.entries(POSES).map(([id, points]) => svg("g", { stroke: colourOf(Number(id)), fill: colourOf(Number(id)),
    "stroke-width": 7, "stroke-linecap": "round" }, [
    ...BONES.map(([a, b]) => svg("line", { x1: points[a][0], y1: points[a][1], x2: points[b][0], y2: points[b][1] })),
    ...points.map(([x, y]) => svg("circle", { cx: x, cy: y, r: 6, stroke: "none" })),
  ]));
  return svg("svg", { viewBox: "0 0 640 400", class: "example-stage", role: "img",
    "aria-label": "Two dancers' skeletons in their colours, on count 5" }, [
    svg("rect", { width: 640, height: 400, fill: "#1c1c21" }), ...figures,
    svg("text", { x: 600, y: 60, class: "example-count", "text-anchor": "end" }, ["5"]),
  ]);
}

function timeline() {
  const x = (t) => (1000 * t) / EXAMPLE.duration_s;
  const peak = Math.max(...Object.values(EXAMPLE.energy).flat());
  const lines = Object.entries(EXAMPLE.energy).map(([id, series]) => svg("path", { class: "energy", stroke: colourOf(Number(id)),
    d: series.map((value, k) => `${k ? "L" : "M"}${x(k)},${58 - (value / peak) * 54}H${x(k + 1)}`).join("") }));
  const ticks = EXAMPLE.beats.map((t, index) => svg("line", { class: `tick music${countOf(index) === 1 ? " one" : ""}`,
    x1: x(t), x2: x(t), y1: 62, y2: 73 }));
  const counts = EXAMPLE.beats.map((t, index) => html("span", { className: `count${countOf(index) === 1 ? " one" : ""}`,
    textContent: countOf(index) }));
  counts.forEach((label, index) => { label.style.left = `${(100 * EXAMPLE.beats[index]) / EXAMPLE.duration_s}%`; });
  return html("div", { className: "example-timeline" }, [
    svg("svg", { viewBox: "0 0 1000 75", preserveAspectRatio: "none", "aria-hidden": "true" }, [...lines, ...ticks]),
    html("div", { className: "counts" }, counts),
  ]);
}

function figure(name, value, meaning) {
  return html("div", {}, [html("dt", { textContent: name }), html("dd", { textContent: value }),
    html("p", { className: "meaning", textContent: meaning })]);
}

/** Draw the example into ``#example``; once, at start. */
export function showExample() {
  const { tempo, on_beat: onBeat, synchrony } = EXAMPLE;
  $("example").replaceChildren(
    html("h2", { textContent: "What you get" }),
    html("p", { className: "muted", textContent: "An example, from a made-up dance of two dancers to 120 BPM music." }),
    html("div", { className: "example-picture" }, [stage(), timeline(),
      html("ul", { className: "legend" }, [1, 2].map((id) => html("li", {}, [swatchOf(id), `dancer ${id}`])))]),
    html("div", { className: "example-words" }, [
      html("dl", { className: "figures" }, [
        figure("Movement tempo", tempoText(tempo), MEANINGS.motionTempo),
        figure("On the beat", onBeatText(onBeat), MEANINGS.onBeat),
        figure("Timing", `hits ${offsetText(onBeat.mean_asynchrony_ms)} on average`, MEANINGS.timing),
        figure("Group synchrony", synchronyText(synchrony, 2), MEANINGS.synchrony),
      ]),
      html("p", { className: "example-tools", textContent: "Then practise with it: loop a section (A–B), slow it to "
        + "0.25× with the music's pitch kept, mirror it, and count along 1 to 8 with the music." }),
    ]),
  );
}
