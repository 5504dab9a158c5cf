// The Dance Analysis page: upload a video straight to the bucket (the three steps of the API doc, or
// resumable parts for a large file), follow the job live, then play the video with every dancer's
// skeleton drawn over it, and under it the dance analysis: tempi, beat timing, synchrony and a timeline
// of energy and beats; then compare it with a reference dance: both videos side by side on one clock,
// and a score per segment. ``?job=ID`` in the address opens that job again.
// Plain ES2020 modules, no build step, nothing loaded from elsewhere; this one wires the page. The others:
// api.js and api_key.js (the gateway's API, the key sent), upload.js and bucket.js (one PUT and a
// confirm), multipart.js and resume_record.js (large files in parts, resumable), job.js (follow a job),
// result.js, player.js and colours.js (the player), analysis.js and timeline.js (the dance analysis),
// compare.js, duo_player.js and alignment.js (comparing with a reference), address.js, dom.js.
import { jobInAddress, showJobInAddress } from "./address.js";
import { resetAnalysis } from "./analysis.js";
import { errorDetails } from "./api.js";
import { wireApiKey } from "./api_key.js";
import { resetComparison, wireComparison } from "./compare.js";
import { $, megabytes } from "./dom.js";
import { STATUS_LABELS, ensureCompleted, followJob } from "./job.js";
import { resetResult, showResult } from "./result.js";
import { uploadVideo } from "./upload.js";

// ---- Page state, readable by tests and scripts ------------------------------------------------

function setStatus(status, jobId) {
  document.body.dataset.status = status;
  if (jobId !== undefined) document.body.dataset.jobId = jobId;
}

function showError(error) {
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

function showJob(job) {
  setStatus(job.status, job.job_id);
  $("job-bar").value = job.progress ?? 0;
  const percent = Math.round((job.progress ?? 0) * 100);
  $("job-text").textContent = `${STATUS_LABELS[job.status] || job.status}, ${percent}%`;
  const warnings = (job.warnings || []).join(" ");
  $("job-line").textContent = `Job ${job.job_id}, stage ${job.stage}. ${warnings}`;
}

async function analyse(file) {
  reset();
  showJobInAddress(null);
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `${file.name} (${megabytes(file.size)})`;
  setStatus("uploading", "");
  const jobId = await uploadVideo(file, {
    onJobId: (id) => {
      setStatus("uploading", id);
      $("job-line").textContent = `Job ${id}`;
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
  const job = await followJob(jobId, showJob);
  ensureCompleted(job, "The analysis");
  await showResult(job, file);
}

/** Show a job by its id, as ``?job=ID`` asks: followed until it ends, then shown from the bucket. */
async function openJob(jobId) {
  reset();
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `Job ${jobId}`;
  $("upload-bar").value = 1;
  $("upload-text").textContent = "uploaded before";
  setStatus("opening", jobId);
  const job = await followJob(jobId, showJob);
  ensureCompleted(job, "The analysis");
  await showResult(job, null);
}

function reset() {
  $("error").hidden = true;
  $("progress").hidden = true;
  $("upload-note").hidden = true;
  for (const bar of ["upload-bar", "job-bar"]) $(bar).value = 0;
  $("upload-text").textContent = $("job-text").textContent = "waiting";
  resetResult();
  resetAnalysis();
  $("compare").hidden = true;
  resetComparison();
  setStatus("idle", "");
  $("file-input").disabled = false;
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
  $("video").addEventListener("error", () => { if ($("video").getAttribute("src")) $("codec-note").hidden = false; });
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
const jobId = jobInAddress();
if (jobId) openJob(jobId).catch(showError);
