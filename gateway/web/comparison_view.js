// One comparison, as ``?compare=ID`` opens it: followed until it ends, then the verdict in words, the
// figures, both overlay videos side by side on the reference's clock, a red-to-green bar of segment
// scores, and the weak segments with their feedback, each of which can be looped.
import { comparisonAddress, showComparisonInAddress } from "./address.js";
import { Alignment } from "./alignment.js";
import { errorDetails } from "./api.js";
import { loadComparison, nameOf } from "./comparison_data.js";
import { $ } from "./dom.js";
import { DuoPlayer } from "./duo_player.js";
import { renderReport, renderReportError } from "./report.js";
import { SoundFollower } from "./sound.js";
import {
  FEEDBACK_BELOW, lowestPart, offsetText, partOf, scoreColour, scoreText, segmentPlace, tempoText, timeRange, timingText,
  verdict, weakSegments,
} from "./verdict.js";

let duo = null;
/** The reference's own video plays its music along with the (silent) overlay videos. */
let music = null;
/** Counts comparisons opened, so an answer about an earlier one is not shown over a later one. */
let viewRun = 0;
/** Aborted when the page turns away from the comparison, so one still running stops being followed. */
let following = new AbortController();
const PAGE_TITLE = document.title;

/** Close the comparison shown, and take it out of the address. */
export function resetComparisonView() {
  viewRun += 1;
  following.abort();
  following = new AbortController();
  showComparisonInAddress(null);
  document.title = PAGE_TITLE;
  if (duo) duo.unload();
  if (music) music.follow(null);
  $("comparison").hidden = true;
  $("compare-result").hidden = true;
  $("comparison-error").hidden = true;
  $("comparison-loop").hidden = true;
  $("comparison-status").textContent = $("comparison-who").textContent = "";
  $("segment-bar").replaceChildren();
  $("worst-segments").replaceChildren();
  $("report").replaceChildren();
  delete document.body.dataset.compare;
  delete document.body.dataset.comparisonId;
  delete document.body.dataset.loop;
}

/** Show the comparison ``comparisonId`` (following it until it ends) and put it in the address. */
export async function openComparison(comparisonId) {
  resetComparisonView();
  const run = viewRun;
  showComparisonInAddress(comparisonId);
  Object.assign(document.body.dataset, { compare: "running", comparisonId });
  $("comparison").hidden = false;
  $("comparison-status").textContent = "Opening the comparison…";
  try {
    const loaded = await loadComparison(comparisonId, (record) => {
      if (run === viewRun) $("comparison-status").textContent = `Comparison ${record.status}…`;
    }, following.signal);
    if (run === viewRun) showComparison(loaded);
  } catch (error) {
    if (run === viewRun) showViewError(error);
  }
}

/** ``?compare=ID&report=1``: the comparison as a printable report, alone on the page. */
export async function openReport(comparisonId) {
  document.body.dataset.view = "report";
  document.body.dataset.comparisonId = comparisonId;
  try {
    renderReport(await loadComparison(comparisonId));
    document.body.dataset.report = "ready";
  } catch (error) {
    renderReportError(error, comparisonId);
    document.body.dataset.report = "error";
  }
}

function showViewError(error) {
  const details = errorDetails(error);
  const hint = error.code === "comparison_not_found"
    ? "No such comparison for this API key: check the link, or enter the key it was made with under “API key”.\n" : "";
  $("comparison-error").textContent = `${hint}${error.message}${details ? `\n(${details})` : ""}`;
  $("comparison-error").hidden = false;
  $("comparison-status").textContent = "";
  document.body.dataset.compare = "error";
  if (error.status === 401) $("key-box").open = true;
}

/** How each dancer was chosen, and how well the soundtracks matched, in words. */
function howCompared(result) {
  const match = result.soundtrack_correlation === null ? "" : `Soundtracks match ${result.soundtrack_correlation.toFixed(2)}. `;
  const dancer = (role, choice) => (choice ? `${role}: dancer ${choice.track_id}, ${choice.reason}. ` : "");
  return (match + dancer("Reference", result.reference_dancer) + dancer("Attempt", result.dancer)).trim();
}

function showComparison({ comparison, reference, attempt, details }) {
  const { result } = comparison;
  const created = new Date(comparison.created_at).toLocaleString();
  document.title = `${nameOf(attempt, comparison.job_id)} against ${nameOf(reference, comparison.reference_job_id)}`
    + ` – ${PAGE_TITLE}`;
  $("comparison-who").textContent = `${nameOf(attempt, comparison.job_id)} (attempt) against `
    + `${nameOf(reference, comparison.reference_job_id)} (reference), compared ${created}`;
  const said = verdict(result);
  $("verdict-lead").textContent = said.lead;
  $("verdict-notes").textContent = said.notes;
  $("compare-score").textContent = `${Math.round(result.score)} / 100`;
  $("compare-offset").textContent = offsetText(result);
  $("compare-tempo").textContent = tempoText(result);
  $("compare-mirrored").textContent = result.mirrored ? "yes, as a mirror image" : "no";
  $("compare-parts").textContent = Object.entries(result.body_parts)
    .map(([part, score]) => `${part} ${scoreText(score)}`).join(", ");
  $("compare-how").textContent = howCompared(result);

  const alignment = details ? details.alignment : { reference_t: [], attempt_t: [] };
  duo = duo || new DuoPlayer($("reference-video"), $("attempt-video"), (t) => movePlayheadTo(t));
  duo.load(reference?.result?.overlay_url, attempt?.result?.overlay_url, new Alignment(alignment));
  if (!music) {
    music = new SoundFollower($("reference-video"));
    music.audio.id = "comparison-soundtrack";
  }
  music.follow(reference?.result?.overlay_url ? reference.result.video_url ?? null : null);
  const caption = (role, job, jobId) => `${role}: ${nameOf(job, jobId)}, job ${jobId}`
    + (job && !job.result?.overlay_url ? " (no overlay video)" : "");
  $("reference-caption").textContent = caption("Reference", reference, comparison.reference_job_id);
  $("attempt-caption").textContent = caption("Attempt", attempt, comparison.job_id);

  showSegments(result, alignment);
  showWorst(result);
  $("comparison-link").href = result.comparison_url;
  $("comparison-report").href = comparisonAddress(comparison.comparison_id, { report: true });
  renderReport({ comparison, reference, attempt, details });
  $("comparison-status").textContent = "";
  $("compare-result").hidden = false;
  movePlayheadTo(0);
  document.body.dataset.compare = "ready";
}

