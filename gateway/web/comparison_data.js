// What showing a comparison needs: the comparison (followed until it ends), both jobs and comparison.json.
import { ApiError, COMPARE_BASE, callApi, fetchFromBucket } from "./api.js";
import { followRecord } from "./job.js";
import { jobName } from "./job_list.js";

/** A job of the comparison, or null when it cannot be read any more (deleted, expired). */
async function jobOrNull(jobId) {
  try {
    return await callApi(encodeURIComponent(jobId));
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

/** {comparison, reference, attempt, details}: the completed comparison, both jobs (null if gone) and
 *  comparison.json (null when it cannot be fetched); an ApiError says why a comparison did not complete.
 *  Aborting ``signal`` stops following it. */
export async function loadComparison(comparisonId, onRecord = () => {}, signal = undefined) {
  const url = new URL(encodeURIComponent(comparisonId), COMPARE_BASE);
  const comparison = await followRecord(url, "comparison", onRecord, signal);
  if (comparison.status !== "completed") {
    const reason = comparison.error ? comparison.error.message : `it ended ${comparison.status}`;
    throw new ApiError(`The comparison failed: ${reason}`, comparison.error?.code || comparison.status);
  }
  const [reference, attempt, details] = await Promise.all([
    jobOrNull(comparison.reference_job_id), jobOrNull(comparison.job_id),
    fetchFromBucket(comparison.result.comparison_url, "comparison.json").catch(() => null),
  ]);
  return { comparison, reference, attempt, details };
}

/** "teacher.mp4" for a job still there, "a deleted job (id)" for one that is gone. */
export function nameOf(job, jobId) {
  return job ? jobName(job) : `a deleted job (${jobId})`;
}
