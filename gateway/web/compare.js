// Comparing the job shown with a reference dance (a job id, or a second upload): score, offset, tempo,
// both overlay videos side by side on the reference's clock, a red-to-green bar of segment scores.
import { Alignment } from "./alignment.js";
import { ApiError, COMPARE_BASE, COMPARE_URL, callApi, errorDetails, fetchFromBucket } from "./api.js";
import { $, megabytes } from "./dom.js";
import { DuoPlayer } from "./duo_player.js";
import { STATUS_LABELS, ensureCompleted, followJob, followRecord } from "./job.js";
import { refreshJobs } from "./job_list.js";
import { uploadVideo } from "./upload.js";

/** What to do about the API's refusals of a comparison, before its own message. */
const COMPARE_HINTS = {
  job_not_found: "Job not found: check the reference job id (it must be a job of this API key).",
  job_not_completed: "That job has not completed yet: only finished analyses can be compared.",
};

/** Red (0) through yellow to green (100); no score (nobody danced there) is grey. */
function scoreColour(score) {
  if (score === null || score === undefined) return "hsl(0 0% 60%)";
  return `hsl(${(1.2 * Math.min(Math.max(score, 0), 100)).toFixed(1)} 75% 40%)`;
}

function scoreText(score) {
  return score === null || score === undefined ? "no score" : `${Math.round(score)}`;
}

function secondsRange({ start_s: start, end_s: end }) {
  return `${start.toFixed(1)}–${end.toFixed(1)} s`;
}

function timingText(timing) {
  if (!timing) return "";
  if (timing.verdict === "on time" || timing.offset_ms === null) return timing.verdict;
  return `${timing.verdict} by ${Math.abs(Math.round(timing.offset_ms))} ms`;
}

let duo = null;
/** Counts comparisons started, so an answer to an earlier one is not shown over a later one. */
let comparisonRun = 0;

export function resetComparison() {
  comparisonRun += 1;
  $("compare-status").textContent = "";
  $("compare-error").hidden = true;
  $("compare-result").hidden = true;
  $("compare-button").disabled = $("reference-file").disabled = false;
  $("segment-bar").replaceChildren();
  $("worst-segments").replaceChildren();
  if (duo) duo.unload();
  delete document.body.dataset.compare;
  delete document.body.dataset.comparisonId;
}

function showCompareError(error, run) {
  if (run !== comparisonRun) return;
  const hint = COMPARE_HINTS[error.code];
  const details = errorDetails(error);
  const text = hint ? `${hint}\n${error.message}` : error.message;
  $("compare-error").textContent = details ? `${text}\n(${details})` : text;
  $("compare-error").hidden = false;
  $("compare-status").textContent = "";
  $("compare-button").disabled = $("reference-file").disabled = false;
  document.body.dataset.compare = "error";
  if (error.status === 401) $("key-box").open = true;
}

/** Compare the job shown (the attempt) with ``referenceJobId``; follows it, then shows it. */
async function compare(referenceJobId, mirror, run) {
  const jobId = document.body.dataset.jobId;
  document.body.dataset.compare = "running";
  $("compare-status").textContent = "Asking for the comparison…";
  const queued = await callApi(COMPARE_URL, {
    method: "POST", body: { reference_job_id: referenceJobId, job_id: jobId, mirror },
  });
  if (run !== comparisonRun) return;
  document.body.dataset.comparisonId = queued.comparison_id;
  const comparison = await followRecord(new URL(encodeURIComponent(queued.comparison_id), COMPARE_BASE), "comparison",
    (record) => { if (run === comparisonRun) $("compare-status").textContent = `Comparison ${record.status}…`; });
  if (comparison.status !== "completed") {
    const reason = comparison.error ? comparison.error.message : `it ended ${comparison.status}`;
    throw new ApiError(`The comparison failed: ${reason}`, comparison.error?.code || comparison.status);
  }
  const [reference, attempt, details] = await Promise.all([
    callApi(encodeURIComponent(referenceJobId)), callApi(encodeURIComponent(jobId)),
    fetchFromBucket(comparison.result.comparison_url, "comparison.json"),
  ]);
  if (run === comparisonRun) showComparison(comparison, reference, attempt, details);
}

/** Upload the reference video in the compare section, wait for its analysis, then compare with it. */
async function uploadReference(file, mirror, run) {
  document.body.dataset.compare = "uploading";
  const status = (text) => { if (run === comparisonRun) $("compare-status").textContent = text; };
  const jobId = await uploadVideo(file, {
    onJobId: (id) => { $("reference-job-id").value = id; refreshJobs(); },
    onProgress: (sent, total) => status(`Uploading the reference: ${megabytes(sent)} of ${megabytes(total)}`),
    onUploaded: () => status("Reference uploaded"),
  });
  const job = await followJob(jobId, (record) => {
    status(`Analysing the reference: ${STATUS_LABELS[record.status] || record.status}, ${Math.round((record.progress ?? 0) * 100)}%`);
  });
  refreshJobs();
  ensureCompleted(job, "The reference's analysis");
  if (run === comparisonRun) await compare(jobId, mirror, run);
}

