// "Your recent jobs": the caller's jobs (those of the key typed into the page), newest first, a page at a
// time and optionally of one status; each shows its id (to copy), can be opened in the page or deleted,
// and a completed one can be the reference of a comparison.
import { JOBS_URL, callApi } from "./api.js";
import { $, element } from "./dom.js";
import { STATUS_LABELS } from "./job.js";
import { PagedList } from "./paged_list.js";

/** The list, once wired (``?jobs_page_size=N`` in the page's address sets its page size). */
let list = null;
/** Jobs deleted from this page: a page asked for before the delete ended must not bring them back. */
const deletedIds = new Set();
/** What the page does for a row's buttons; see wireJobList. */
let actions = { open: () => true, deleted: () => {}, reference: () => "" };
/** The job picked with "Use as reference", marked in the list. */
let referenceId = null;

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

function button(text, onClick) {
  const made = element("button", "job-action", text);
  made.type = "button";
  made.addEventListener("click", onClick);
  return made;
}

/** The job's id, shown in full (selectable) with a button that copies it. */
function idLine(job) {
  const line = element("span", "job-id-line muted", "Job id ");
  const id = element("code", "job-id", job.job_id);
  const copy = button("Copy id", async () => {
    try {
      await navigator.clipboard.writeText(job.job_id);
      copy.textContent = "Copied";
    } catch { // no clipboard here (an insecure origin, a refusal): select it for Ctrl+C
      window.getSelection().selectAllChildren(id);
      copy.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => { copy.textContent = "Copy id"; }, 2000);
  });
  copy.classList.add("job-copy");
  line.append(id, " ", copy);
  return line;
}

function markReference() {
  for (const item of $("job-list").children) item.classList.toggle("is-reference", item.dataset.jobId === referenceId);
}

function row(job) {
  const item = element("li", "job-row", "");
  Object.assign(item.dataset, { jobId: job.job_id, status: job.status });
  item.classList.toggle("is-reference", job.job_id === referenceId);
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
  const buttons = element("span", "job-actions", "");
  if (job.status === "completed") {
    const reference = button("Use as reference", () => {
      referenceId = job.job_id;
      markReference();
      showNote(actions.reference(job));
    });
    reference.classList.add("job-reference");
    reference.title = "The dance to learn from: the compare box takes this job as its reference";
    buttons.append(reference);
  }
  buttons.append(open, remove);
  item.append(name, status, created, buttons, idLine(job), element("span", "job-headline muted", headline(job)));
  return item;
}

function rowOf(jobId) {
  return [...$("job-list").children].find((item) => item.dataset.jobId === jobId);
}

function showNote(text) {
  list.showNote(text);
}

function emptyNote() {
  const status = $("jobs-status").value;
  return status ? `No jobs ${STATUS_LABELS[status] || status}.` : "No jobs yet: pick a video above.";
}

/** Load the first page again: the filter or the key changed, a job started or ended. */
export function refreshJobs() {
  return list?.refresh();
}

/** Ask first, then delete the job; its row goes once the API says so (or says it was gone already). */
async function deleteJob(job, deleteButton) {
  if (!window.confirm(`Delete ${jobName(job)}? Its video, results and record are removed for good.`)) return;
  deleteButton.disabled = true;
  $("jobs-error").hidden = true;
  try {
    await callApi(encodeURIComponent(job.job_id), { method: "DELETE" });
  } catch (error) {
    list.showError(`${jobName(job)} could not be deleted: ${error.message}`, error);
    deleteButton.disabled = false;
    if (error.status !== 404) return;
  }
  deletedIds.add(job.job_id);
  rowOf(job.job_id)?.remove(); // the row shown now: a refresh meanwhile may have replaced the clicked one
  actions.deleted(job.job_id);
  list.noteIfEmpty();
}

/** ``open(jobId)`` shows a job in the page (false: not now); ``deleted(jobId)`` is told of a job deleted;
 *  ``reference(job)`` makes a completed job the compare box's reference and returns a note to show. */
export function wireJobList({ open, deleted, reference = () => "" }) {
  actions = { open, deleted, reference };
  $("jobs-status").append(...Object.entries(STATUS_LABELS).map(([status, label]) => new Option(label, status)));
  $("jobs-status").addEventListener("change", refreshJobs);
  list = new PagedList({
    ids: { section: "jobs", list: "job-list", more: "jobs-more", error: "jobs-error", note: "jobs-note" },
    url: JOBS_URL,
    field: "jobs",
    noun: "jobs",
    row,
    query: (url) => { if ($("jobs-status").value) url.searchParams.set("status", $("jobs-status").value); },
    keep: (job) => !deletedIds.has(job.job_id),
    emptyNote,
    sizeParam: "jobs_page_size",
  });
  $("jobs-refresh").addEventListener("click", refreshJobs);
  $("api-key").addEventListener("change", refreshJobs);
  refreshJobs();
}
