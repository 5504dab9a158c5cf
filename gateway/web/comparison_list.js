// "Your comparisons": the caller's comparisons (those of the key typed into the page), newest first, a page
// at a time; each names its two videos, says how it went, and opens as ``?compare=ID`` opens it.
import { comparisonAddress } from "./address.js";
import { COMPARE_URL, callApi } from "./api.js";
import { $, element } from "./dom.js";
import { STATUS_LABELS } from "./job.js";
import { jobName } from "./job_list.js";
import { PagedList } from "./paged_list.js";
import { likeness } from "./verdict.js";

/** The list, once wired (``?comparisons_page_size=N`` in the address sets its page size). */
let list = null;
/** What "Open" does; see wireComparisonList. */
let actions = { open: () => true };
/** Each job's name by id, asked for once (a promise): rows name their videos, not their ids. */
const names = new Map();

function nameOf(jobId) {
  if (!names.has(jobId)) {
    names.set(jobId, callApi(encodeURIComponent(jobId)).then(jobName, (error) => {
      names.delete(jobId); // asked again next time: the key may change
      return error.status === 404 ? "a deleted job" : `job ${jobId}`;
    }));
  }
  return names.get(jobId);
}

/** How it went: the score in words once completed, the reason once failed, else its status. */
function headline(comparison) {
  if (comparison.error) return comparison.error.message;
  if (!comparison.result) return "";
  return `${Math.round(comparison.result.score)} / 100: ${likeness(comparison.result.score).toLowerCase()}`;
}

function row(comparison) {
  const item = element("li", "job-row comparison-row", "");
  Object.assign(item.dataset, { comparisonId: comparison.comparison_id, status: comparison.status });
  const title = element("span", "job-name", `${comparison.job_id} against ${comparison.reference_job_id}`);
  Promise.all([nameOf(comparison.job_id), nameOf(comparison.reference_job_id)]).then(([attempt, reference]) => {
    title.textContent = `${attempt} against ${reference}`;
  });
  const status = element("span", "job-status", STATUS_LABELS[comparison.status] || comparison.status);
  status.dataset.status = comparison.status;
  const created = element("time", "job-created muted", new Date(comparison.created_at).toLocaleString());
  created.dateTime = comparison.created_at;
  const open = element("a", "job-action comparison-open", "Open");
  open.href = comparisonAddress(comparison.comparison_id);
  open.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // a new tab or window
    event.preventDefault();
    if (!actions.open(comparison.comparison_id)) showNote("An upload is running: open a comparison when it is done.");
  });
  item.append(title, status, created, open, element("span", "job-headline muted", headline(comparison)));
  return item;
}

function showNote(text) {
  list.showNote(text);
}

/** Load the first page again: a comparison started or ended, the key changed. */
export function refreshComparisons() {
  return list?.refresh();
}

/** ``open(comparisonId)`` shows a comparison in the page (false: not now). */
export function wireComparisonList({ open }) {
  actions = { open };
  list = new PagedList({
    ids: {
      section: "comparisons", list: "comparison-list", more: "comparisons-more", error: "comparisons-error",
      note: "comparisons-note",
    },
    url: COMPARE_URL,
    field: "comparisons",
    noun: "comparisons",
    row,
    emptyNote: () => "No comparisons yet: open a video, pick a reference with “Use as reference” in your jobs, "
      + "and press Compare.",
    sizeParam: "comparisons_page_size",
  });
  $("comparisons-refresh").addEventListener("click", refreshComparisons);
  $("api-key").addEventListener("change", () => { names.clear(); refreshComparisons(); });
  refreshComparisons();
}
