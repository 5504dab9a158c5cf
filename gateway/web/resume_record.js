// Which job an upload in parts of this file belongs to, kept in localStorage until the upload completes:
// dropping the same file again, after a reload or a lost connection, resumes it.

const RECORD_PREFIX = "dance-analysis.upload:";

export class ResumeRecord {
  /** The same file is the same name, size and modification time, uploaded to the same API. */
  constructor(file, apiBase) {
    this.key = RECORD_PREFIX + JSON.stringify([file.name, file.size, file.lastModified, String(apiBase)]);
  }

  jobId() {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? "null")?.job_id ?? null;
    } catch { return null; } // storage disabled, or not JSON: nothing to resume
  }

  save(jobId) {
    try { localStorage.setItem(this.key, JSON.stringify({ job_id: jobId })); } catch { /* storage disabled: no resume */ }
  }

  forget() {
    try { localStorage.removeItem(this.key); } catch { /* storage disabled: nothing kept */ }
  }
}