function showSegments(result, alignment) {
  const end = Math.max(0, ...result.segments.map((segment) => segment.end_s), ...alignment.reference_t);
  $("segment-bar").dataset.duration = end;
  $("segment-bar-end").textContent = `${end.toFixed(1)} s`;
  $("segment-bar").replaceChildren(...result.segments.map((segment, index) => {
    const block = document.createElement("button");
    block.type = "button";
    block.className = "segment";
    Object.assign(block.dataset, { index, start: segment.start_s, end: segment.end_s, score: segment.score ?? "" });
    block.style.left = `${(100 * segment.start_s) / end}%`;
    block.style.width = `${(100 * (segment.end_s - segment.start_s)) / end}%`;
    block.style.background = scoreColour(segment.score);
    block.textContent = scoreText(segment.score);
    const timing = timingText(result.timing[index]);
    block.title = `${segmentPlace(segment)}: score ${scoreText(segment.score)}${timing ? `, ${timing}` : ""}`;
    block.addEventListener("click", () => {
      stopLoop();
      duo.seek(segment.start_s);
    });
    return block;
  }), Object.assign(document.createElement("div"), { id: "segment-playhead" }));
}

/** The segments under the feedback threshold, lowest first: when, how it scored, what differs, and a loop button. */
function showWorst(result) {
  const timingAt = (segment) => result.timing.find((timing) => timing.start_s === segment.start_s);
  const weak = weakSegments(result);
  $("worst-none").hidden = weak.length > 0;
  $("worst-none").textContent = `No part of the dance scores under ${FEEDBACK_BELOW}: nothing stands out to fix.`;
  $("worst-segments").replaceChildren(...weak.map((segment) => {
    const item = document.createElement("li");
    Object.assign(item.dataset, { start: segment.start_s, end: segment.end_s });
    const part = partOf(segment);
    const timing = timingText(timingAt(segment));
    const lowest = lowestPart(segment) ? ` The ${lowestPart(segment)} matches least here.` : "";
    const text = document.createElement("span");
    text.textContent = `${segmentPlace(segment)}, score ${scoreText(segment.score)}`
      + `${part ? ` (${part})` : ""}: ${segment.feedback || "the movement differs"}`
      + `${timing && timing !== "on time" ? `; ${timing}` : ""}.${lowest}`;
    const loop = document.createElement("button");
    loop.type = "button";
    loop.className = "loop-segment";
    loop.textContent = "Loop this segment";
    loop.addEventListener("click", () => startLoop(segment));
    item.append(text, " ", loop);
    return item;
  }));
}

function startLoop(segment) {
  duo.loop(segment.start_s, segment.end_s);
  document.querySelector("#comparison .duo").scrollIntoView({ behavior: "smooth", block: "nearest" });
  $("comparison-loop-text").textContent = `Looping ${timeRange(segment.start_s, segment.end_s)} in both videos. `;
  $("comparison-loop").hidden = false;
  for (const block of $("segment-bar").querySelectorAll(".segment")) {
    block.classList.toggle("looping", Number(block.dataset.start) === segment.start_s);
  }
  document.body.dataset.loop = `${segment.start_s}-${segment.end_s}`;
}

function stopLoop() {
  if (duo) duo.stopLoop();
  $("comparison-loop").hidden = true;
  for (const block of $("segment-bar").querySelectorAll(".segment.looping")) block.classList.remove("looping");
  delete document.body.dataset.loop;
}

function movePlayheadTo(t) {
  const playhead = $("segment-playhead");
  const duration = Number($("segment-bar").dataset.duration);
  if (!playhead || !duration) return;
  playhead.style.left = `${Math.min(Math.max(t / duration, 0), 1) * 100}%`;
}

/** Copy the comparison's address; where the clipboard is refused, select it for the user to copy. */
async function copyLink() {
  const address = comparisonAddress(document.body.dataset.comparisonId);
  try {
    await navigator.clipboard.writeText(address);
    $("comparison-status").textContent = `Link copied: ${address}`;
  } catch {
    $("comparison-status").textContent = `Copy this link: ${address}`;
  }
}

/** Two portrait videos (phones) stay side by side even on a phone's screen: a dancer is still seen whole. */
function fitDuo() {
  const videos = [$("reference-video"), $("attempt-video")];
  const portrait = videos.every((video) => video.videoHeight > video.videoWidth);
  document.querySelector("#comparison .duo").classList.toggle("portrait", portrait);
}

export function wireComparisonView() {
  for (const id of ["reference-video", "attempt-video"]) $(id).addEventListener("loadedmetadata", fitDuo);
  $("comparison-loop-stop").addEventListener("click", stopLoop);
  $("comparison-copy").addEventListener("click", copyLink);
  // A comparison refused for want of the key it was made with opens once that key is typed.
  $("api-key").addEventListener("change", () => {
    const { compare, comparisonId } = document.body.dataset;
    if (compare === "error" && comparisonId && !$("comparison").hidden) openComparison(comparisonId);
  });
}
