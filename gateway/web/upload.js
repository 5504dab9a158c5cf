// Getting a video into the bucket and its job queued: one presigned PUT and a confirm (the API doc's
// three steps), or, for a large file, resumable parts.
import { callApi } from "./api.js";
import { putToBucket } from "./bucket.js";
import { uploadInParts } from "./multipart.js";

const SUPPORTED_TYPES = new Set(["video/mp4", "video/quicktime", "video/x-msvideo", "video/avi", "video/msvideo"]);
/** Browsers name some types differently (.m4v is "video/x-m4v" in Chrome); the extension decides then. */
const TYPE_OF_EXTENSION = { mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", qt: "video/quicktime", avi: "video/x-msvideo" };
/** Files larger than this go in parts, as upload_video.py's --multipart-threshold: one PUT of a big file
 *  starts again from nothing when the connection drops. ``?multipart_threshold_mib=N`` in the page's
 *  address sets another (the tests use 1). */
const MULTIPART_THRESHOLD_MIB = 64;
const MIB = 1024 * 1024;

function contentTypeOf(file) {
  if (SUPPORTED_TYPES.has(file.type)) return file.type;
  const extension = file.name.split(".").pop().toLowerCase();
  return TYPE_OF_EXTENSION[extension] || file.type || "application/octet-stream";
}

function multipartThreshold() {
  const asked = Number(new URLSearchParams(window.location.search).get("multipart_threshold_mib"));
  return (asked > 0 ? asked : MULTIPART_THRESHOLD_MIB) * MIB;
}

/** Upload ``file`` and confirm it; returns the job id. ``onResume(stored, count)`` is called when a
 *  large file's earlier upload is resumed. */
export async function uploadVideo(file, { onJobId, onProgress, onUploaded, onResume }) {
  const contentType = contentTypeOf(file);
  if (file.size > multipartThreshold()) {
    return uploadInParts(file, contentType, { onJobId, onProgress, onUploaded, onResume });
  }
  const upload = await callApi("upload-url", {
    method: "POST", body: { filename: file.name, content_type: contentType, size: file.size },
  });
  onJobId(upload.job_id);
  await putToBucket(upload.upload_url, file, { contentType, onProgress });
  onUploaded();
  await callApi("confirm", { method: "POST", body: { job_id: upload.job_id, s3_key: upload.s3_key } });
  return upload.job_id;
}
