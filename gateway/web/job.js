// Following a job (or a comparison) until it ends: its server-sent events, or polling when they fail.
import { ApiError, API_BASE, authHeaders, callApi, readJson } from "./api.js";

export const FINAL_STATUSES = new Set(["completed", "failed", "expired", "cancelled"]);
export const STATUS_LABELS = {
  awaiting_upload: "waiting for the upload", queued: "queued", processing: "analysing",
  completed: "completed", failed: "failed", expired: "expired", cancelled: "cancelled",
};
/** How often to ask for the job when the event stream cannot be used. */
const POLL_INTERVAL_MS = 1000;

/** Call onJob with every state of the job until a final one, which the promise resolves to. Aborting
 *  ``signal`` stops following (the promise rejects with its AbortError) and closes the stream. */
export function followJob(jobId, onJob, signal) {
  return followRecord(new URL(encodeURIComponent(jobId), API_BASE), "job", onJob, signal);
}

/** The same for any record with server-sent events at ``{recordUrl}/events`` (a job, a comparison). */
export async function followRecord(recordUrl, eventName, onRecord, signal) {
  const url = new URL(`${recordUrl.pathname}/events`, recordUrl);
  let record = null;
  try {
    // EventSource cannot send an Authorization header; with a key, the same stream is read with fetch.
    record = Object.keys(authHeaders()).length
      ? await streamWithFetch(url, eventName, onRecord, signal)
      : await streamWithEventSource(url, recordUrl, eventName, onRecord, signal);
  } catch (exc) {
    if (exc instanceof ApiError) throw exc;
    signal?.throwIfAborted();
    console.warn(`${eventName} event stream failed, polling instead`, exc);
  }
  while (!record || !FINAL_STATUSES.has(record.status)) { // the stream ended early: poll
    signal?.throwIfAborted();
    record = await callApi(recordUrl);
    signal?.throwIfAborted();
    onRecord(record);
    if (!FINAL_STATUSES.has(record.status)) await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
  }
  return record;
}

function streamWithEventSource(url, recordUrl, eventName, onRecord, signal) {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const source = new EventSource(url);
    // Each open stream holds one of the browser's few connections to the gateway: close it at once.
    signal?.addEventListener("abort", () => { source.close(); reject(signal.reason); }, { once: true });
    source.addEventListener(eventName, (event) => {
      const record = JSON.parse(event.data);
      onRecord(record);
      if (FINAL_STATUSES.has(record.status)) { source.close(); resolve(record); }
    });
    // A dropped stream is reopened by EventSource itself; a refused one (4xx) is closed for good,
    // and a plain GET then tells why.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) callApi(recordUrl).then(resolve, reject);
    };
  });
}

async function streamWithFetch(url, eventName, onRecord, signal) {
  const response = await fetch(url, { headers: { ...authHeaders(), Accept: "text/event-stream" }, signal });
  if (!response.ok) await readJson(response, "The API"); // throws the API's error
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split("\n");
      const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart());
      if (!lines.includes(`event: ${eventName}`) || !data.length) continue; // heartbeats, retry hints
      const record = JSON.parse(data.join("\n"));
      onRecord(record);
      if (FINAL_STATUSES.has(record.status)) { reader.cancel(); return record; }
    }
  }
}

/** Nothing if ``job`` completed; else an ApiError saying why ``what`` did not. */
export function ensureCompleted(job, what) {
  if (job.status === "completed") return;
  const reason = job.error ? job.error.message : `the job ended ${STATUS_LABELS[job.status] || job.status}`;
  throw new ApiError(`${what} did not complete: ${reason}`, job.error?.code || job.status);
}
