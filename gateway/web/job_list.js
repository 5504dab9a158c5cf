// "Your recent jobs": the caller's jobs (those of the key typed into the page), newest first, a page at a
// time and optionally of one status; each one can be opened in the page or deleted.
import { JOBS_URL, callApi, errorDetails } from "./api.js";
import { $ } from "./dom.js";
import { STATUS_LABELS } from "./job.js";

/** Jobs per page, as the API's default; ``?jobs_page_size=N`` in the page's address sets another (the tests use 2). */
const PAGE_SIZE = 20;
/** The API's most per page. */
const MAX_PAGE_SIZE = 100;

let nextCursor = null;
/** Counts loads started, so an answer to an earlier one (another filter, another key) is not shown over a later one. */
let loadRun = 0;
/** Jobs deleted from this page: a page asked for before the delete ended must not bring them back. */
const deletedIds = new Set();
/** What the page does for a row's buttons; see wireJobList. */
let actions = { open: () => true, deleted: () => {} };

function pageSize() {
  const asked = Math.floor(Number(new URLSearchParams(window.location.search).get("jobs_page_size")));
  return asked >= 1 ? Math.min(asked, MAX_PAGE_SIZE) : PAGE_SIZE;
}

/** The uploaded file's name, from the key it was stored under (``uploads/{job_id}/{filename}``); else the job id. */
export function jobName(job) {
  const prefix = `uploads/${job.job_id}/`;
  return job.s3_key.startsWith(prefix) && job.s3_key.length > prefix.length ? job.s3_key.slice(prefix.length) : job.job_id;
}

/** A completed job's headline figures (tempo, dancers), a failed one's reason; nothing for the others. */
function headline(job) {
  if (job.error) return job.error.message;
  if (!job.result) return "";
  const { summary } = job.result;
  if (!summary) return `${job.result.tracks} tracks, no dance analysis`;
  const parts = [summary.motion_bpm === null ? "no steady tempo" : `${Math.round(summary.motion_bpm)} BPM`];
  if (summary.music_bpm !== null) parts.push(`music ${Math.round(summary.music_bpm)} BPM`);
  parts.push(`${summary.dancers} ${summary.dancers === 1 ? "dancer" : "dancers"}`);
  return parts.join(", ");
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  made.className = className;
  made.textContent = text;
  return made;
}

function button(text, onClick) {
  const made = element("button", "job-action", text);
  made.type = "button";
  made.addEventListener("click", onClick);
  return made;
}

function row(job) {
  const item = element("li", "job-row", "");
  Object.assign(item.dataset, { jobId: job.job_id, status: job.status });
  const name = element("span", "job-name", jobName(job));
  name.title = `Job ${job.job_id}`;
  const status = element("span", "job-status", STATUS_LABELS[job.status] || job.status);
  status.dataset.status = job.status;
  const created = element("time", "job-created muted", new Date(job.created_at).toLocaleString());
  created.dateTime = job.created_at;
  const open = button("Open", () => {
    if (!actions.open(job.job_id)) showNote("An upload is running: open a job when it is done.");
  });
  open.classList.add("job-open");
  const remove = button("Delete", () => deleteJob(job, remove));
  remove.classList.add("job-delete");
  item.append(name, status, created, open, remove, element("span", "job-headline muted", headline(job)));
  return item;
}

function rowOf(jobId) {
  return [...$("job-list").children].find((item) => item.dataset.jobId === jobId);
}

function showNote(text) {
  $("jobs-note").textContent = text;
}

function showListError(text, error) {
  const details = errorDetails(error);
  $("jobs-error").textContent = details ? `${text}\n(${details})` : text;
  $("jobs-error").hidden = false;
}

function noteIfEmpty() {
  if ($("job-list").children.length) return;
  const status = $("jobs-status").value;
  showNote(status ? `No jobs ${STATUS_LABELS[status] || status}.` : "No jobs yet: pick a video above.");
}

/** Load the first page again: the filter or the key changed, a job started or ended. */
export function refreshJobs() {
  return load(null);
}

async function load(cursor) {
  loadRun += 1;
  const run = loadRun;
  const url = new URL(JOBS_URL);
  url.searchParams.set("limit", pageSize());
  if ($("jobs-status").value) url.searchParams.set("status", $("jobs-status").value);
  if (cursor) url.searchParams.set("cursor", cursor);
  $("jobs").dataset.state = "loading";
  $("jobs-more").disabled = true;
  let page;
  try {
    page = await callApi(url);
  } catch (error) {
    if (run !== loadRun) return;
    $("jobs-more").disabled = false;
    if (error.status === 401) { // the gateway wants a key: the list is that key's
      $("job-list").replaceChildren();
      $("jobs-more").hidden = true;
      $("jobs-error").hidden = true;
      showNote("This gateway needs an API key: enter it under “API key” above to see your jobs.");
      $("jobs").dataset.state = "needs-key";
    } else {
      showListError(`Your jobs could not be listed: ${error.message}`, error);
      $("jobs").dataset.state = "error";
    }
    return;
  }
  if (run !== loadRun) return;
  const rows = page.jobs.filter((job) => !deletedIds.has(job.job_id)).map(row);
  if (cursor) $("job-list").append(...rows); else $("job-list").replaceChildren(...rows);
  nextCursor = page.next_cursor;
  $("jobs-more").hidden = !nextCursor;
  $("jobs-more").disabled = false;
  $("jobs-error").hidden = true;
  showNote("");
  noteIfEmpty();
  $("jobs").dataset.state = "ready";
}

/** Ask first, then delete the job; its row goes once the API says so (or says it was gone already). */
async function deleteJob(job, deleteButton) {
  if (!window.confirm(`Delete ${jobName(job)}? Its video, results and record are removed for good.`)) return;
  deleteButton.disabled = true;
  $("jobs-error").hidden = true;
  try {
    await callApi(encodeURIComponent(job.job_id), { method: "DELETE" });
  } catch (error) {
    showListError(`${jobName(job)} could not be deleted: ${error.message}`, error);
    deleteButton.disabled = false;
    if (error.status !== 404) return;
  }
  deletedIds.add(job.job_id);
  rowOf(job.job_id)?.remove(); // the row shown now: a refresh meanwhile may have replaced the clicked one
  actions.deleted(job.job_id);
  noteIfEmpty();
}

/** ``open(jobId)`` shows a job in the page (false: not now); ``deleted(jobId)`` is told of a job deleted. */
export function wireJobList({ open, deleted }) {
  actions = { open, deleted };
  $("jobs-status").append(...Object.entries(STATUS_LABELS).map(([status, label]) => new Option(label, status)));
  $("jobs-status").addEventListener("change", refreshJobs);
  $("jobs-refresh").addEventListener("click", refreshJobs);
  $("jobs-more").addEventListener("click", () => { if (nextCursor) load(nextCursor); });
  $("api-key").addEventListener("change", refreshJobs);
  refreshJobs();
}
