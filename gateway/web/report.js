// The comparison as a printable report: the verdict, the figures, every segment with its score, timing and
// (under the threshold) feedback, the two dancers' videos and ids, and the date. Alone on the page with
// ``?compare=ID&report=1``; printed instead of the page while a comparison is shown (comparison.css).
import { comparisonAddress } from "./address.js";
import { errorDetails } from "./api.js";
import { nameOf } from "./comparison_data.js";
import { $ } from "./dom.js";
import {
  FEEDBACK_BELOW, lowestPart, offsetText, scoreColour, scoreText, segmentPlace, tempoText, timingText, verdict,
  weakSegments,
} from "./verdict.js";

/** ``el("p", {className: "x"}, "text", child)``: an element with properties and children. */
function el(tag, properties = {}, ...children) {
  const made = Object.assign(document.createElement(tag), properties);
  made.append(...children.filter((child) => child !== null && child !== undefined));
  return made;
}

function table(caption, head, rows) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...head.map((cell) => el("th", { scope: "col" }, cell)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell, index) => (
      index === 0 ? el("th", { scope: "row" }, cell) : el("td", {}, cell)))))));
}

function figures(result) {
  const parts = Object.entries(result.body_parts).map(([part, score]) => `${part} ${scoreText(score)}`).join(", ");
  const rows = [
    ["Score (movement match)", `${Math.round(result.score)} / 100`],
    ["Pose similarity", result.pose_similarity === null ? "not measured" : `${Math.round(result.pose_similarity)} / 100`],
    ["Body parts", parts],
    ["Start", offsetText(result)],
    ["Tempo", tempoText(result)],
    ["Mirrored", result.mirrored ? "yes, compared as a mirror image" : "no"],
    ["Aligned by", result.aligned_by === "soundtrack"
      ? `the music (soundtracks match ${result.soundtrack_correlation.toFixed(2)})`
      : result.aligned_by === "poses" ? `the poses: ${result.alignment_reason}` : "not recorded"],
  ];
  return el("dl", { className: "report-figures" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

/** The segment bar, printed: blocks placed by time and coloured by score. */
function segmentBar(result) {
  const end = Math.max(0, ...result.segments.map((segment) => segment.end_s));
  return el("div", { className: "segment-bar report-bar", role: "img", ariaLabel: "Score of each segment over time" },
    ...result.segments.map((segment) => {
      const block = el("span", { className: "segment" }, scoreText(segment.score));
      block.style.left = `${(100 * segment.start_s) / end}%`;
      block.style.width = `${(100 * (segment.end_s - segment.start_s)) / end}%`;
      block.style.background = scoreColour(segment.score);
      return block;
    }));
}

function segments(result) {
  const feedback = new Map(weakSegments(result).map((segment) => [segment.start_s, segment]));
  return table(`Every segment on the reference's clock; the (up to three) lowest under ${FEEDBACK_BELOW} get feedback.`,
    ["When", "Score", "Timing", "What to work on"],
    result.segments.map((segment, index) => {
      const weak = feedback.get(segment.start_s);
      const lowest = weak && lowestPart(weak) ? ` (${lowestPart(weak)} lowest)` : "";
      const what = weak ? `${weak.feedback || "the movement differs"}${lowest}` : "—";
      return [segmentPlace(segment), scoreText(segment.score), timingText(result.timing[index]), what];
    }));
}

function dancers(comparison, reference, attempt) {
  const { result } = comparison;
  const who = (job, jobId, choice) => `${nameOf(job, jobId)}; job ${jobId}`
    + (choice ? `; dancer ${choice.track_id}, ${choice.reason}` : "");
  return el("dl", { className: "report-figures" },
    el("dt", {}, "Reference (the teacher)"), el("dd", { className: "report-reference" },
      who(reference, comparison.reference_job_id, result.reference_dancer)),
    el("dt", {}, "Attempt (you)"), el("dd", { className: "report-attempt" }, who(attempt, comparison.job_id, result.dancer)),
    el("dt", {}, "Comparison"), el("dd", {}, comparison.comparison_id));
}

export function renderReport({ comparison, reference, attempt }) {
  const { result } = comparison;
  const said = verdict(result);
  const created = new Date(comparison.created_at);
  const date = el("time", { dateTime: comparison.created_at, className: "report-date" }, created.toLocaleString());
  const print = el("button", { type: "button", id: "report-print" }, "Print or save as PDF");
  print.addEventListener("click", () => window.print());
  if (document.body.dataset.view === "report") { // the title names a saved PDF
    document.title = `${nameOf(attempt, comparison.job_id)} against ${nameOf(reference, comparison.reference_job_id)}`
      + " – Dance comparison";
  }
  $("report").replaceChildren(
    el("div", { className: "report-head" },
      el("h1", { id: "report-title" }, "Dance comparison"),
      el("p", { className: "report-who" }, `${nameOf(attempt, comparison.job_id)} against `
        + `${nameOf(reference, comparison.reference_job_id)}, compared `, date),
      el("p", { className: "report-tools" }, print, " ",
        el("a", { href: comparisonAddress(comparison.comparison_id) }, "Open with the videos"))),
    el("section", { className: "report-verdict" }, el("h2", {}, "Verdict"),
      el("p", { className: "verdict-lead" }, said.lead), el("p", {}, said.notes)),
    el("section", {}, el("h2", {}, "Figures"), figures(result)),
    el("section", {}, el("h2", {}, "Segments"), segmentBar(result), segments(result)),
    el("section", {}, el("h2", {}, "The dancers"), dancers(comparison, reference, attempt)),
  );
}

export function renderReportError(error, comparisonId) {
  const details = errorDetails(error);
  const hint = error.status === 401 ? "This gateway needs an API key: open the comparison in the page, enter the key "
    + "under “API key”, then open the report again.\n" : "";
  $("report").replaceChildren(
    el("h1", { id: "report-title" }, "Dance comparison"),
    el("p", { className: "error", role: "alert" }, `${hint}${error.message}${details ? `\n(${details})` : ""}`),
    el("p", {}, el("a", { href: comparisonAddress(comparisonId) }, "Open the comparison in the page")));
}
