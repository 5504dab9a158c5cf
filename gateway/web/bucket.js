// PUTs to presigned bucket URLs (a whole file, or one part of it), with upload progress.
import { ApiError } from "./api.js";

/** PUT ``body`` (a File or a slice of one) to the presigned URL with XMLHttpRequest: unlike fetch, it
 *  reports upload progress. Resolves to the ETag the bucket answered ("" if it sent none); ``signal``
 *  aborts it. ``contentType`` is sent when given (a part's URL does not need it). */
export function putToBucket(url, body, { contentType, onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError("The upload was cancelled."));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (contentType) xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.onprogress = (event) => { if (event.lengthComputable && onProgress) onProgress(event.loaded, event.total); };
    // MinIO exposes ETag to pages of other origins (CORS); on AWS the bucket's CORS rule must list it.
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300
      ? resolve((xhr.getResponseHeader("ETag") || "").replaceAll('"', "")) : reject(bucketError(xhr)));
    xhr.onerror = () => reject(new ApiError(
      "The upload to the bucket failed: it could not be reached, or it does not allow this page's origin (CORS)."));
    xhr.onabort = () => reject(new ApiError("The upload was cancelled."));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

function bucketError(xhr) {
  const xml = new DOMParser().parseFromString(xhr.responseText || "<Error/>", "application/xml");
  const code = xml.querySelector("Code")?.textContent || "";
  const said = xml.querySelector("Message")?.textContent || xhr.statusText;
  if (xhr.status === 403) {
    return new ApiError(`The bucket refused the upload URL: it has expired, or the file is not the size it was `
      + `signed for. Pick the file again for a new URL. (MinIO: ${said})`, code, 403);
  }
  return new ApiError(`The bucket refused the upload: ${said}`, code, xhr.status);
}
