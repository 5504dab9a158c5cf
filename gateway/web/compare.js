// "Compare with a reference": the job shown is the attempt; the reference is a job picked in the list of
// jobs ("Use as reference"), a pasted job id, or a second upload. A started comparison is opened as
// ``?compare=ID`` opens it (comparison_view.js) and joins the list of comparisons.
import { COMPARE_URL, callApi, errorDetails } from "./api.js";
import { refreshComparisons } from "./comparison_list.js";
import { openComparison, resetComparisonView, wireComparisonView } from "./comparison_view.js";
import { $, megabytes } from "./dom.js";
import { STATUS_LABELS, ensureCompleted, followJob } from "./job.js";
import { jobName, refreshJobs } from "./job_list.js";
import { uploadVideo } from "./upload.js";

/** What to do about the API's refusals of a comparison, before its own message. */
const COMPARE_HINTS = {
  job_not_found: "Job not found: check the reference job id (it must be a job of this API key).",
  job_not_completed: "That job has not completed yet: only finished analyses can be compared.",
};

/** Counts comparisons started, so an answer to an earlier one is not shown over a later one. */
let comparisonRun = 0;

/** Forget the comparison shown and any started here (the page turns to another job). */
export function resetComparison() {
  comparisonRun += 1;
  $("compare-status").textContent = "";
  $("compare-error").hidden = true;
  $("compare-button").disabled = $("reference-file").disabled = false;
  resetComparisonView();
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

/** Compare the job shown (the attempt) with ``referenceJobId``, then open the comparison. */
async function compare(referenceJobId, mirror, run) {
  const jobId = document.body.dataset.jobId;
  document.body.dataset.compare = "running";
  $("compare-status").textContent = "Asking for the comparison…";
  const queued = await callApi(COMPARE_URL, {
    method: "POST", body: { reference_job_id: referenceJobId, job_id: jobId, mirror },
  });
  if (run !== comparisonRun) return;
  $("compare-status").textContent = "";
  $("compare-button").disabled = $("reference-file").disabled = false;
  refreshComparisons();
  const opened = openComparison(queued.comparison_id);
  $("comparison").scrollIntoView({ behavior: "smooth", block: "start" });
  await opened;
  refreshComparisons(); // its final status and score
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

/** "Use as reference" in the list of jobs: the job goes into the compare box; a word says what to do next. */
export function useAsReference(job) {
  $("reference-job-id").value = job.job_id;
  $("reference-name").textContent = `Reference: ${jobName(job)}`;
  $("reference-name").hidden = false;
  document.body.dataset.referenceJobId = job.job_id;
  if ($("compare").hidden) return "Reference set: now open the attempt (the video to compare with it), then press Compare.";
  $("compare").scrollIntoView({ behavior: "smooth", block: "center" });
  $("compare-button").focus({ preventScroll: true });
  return "";
}

export function wireComparison() {
  wireComparisonView();
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
  $("reference-job-id").addEventListener("input", () => { $("reference-name").hidden = true; });
  $("reference-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = ""; // the same file may be picked again
    if (file) begin((run) => uploadReference(file, $("compare-mirror").value, run));
  });
}
