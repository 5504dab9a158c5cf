// A large file uploaded in parts straight to the bucket, several at once, resumable after a reload: the
// API's /multipart calls, as the command-line client's dance_client/multipart.py makes them.
import { API_BASE, ApiError, callApi } from "./api.js";
import { putToBucket } from "./bucket.js";
import { ResumeRecord } from "./resume_record.js";

/** Parts PUT at once, as upload_video.py's --parallel: enough to fill a connection, few enough for a steady bar. */
const PARALLEL_PARTS = 4;
/** Tries per part, and the first pause between them (doubling each time), as dance_client's PART_BACKOFF. */
const PART_TRIES = 5;
const PART_RETRY_MS = 1000;
/** Part URLs asked for at once: they expire (15 min), so a long upload's are not all signed up front. */
const SIGN_BATCH = 100;

const uploadPath = (jobId, tail = "") => `multipart/${encodeURIComponent(jobId)}${tail}`;
const sleep = (ms) => new Promise((wake) => setTimeout(wake, ms));

/** Upload ``file`` in parts, resuming this file's earlier upload where there is one, then complete it
 *  (which queues the job, as /confirm does); returns the job id. The resume record lives until then. */
export async function uploadInParts(file, contentType, { onJobId, onProgress, onUploaded, onResume }) {
  const record = new ResumeRecord(file, API_BASE);
  let state = await storedUpload(record, file);
  if (state) {
    onJobId(state.job_id);
  } else {
    const upload = await callApi("multipart", {
      method: "POST", body: { filename: file.name, content_type: contentType, size: file.size },
    });
    record.save(upload.job_id);
    onJobId(upload.job_id);
    state = { job_id: upload.job_id, part_size: upload.part_size, part_count: upload.part_count, parts: null };
  }
  const uploader = new PartUploader(file, state, onProgress);
  if (state.parts && onResume) onResume(uploader.etags.size, state.part_count);
  const etags = await uploader.run();
  onUploaded();
  // Without an ETag (a bucket whose CORS rule hides it) the API completes with the parts the bucket lists.
  const parts = [...etags].sort(([a], [b]) => a - b).map(([number, etag]) => ({ part_number: number, etag }));
  const body = parts.every((part) => part.etag) ? { parts } : {};
  await callApi(uploadPath(state.job_id, "/complete"), { method: "POST", body });
  record.forget();
  return state.job_id;
}

/** What the API holds of this file's earlier upload; null, and the record forgotten, when that is over. */
async function storedUpload(record, file) {
  const jobId = record.jobId();
  if (!jobId) return null;
  try {
    const state = await callApi(uploadPath(jobId));
    if (state.size === file.size) return state;
  } catch (error) {
    // 404: gone, or another key's job; 409: the upload is over (completed, aborted, expired).
    if (error.status !== 404 && error.status !== 409) throw error;
  }
  record.forget();
  return null;
}

/** PUTs the parts the bucket lacks, PARALLEL_PARTS at a time, reporting the bytes sent of the whole file. */
class PartUploader {
  constructor(file, { job_id: jobId, part_size: partSize, part_count: partCount, parts }, onProgress) {
    Object.assign(this, { file, jobId, partSize, partCount, onProgress });
    /** Part number -> ETag: those stored at their right size, then those uploaded now. */
    this.etags = new Map((parts || [])
      .filter((part) => part.size === this.partLength(part.part_number))
      .map((part) => [part.part_number, part.etag]));
    this.done = [...this.etags.keys()].reduce((sum, number) => sum + this.partLength(number), 0);
    this.sending = new Map(); // part number -> bytes of it sent so far
    this.urls = new Map(); // part number -> promise of its presigned URL
    this.stop = new AbortController();
  }

  partLength(number) {
    return number < this.partCount ? this.partSize : this.file.size - this.partSize * (this.partCount - 1);
  }

  /** Upload every missing part; resolves to all the ETags. A part that fails every try stops the others. */
  async run() {
    this.todo = [];
    for (let number = 1; number <= this.partCount; number += 1) if (!this.etags.has(number)) this.todo.push(number);
    this.progress();
    const queue = [...this.todo];
    const worker = async () => {
      while (queue.length && !this.stop.signal.aborted) {
        const number = queue.shift();
        this.etags.set(number, await this.uploadPart(number));
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, worker));
    } catch (error) {
      this.stop.abort(); // what is stored stays: dropping the same file again resumes from there
      throw error;
    }
    return this.etags;
  }

  /** PUT one part, retried with backoff; after a 403 (its URL expired) with a fresh URL. Its ETag. */
  async uploadPart(number) {
    const start = (number - 1) * this.partSize;
    const bytes = this.file.slice(start, start + this.partLength(number));
    let pause = PART_RETRY_MS;
    let problem = null;
    for (let attempt = 1; attempt <= PART_TRIES; attempt += 1) {
      if (attempt > 1) {
        await sleep(pause);
        pause *= 2;
      }
      let url;
      try {
        url = await this.url(number, problem?.status === 403);
      } catch (error) {
        if (error.status) throw error; // the API refused (the upload is over, no key): no try helps
        problem = error; // the API is out of reach: try again
        continue;
      }
      try {
        const etag = await putToBucket(url, bytes, {
          signal: this.stop.signal, onProgress: (sent) => this.count(number, sent),
        });
        this.sending.delete(number);
        this.done += bytes.size;
        this.progress();
        return etag;
      } catch (error) {
        if (this.stop.signal.aborted) throw error;
        problem = error;
        this.count(number, 0); // its bytes go again
      }
    }
    throw new ApiError(`Part ${number} of the upload failed ${PART_TRIES} times, last: ${problem.message}\n`
      + "Drop the same file again to resume the upload.", problem.code, problem.status);
  }

  /** The part's presigned URL: signed with the next parts in one call, and again when ``fresh``. */
  url(number, fresh) {
    if (fresh || !this.urls.has(number)) {
      const batch = this.todo.filter((n) => n >= number && !this.etags.has(n)).slice(0, SIGN_BATCH);
      const signed = callApi(uploadPath(this.jobId, "/parts"), { method: "POST", body: { part_numbers: batch } });
      for (const n of batch) {
        const url = signed.then((answer) => answer.urls[String(n)]);
        // A failed signing is asked again at the next try; parts that never await it raise no warning.
        url.catch(() => { if (this.urls.get(n) === url) this.urls.delete(n); });
        this.urls.set(n, url);
      }
    }
    return this.urls.get(number);
  }

  count(number, sent) {
    this.sending.set(number, sent);
    this.progress();
  }

  progress() {
    let sent = this.done;
    for (const bytes of this.sending.values()) sent += bytes;
    this.onProgress(sent, this.file.size);
  }
}
