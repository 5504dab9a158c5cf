// The gateway's JSON API and the bucket's presigned GETs: the URLs, the key sent, the errors as ApiError.
import { $ } from "./dom.js";

// Relative to the page, so the API is found behind a proxy that mounts the gateway under a prefix.
export const API_BASE = new URL("api/v1/analyze/", document.baseURI);
export const JOBS_URL = new URL("api/v1/analyze", document.baseURI);
export const COMPARE_URL = new URL("api/v1/compare", document.baseURI);
export const COMPARE_BASE = new URL("api/v1/compare/", document.baseURI);

export class ApiError extends Error {
  constructor(message, code = "", status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The error's code and HTTP status, as shown under its message ("" when it has neither). */
export function errorDetails(error) {
  return [error.code, error.status ? `HTTP ${error.status}` : ""].filter(Boolean).join(", ");
}

/** The key typed into the page, as the Authorization header (none when the box is empty). */
export function authHeaders() {
  const key = $("api-key").value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** A JSON call to the gateway (``path`` relative to API_BASE, or a URL); its {"error": {"code", "message"}} becomes an ApiError. */
export async function callApi(path, { method = "GET", body } = {}) {
  const headers = authHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(new URL(path, API_BASE), { method, headers, body: body && JSON.stringify(body) });
  } catch (exc) {
    throw new ApiError(`The API could not be reached (${exc.message}).`);
  }
  return readJson(response, "The API");
}

export async function readJson(response, who) {
  const isJson = (response.headers.get("Content-Type") || "").includes("json");
  if (response.status === 204) return null; // done, nothing to say (a DELETE may answer so)
  const payload = isJson ? await response.json().catch(() => null) : null;
  if (response.ok && payload !== null) return payload;
  const error = payload && payload.error;
  if (error) throw new ApiError(error.message, error.code, response.status);
  throw new ApiError(`${who} answered ${response.status} ${response.statusText}.`, "", response.status);
}

/** JSON from a presigned bucket URL; any failure is an ApiError naming ``name``. */
export async function fetchFromBucket(url, name) {
  let response;
  try {
    response = await fetch(url);
  } catch (exc) {
    throw new ApiError(`${name} could not be fetched from the bucket (${exc.message}).`);
  }
  if (!response.ok) throw new ApiError(`The bucket answered ${response.status} for ${name}.`, "", response.status);
  return response.json();
}