/** How the two were put on one clock, and which dancer of each was compared, in words. */
function howCompared(result) {
  const match = result.soundtrack_correlation === null ? "" : ` (match ${result.soundtrack_correlation.toFixed(2)})`;
  const clock = result.aligned_by === "soundtrack" ? `Aligned by the music: both videos play one recording${match}.`
    : result.aligned_by === "poses" ? `Aligned by the poses: ${result.alignment_reason}.` : "";
  const dancer = (role, choice) => (choice ? ` ${role}: dancer ${choice.track_id}, ${choice.reason}.` : "");
  return clock + dancer("Reference", result.reference_dancer) + dancer("Attempt", result.dancer);
}

function showComparison(comparison, referenceJob, attemptJob, details) {
  const { result } = comparison;
  $("compare-score").textContent = `${Math.round(result.score)} / 100`;
  const offset = Math.abs(result.offset_s).toFixed(2);
  $("compare-offset").textContent = Math.abs(result.offset_s) < 0.005 ? "starts together"
    : `attempt starts ${offset} s ${result.offset_s > 0 ? "later" : "earlier"}`;
  const change = Math.round(Math.abs(result.tempo_ratio - 1) * 100);
  $("compare-tempo").textContent = `×${result.tempo_ratio.toFixed(2)} `
    + (change === 0 ? "(same speed)" : `(${change} % ${result.tempo_ratio > 1 ? "slower" : "faster"})`);
  $("compare-mirrored").textContent = result.mirrored ? "yes, as a mirror image" : "no";
  $("compare-parts").textContent = Object.entries(result.body_parts)
    .map(([part, score]) => `${part} ${scoreText(score)}`).join(", ");
  $("compare-how").textContent = howCompared(result);

  const alignment = new Alignment(details.alignment);
  duo = duo || new DuoPlayer($("reference-video"), $("attempt-video"), (t) => movePlayheadTo(t));
  duo.load(referenceJob.result.overlay_url, attemptJob.result.overlay_url, alignment);
  $("reference-caption").textContent = `Reference, job ${referenceJob.job_id}`
    + (referenceJob.result.overlay_url ? "" : " (no overlay video)");
  $("attempt-caption").textContent = `Attempt, job ${attemptJob.job_id}`
    + (attemptJob.result.overlay_url ? "" : " (no overlay video)");

  const end = Math.max(0, ...result.segments.map((segment) => segment.end_s), ...details.alignment.reference_t);
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
    block.title = `${secondsRange(segment)}: score ${scoreText(segment.score)}${timing ? `, ${timing}` : ""}`;
    block.addEventListener("click", () => duo.seek(segment.start_s));
    return block;
  }), Object.assign(document.createElement("div"), { id: "segment-playhead" }));

  $("worst-segments").replaceChildren(...result.worst_segments.map((segment) => {
    const item = document.createElement("li");
    item.dataset.start = segment.start_s;
    const lowest = segment.body_part ? `, ${segment.body_part} lowest` : "";
    const what = segment.feedback ? `; ${segment.feedback}` : "";
    item.textContent = `${secondsRange(segment)}: score ${scoreText(segment.score)}${lowest}${what}.`;
    return item;
  }));
  $("comparison-link").href = result.comparison_url;
  $("compare-status").textContent = "";
  $("compare-result").hidden = false;
  $("compare-button").disabled = $("reference-file").disabled = false;
  movePlayheadTo(0);
  document.body.dataset.compare = "ready";
}

function movePlayheadTo(t) {
  const playhead = $("segment-playhead");
  const duration = Number($("segment-bar").dataset.duration);
  if (!playhead || !duration) return;
  playhead.style.left = `${Math.min(Math.max(t / duration, 0), 1) * 100}%`;
}

export function wireComparison() {
  const begin = (work) => {
    resetComparison();
    const run = comparisonRun;
    $("compare-button").disabled = $("reference-file").disabled = true;
    work(run).catch((error) => showCompareError(error, run));
  };
  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const referenceJobId = $("reference-job-id").value.trim();
    if (referenceJobId) begin((run) => compare(referenceJobId, $("compare-mirror").value, run));
  });
  $("reference-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = ""; // the same file may be picked again
    if (file) begin((run) => uploadReference(file, $("compare-mirror").value, run));
  });
}
