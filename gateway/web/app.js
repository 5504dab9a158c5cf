// The Dance Analysis page: upload a video straight to the bucket (the three steps of the API doc, or
// resumable parts for a large file), follow the job live, then play the video with every dancer's
// skeleton drawn over it, and under it the dance analysis: tempi, beat timing, synchrony and a timeline
// of energy and beats; then compare it with a reference dance: both videos side by side on one clock,
// and a score per segment. ``?job=ID`` in the address opens that job again, and so does "Open" in the
// list of the caller's recent jobs, which can also delete one; ``?compare=ID`` opens a comparison (and
// "Open" in the list of comparisons), ``&report=1`` as a printable report.
// Plain ES2020 modules, no build step, nothing loaded from elsewhere; this one wires the page. The others:
// api.js and api_key.js (the gateway's API, the key sent), upload.js and bucket.js (one PUT and a
// confirm), multipart.js and resume_record.js (large files in parts, resumable), job.js (follow a job),
// result.js, player.js, sound.js, layout.js and colours.js (the player), practice.js and counts.js (loop, speed,
// mirror, counts, keys), analysis.js, pairs.js and timeline.js (the dance analysis), example.js (the home
// page's example),
// compare.js, duo_player.js and alignment.js (comparing with a reference), comparison_view.js,
// comparison_data.js, verdict.js and report.js (one comparison), job_list.js and comparison_list.js
// (recent jobs and comparisons), address.js, dom.js.
import { comparisonInAddress, jobInAddress, reportInAddress, showJobInAddress } from "./address.js";
import { resetAnalysis } from "./analysis.js";
import { errorDetails } from "./api.js";
import { wireApiKey } from "./api_key.js";
import { resetComparison, useAsReference, wireComparison } from "./compare.js";
import { wireComparisonList } from "./comparison_list.js";
import { openComparison, openReport } from "./comparison_view.js";
import { $, megabytes } from "./dom.js";
import { showExample } from "./example.js";
import { FINAL_STATUSES, STATUS_LABELS, ensureCompleted, followJob } from "./job.js";
import { refreshJobs, wireJobList } from "./job_list.js";
import { wireLayout } from "./layout.js";
import { wirePairs } from "./pairs.js";
import { wirePractice } from "./practice.js";
import { resetResult, showResult } from "./result.js";
import { uploadVideo } from "./upload.js";

// ---- Page state, readable by tests and scripts ------------------------------------------------

function setStatus(status, jobId) {
  document.body.dataset.status = status;
  if (jobId !== undefined) document.body.dataset.jobId = jobId;
}

function showError(error) {
  if (error.name === "AbortError") return; // the page turned to another job meanwhile
  const box = $("error");
  const details = errorDetails(error);
  box.textContent = details ? `${error.message}\n(${details})` : error.message;
  box.hidden = false;
  setStatus("error");
  $("file-input").disabled = false;
  if (error.status === 401) { // the gateway wants a key: show where it goes
    $("key-box").open = true;
    $("api-key").focus();
  }
}

// ---- The page's flow ----------------------------------------------------------------------------

/** Aborted when the page turns to another job (reset), so the one shown before stops being followed. */
let following = new AbortController();

function showJob(job) {
  setStatus(job.status, job.job_id);
  $("job-bar").value = job.progress ?? 0;
  const percent = Math.round((job.progress ?? 0) * 100);
  $("job-text").textContent = `${STATUS_LABELS[job.status] || job.status}, ${percent}%`;
  const warnings = (job.warnings || []).join(" ");
  $("job-line").textContent = `Job ${job.job_id}, stage ${job.stage}. ${warnings}`;
}

/** Show the job until it ends; the list of jobs is refreshed when it ends here (not when it had ended before). */
async function follow(jobId, signal) {
  let endedBefore = null;
  const job = await followJob(jobId, (record) => {
    endedBefore ??= FINAL_STATUSES.has(record.status);
    showJob(record);
  }, signal);
  if (!endedBefore) refreshJobs();
  return job;
}

async function analyse(file) {
  reset();
  const { signal } = following;
  showJobInAddress(null);
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `${file.name} (${megabytes(file.size)})`;
  setStatus("uploading", "");
  const jobId = await uploadVideo(file, {
    onJobId: (id) => {
      setStatus("uploading", id);
      $("job-line").textContent = `Job ${id}`;
      refreshJobs();
    },
    onResume: (stored, count) => {
      $("upload-note").textContent = `resuming: ${stored} of ${count} parts already uploaded`;
      $("upload-note").hidden = false;
    },
    onProgress: (sent, total) => {
      $("upload-bar").value = sent / total;
      $("upload-text").textContent = `${megabytes(sent)} of ${megabytes(total)}`;
    },
    onUploaded: () => {
      $("upload-bar").value = 1;
      $("upload-text").textContent = "uploaded";
      setStatus("confirming");
    },
  });
  const job = await follow(jobId, signal);
  ensureCompleted(job, "The analysis");
  await showResult(job, file);
}

/** Show a job by its id, as ``?job=ID`` asks: followed until it ends, then shown from the bucket. */
async function openJob(jobId) {
  reset();
  const { signal } = following;
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `Job ${jobId}`;
  $("upload-bar").value = 1;
  $("upload-text").textContent = "uploaded before";
  setStatus("opening", jobId);
  const job = await follow(jobId, signal);
  ensureCompleted(job, "The analysis");
  await showResult(job, null);
}

function reset() {
  following.abort();
  following = new AbortController();
  $("error").hidden = true;
  $("progress").hidden = true;
  $("upload-note").hidden = true;
  for (const bar of ["upload-bar", "job-bar"]) $(bar).value = 0;
  $("upload-text").textContent = $("job-text").textContent = "waiting";
  resetResult();
  resetAnalysis();
  $("compare").hidden = true;
  resetComparison();
  if (document.body.dataset.view === "comparison") delete document.body.dataset.view;
  setStatus("idle", "");
  $("file-input").disabled = false;
}

/** A file is going to the bucket: that cannot be stopped halfway, so the page does not turn to another job. */
function uploading() {
  return /^(uploading|confirming)$/.test(document.body.dataset.status);
}

/** "Open" in the list of jobs: the job is shown as ``?job=ID`` shows it; false (not now) while a file uploads. */
function openFromList(jobId) {
  if (uploading()) return false;
  showJobInAddress(jobId);
  openJob(jobId).catch(showError);
  window.scrollTo({ top: 0, behavior: "smooth" });
  return true;
}

/** "Open" in the list of comparisons: the page turns to it as ``?compare=ID`` opens it; false (not now) while a file uploads. */
function openComparisonFromList(comparisonId) {
  if (uploading()) return false;
  reset();
  showJobInAddress(null);
  showComparisonAlone(comparisonId);
  window.scrollTo({ top: 0, behavior: "smooth" });
  return true;
}

/** A comparison without a job shown: it comes first, the home page's pitch, drop zone and example make way
 *  (the key box stays: a shared link may need the key). */
function showComparisonAlone(comparisonId) {
  document.body.dataset.view = "comparison";
  openComparison(comparisonId);
}

/** A job deleted from the list is no longer shown (one still uploading fails on its own, saying why). */
function forgetDeleted(jobId) {
  if (document.body.dataset.jobId !== jobId || uploading()) return;
  reset();
  showJobInAddress(null);
}

function start(file) {
  if (!file || document.body.dataset.status.match(/^(opening|uploading|confirming|queued|processing)$/)) return;
  analyse(file).catch(showError);
}

function wire() {
  wireApiKey();
  $("file-input").addEventListener("change", (event) => start(event.target.files[0]));
  $("again").addEventListener("click", () => { reset(); showJobInAddress(null); $("file-input").value = ""; });
  wireComparison();
  wireJobList({ open: openFromList, deleted: forgetDeleted, reference: useAsReference });
  wireComparisonList({ open: openComparisonFromList });
  wirePractice();
  wirePairs();
  wireLayout();
  showExample();
  // Drop anywhere on the page; dragover must be cancelled or the browser opens the file itself.
  document.addEventListener("dragover", (event) => {
    event.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    document.body.classList.remove("dragging");
    start(event.dataTransfer.files[0]);
  });
}

wire();
const comparisonId = comparisonInAddress();
if (reportInAddress()) {
  openReport(comparisonId);
} else {
  const jobId = jobInAddress();
  if (jobId) openJob(jobId).catch(showError);
  if (comparisonId && jobId) openComparison(comparisonId); // after openJob's reset, which closes any comparison shown
  else if (comparisonId) showComparisonAlone(comparisonId);
}
