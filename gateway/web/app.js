// The Dance Analysis page: upload a video straight to the bucket (the three steps of the API doc),
// follow the job live, then play the video with every dancer's skeleton drawn over it, and under it
// the dance analysis: tempi, beat timing, synchrony and a timeline of energy and beats; then compare
// it with a reference dance: both videos side by side on one clock, and a score per segment.
// ``?job=ID`` in the address opens that job again.
// Plain ES2020, no build step, nothing loaded from elsewhere.

/** COCO-17 bones: nose-eyes-ears, arms, torso, legs. */
const SKELETON = [[0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10],
  [5, 11], [6, 12], [11, 12], [11, 13], [13, 15], [12, 14], [14, 16]];
/** Keypoints the model is less sure of than this are not drawn. */
const MIN_VISIBILITY = 0.5;
/** One colour per track id, far apart in hue so neighbouring dancers are told apart. */
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
  "#f032e6", "#bfef45", "#ffe119", "#469990", "#dcbeff", "#9a6324"];
const UNTRACKED_COLOUR = "#ffffff";
const FINAL_STATUSES = new Set(["completed", "failed", "expired", "cancelled"]);
const SUPPORTED_TYPES = new Set(["video/mp4", "video/quicktime", "video/x-msvideo", "video/avi", "video/msvideo"]);
/** Browsers name some types differently (.m4v is "video/x-m4v" in Chrome); the extension decides then. */
const TYPE_OF_EXTENSION = { mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", qt: "video/quicktime", avi: "video/x-msvideo" };
const KEY_STORAGE = "dance-analysis.api-key";
/** How often to ask for the job when the event stream cannot be used. */
const POLL_INTERVAL_MS = 1000;
const SVG_NS = "http://www.w3.org/2000/svg";
/** The timeline's viewBox: 1000 units across the video; rows energy 0-60, music beats 60-75, movement beats 75-90. */
const TIMELINE = { width: 1000, energy: [4, 58], music: [62, 73], kinematic: [77, 88] };
const STATUS_LABELS = {
  awaiting_upload: "waiting for the upload", queued: "queued", processing: "analysing",
  completed: "completed", failed: "failed", expired: "expired", cancelled: "cancelled",
};

const $ = (id) => document.getElementById(id);
// Relative to the page, so the API is found behind a proxy that mounts the gateway under a prefix.
const API_BASE = new URL("api/v1/analyze/", document.baseURI);
const COMPARE_URL = new URL("api/v1/compare", document.baseURI);
const COMPARE_BASE = new URL("api/v1/compare/", document.baseURI);

class ApiError extends Error {
  constructor(message, code = "", status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// ---- Page state, readable by tests and scripts ------------------------------------------------

function setStatus(status, jobId) {
  document.body.dataset.status = status;
  if (jobId !== undefined) document.body.dataset.jobId = jobId;
}

function showError(error) {
  const box = $("error");
  const details = [error.code, error.status ? `HTTP ${error.status}` : ""].filter(Boolean).join(", ");
  box.textContent = details ? `${error.message}\n(${details})` : error.message;
  box.hidden = false;
  setStatus("error");
  $("file-input").disabled = false;
  if (error.status === 401) { // the gateway wants a key: show where it goes
    $("key-box").open = true;
    $("api-key").focus();
  }
}

// ---- API key ----------------------------------------------------------------------------------

function storedKey() {
  try { return localStorage.getItem(KEY_STORAGE) ?? ""; } catch { return ""; } // storage may be disabled
}

function authHeaders() {
  const key = $("api-key").value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

// ---- The gateway and the bucket ---------------------------------------------------------------

/** A JSON call to the gateway (``path`` relative to API_BASE, or a URL); its {"error": {"code", "message"}} becomes an ApiError. */
async function callApi(path, { method = "GET", body } = {}) {
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

async function readJson(response, who) {
  const isJson = (response.headers.get("Content-Type") || "").includes("json");
  const payload = isJson ? await response.json().catch(() => null) : null;
  if (response.ok && payload !== null) return payload;
  const error = payload && payload.error;
  if (error) throw new ApiError(error.message, error.code, response.status);
  throw new ApiError(`${who} answered ${response.status} ${response.statusText}.`, "", response.status);
}

/** PUT the file to the presigned URL with XMLHttpRequest: unlike fetch, it reports upload progress. */
function putToBucket(url, file, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded, event.total); };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(bucketError(xhr)));
    xhr.onerror = () => reject(new ApiError(
      "The upload to the bucket failed: it could not be reached, or it does not allow this page's origin (CORS)."));
    xhr.onabort = () => reject(new ApiError("The upload was cancelled."));
    xhr.send(file);
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

/** Call onJob with every state of the job until a final one, which the promise resolves to. */
function followJob(jobId, onJob) {
  return followRecord(new URL(encodeURIComponent(jobId), API_BASE), "job", onJob);
}

/** The same for any record with server-sent events at ``{recordUrl}/events`` (a job, a comparison). */
async function followRecord(recordUrl, eventName, onRecord) {
  const url = new URL(`${recordUrl.pathname}/events`, recordUrl);
  let record = null;
  try {
    // EventSource cannot send an Authorization header; with a key, the same stream is read with fetch.
    record = Object.keys(authHeaders()).length
      ? await streamWithFetch(url, eventName, onRecord) : await streamWithEventSource(url, recordUrl, eventName, onRecord);
  } catch (exc) {
    if (exc instanceof ApiError) throw exc;
    console.warn(`${eventName} event stream failed, polling instead`, exc);
  }
  while (!record || !FINAL_STATUSES.has(record.status)) { // the stream ended early: poll
    record = await callApi(recordUrl);
    onRecord(record);
    if (!FINAL_STATUSES.has(record.status)) await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
  }
  return record;
}

function streamWithEventSource(url, recordUrl, eventName, onRecord) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(url);
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

async function streamWithFetch(url, eventName, onRecord) {
  const response = await fetch(url, { headers: { ...authHeaders(), Accept: "text/event-stream" } });
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

// ---- The player: the video with the skeletons drawn over it ----------------------------------

function colourOf(trackId) {
  if (trackId === null || trackId === undefined) return UNTRACKED_COLOUR;
  return PALETTE[((trackId - 1) % PALETTE.length + PALETTE.length) % PALETTE.length];
}

class SkeletonPlayer {
  constructor(video, canvas) {
    this.video = video;
    this.canvas = canvas;
    this.poses = null;
    const redraw = () => this.draw(this.video.currentTime);
    for (const name of ["loadeddata", "seeked", "pause", "timeupdate"]) video.addEventListener(name, redraw);
    new ResizeObserver(() => this.fitCanvas()).observe(canvas);
    this.watchFrames();
  }

  /** Play ``videoUrl`` (none: draw on black) with ``poses`` drawn over it (null: the video has them drawn in). */
  load(poses, videoUrl) {
    this.poses = poses;
    this.times = poses ? poses.frames.map((frame) => frame.t) : [];
    if (videoUrl) this.video.src = videoUrl; else this.video.removeAttribute("src");
    this.fitCanvas();
    this.draw(0);
  }

  unload() {
    this.poses = null;
    this.draw(0);
  }

  /** The canvas' pixels follow its CSS size (times the screen's pixel ratio), so lines stay sharp. */
  fitCanvas() {
    const ratio = window.devicePixelRatio || 1;
    const box = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(box.width * ratio);
    this.canvas.height = Math.round(box.height * ratio);
    this.draw(this.video.currentTime);
  }

  /** Redraw for each frame the video presents, or on every animation frame where that is not supported. */
  watchFrames() {
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
      const onFrame = (now, metadata) => {
        this.draw(metadata.mediaTime);
        this.video.requestVideoFrameCallback(onFrame);
      };
      this.video.requestVideoFrameCallback(onFrame);
    } else {
      const onTick = () => {
        if (!this.video.paused) this.draw(this.video.currentTime);
        requestAnimationFrame(onTick);
      };
      requestAnimationFrame(onTick);
    }
  }

  /** The frame whose timestamp is nearest to ``t`` seconds (binary search: frames are in order). */
  frameAt(t) {
    const times = this.times;
    let low = 0;
    let high = times.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (times[middle] < t) low = middle + 1; else high = middle;
    }
    if (low > 0 && t - times[low - 1] < times[low] - t) low -= 1;
    return this.poses.frames[low];
  }

  draw(t) {
    const { canvas, poses } = this;
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    window.__drawnPeople = 0;
    window.__drawnColours = [];
    window.__drawnFrame = null;
    if (!poses || !poses.frames.length || !canvas.width) return;
    const scaleX = canvas.width / poses.video.width;
    const scaleY = canvas.height / poses.video.height;
    const lineWidth = Math.max(2, Math.min(canvas.width, canvas.height) / 120);
    const colours = new Set();
    let people = 0;
    const frame = this.frameAt(t);
    for (const person of frame.people) {
      const points = person.keypoints.map(([x, y, visibility]) => (
        visibility >= MIN_VISIBILITY ? [x * scaleX, y * scaleY] : null));
      if (!points.some(Boolean)) continue;
      const colour = colourOf(person.track_id);
      context.strokeStyle = context.fillStyle = colour;
      context.lineWidth = lineWidth;
      context.lineCap = "round";
      context.beginPath();
      for (const [a, b] of SKELETON) {
        if (!points[a] || !points[b]) continue;
        context.moveTo(...points[a]);
        context.lineTo(...points[b]);
      }
      context.stroke();
      for (const point of points.filter(Boolean)) {
        context.beginPath();
        context.arc(point[0], point[1], lineWidth * 1.2, 0, 2 * Math.PI);
        context.fill();
      }
      colours.add(colour);
      people += 1;
    }
    window.__drawnPeople = people;
    window.__drawnColours = [...colours];
    window.__drawnFrame = frame.index;
  }
}

// ---- The timeline: energy per dancer, music and movement beats, a playhead on the video's clock --

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

class Timeline {
  constructor(svg, video) {
    this.svg = svg;
    this.video = video;
    this.duration = 0;
    this.ticking = false;
    const follow = () => this.movePlayhead(this.video.currentTime);
    for (const name of ["timeupdate", "seeking", "seeked", "loadedmetadata"]) video.addEventListener(name, follow);
    // timeupdate comes only every 250 ms or so: while playing, follow every animation frame.
    video.addEventListener("play", () => this.followPlayback());
    svg.addEventListener("click", (event) => this.seek(event));
  }

  /** Draw ``analysis`` (analysis.json) across its video's duration. */
  load(analysis) {
    this.duration = analysis.video.duration_s || this.video.duration || 0;
    $("timeline-end").textContent = `${this.duration.toFixed(1)} s`;
    const peak = Math.max(0, ...analysis.dancers.map((dancer) => dancer.energy.peak ?? 0));
    $("energy-lines").replaceChildren(...analysis.dancers.map((dancer) => svgElement("path", {
      class: "energy", stroke: colourOf(dancer.track_id), "data-track-id": dancer.track_id,
      d: this.energyPath(dancer.energy, peak),
    })));
    $("music-beats").replaceChildren(...(analysis.music.beats || []).map((t) => this.tick(t, "music", TIMELINE.music)));
    const movement = analysis.kinematic_beats.map((t) => this.tick(t, "kinematic", TIMELINE.kinematic));
    $("kinematic-beats").replaceChildren(...movement);
    this.movePlayhead(this.video.currentTime);
  }

  clear() {
    this.duration = 0;
    for (const id of ["energy-lines", "music-beats", "kinematic-beats"]) $(id).replaceChildren();
    this.movePlayhead(0);
  }

  x(t) {
    if (!this.duration) return 0;
    return Math.min(Math.max(t / this.duration, 0), 1) * TIMELINE.width;
  }

  /** Energy is a mean over windows, so each window is drawn as a step across it; a gap (null) breaks the line. */
  energyPath(energy, peak) {
    const [top, bottom] = TIMELINE.energy;
    let path = "";
    let open = false;
    energy.series.forEach((value, k) => {
      if (value === null || !peak) { open = false; return; }
      const from = this.x(energy.start_s + k * energy.window_s);
      const to = this.x(energy.start_s + (k + 1) * energy.window_s);
      const y = bottom - (value / peak) * (bottom - top);
      path += `${open ? "L" : "M"}${from.toFixed(1)},${y.toFixed(1)}H${to.toFixed(1)}`;
      open = true;
    });
    return path;
  }

  tick(t, kind, [y1, y2]) {
    const x = this.x(t).toFixed(1);
    const line = svgElement("line", { class: `tick ${kind}`, x1: x, x2: x, y1, y2, "data-t": t });
    const title = svgElement("title", {});
    title.textContent = `${kind === "music" ? "music beat" : "movement beat"} at ${t.toFixed(2)} s`;
    line.append(title);
    return line;
  }

  movePlayhead(t) {
    const x = this.x(t).toFixed(1);
    const playhead = $("playhead");
    playhead.setAttribute("x1", x);
    playhead.setAttribute("x2", x);
    playhead.dataset.t = t.toFixed(3);
  }

  followPlayback() {
    if (this.ticking) return;
    this.ticking = true;
    const onTick = () => {
      this.movePlayhead(this.video.currentTime);
      if (this.video.paused || this.video.ended) this.ticking = false;
      else requestAnimationFrame(onTick);
    };
    requestAnimationFrame(onTick);
  }

  seek(event) {
    if (!this.duration) return;
    const box = this.svg.getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    this.video.currentTime = fraction * Math.min(this.duration, this.video.duration || this.duration);
  }
}

// ---- The dance analysis in words ----------------------------------------------------------------

function bpmText(bpm) {
  return `${Math.round(bpm)} BPM`;
}

/** A signed offset in milliseconds as words: negative is early. */
function offsetText(ms) {
  const rounded = Math.round(ms);
  if (rounded === 0) return "on the beat";
  return `${Math.abs(rounded)} ms ${rounded < 0 ? "early" : "late"}`;
}

function showFigures(analysis) {
  const { tempo, music, beat_alignment: alignment, dancers, synchrony } = analysis;
  $("motion-tempo").textContent = tempo.motion_bpm === null ? "no steady tempo" : bpmText(tempo.motion_bpm);
  if (!music.has_audio) $("music-tempo").textContent = "no audio";
  else $("music-tempo").textContent = tempo.music_bpm === null ? "no beat found" : bpmText(tempo.music_bpm);

  if (alignment) {
    $("beat-score").textContent = `${alignment.score.toFixed(2)} (chance ${alignment.chance.toFixed(2)})`;
    $("beat-offset").textContent = alignment.mean_offset_ms === null ? "not measured"
      : `${offsetText(alignment.mean_offset_ms)} on average`;
  } else {
    const why = !music.has_audio ? "needs music" : tempo.music_bpm === null ? "no music beat" : "no beat while dancing";
    $("beat-score").textContent = $("beat-offset").textContent = why;
  }

  if (!synchrony) {
    $("synchrony-group").textContent = dancers.length < 2 ? "needs two dancers" : "no two dancers together for 2 s";
  } else if (!synchrony.group) {
    $("synchrony-group").textContent = "no tempo to measure it at";
  } else {
    const { R, chance } = synchrony.group;
    $("synchrony-group").textContent = `R ${R.toFixed(2)} (chance ${chance.toFixed(2)})`;
  }
  $("synchrony-pairs").replaceChildren(...(synchrony?.pairs || []).map((pair) => {
    const item = document.createElement("li");
    const [a, b] = pair.track_ids;
    item.dataset.trackIds = `${a},${b}`;
    const lead = pair.leader_track_id === null ? "together, no lag"
      : `dancer ${pair.leader_track_id} leads by ${Math.round(pair.lag_s * 1000)} ms`;
    const poses = pair.pose_similarity === null ? "" : `, poses ${pair.pose_similarity.toFixed(2)} alike`;
    item.textContent = `Dancers ${a} and ${b}: movement correlation ${pair.score.toFixed(2)}, ${lead}${poses}.`;
    return item;
  }));

  $("timeline-legend").replaceChildren(...dancers.map((dancer) => {
    const item = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = colourOf(dancer.track_id);
    const bpm = dancer.motion_bpm === null ? "" : `, ${bpmText(dancer.motion_bpm)}`;
    item.append(swatch, `dancer ${dancer.track_id}${bpm}`);
    return item;
  }));
}

function showAnalysisNote(text) {
  $("analysis-note").textContent = text;
  $("analysis-note").hidden = false;
}

// ---- Comparing with a reference dance: both videos on the reference's clock, a score per segment --

/** Seconds the attempt may be off its aligned time while playing before it is moved there outright;
 *  below that only its playback rate steers it back, because a seek stutters. */
const MAX_DRIFT_S = 0.25;
/** How fast the rate steers drift away: 1 corrects 0.1 s of drift at 0.1x faster or slower. */
const STEER_PER_S = 1;
/** Seconds either side over which the alignment's slope (the attempt's speed against the reference) is taken. */
const SLOPE_WINDOW_S = 0.25;
/** What to do about the API's refusals of a comparison, before its own message. */
const COMPARE_HINTS = {
  job_not_found: "Job not found: check the reference job id (it must be a job of this API key).",
  job_not_completed: "That job has not completed yet: only finished analyses can be compared.",
};

/** ``ys`` at ``x`` along ``xs`` (non-decreasing), linearly; beyond the ends it carries on at slope 1. */
function interpolate(xs, ys, x) {
  const last = xs.length - 1;
  if (last < 0) return x;
  if (x <= xs[0]) return ys[0] + (x - xs[0]);
  if (x >= xs[last]) return ys[last] + (x - xs[last]);
  let low = 0;
  let high = last;
  while (high - low > 1) { // xs[low] <= x < xs[high]
    const middle = (low + high) >> 1;
    if (xs[middle] <= x) low = middle; else high = middle;
  }
  const span = xs[high] - xs[low];
  return span > 0 ? ys[low] + ((ys[high] - ys[low]) * (x - xs[low])) / span : ys[low];
}

/** comparison.json's alignment: each reference time (seconds) with the attempt's time danced to it. */
class Alignment {
  constructor({ reference_t: referenceT, attempt_t: attemptT }) {
    this.referenceT = referenceT;
    this.attemptT = attemptT;
  }

  attemptTime(t) {
    return interpolate(this.referenceT, this.attemptT, t);
  }

  referenceTime(t) {
    return interpolate(this.attemptT, this.referenceT, t);
  }

  /** Attempt seconds per reference second around ``t``: the rate the attempt plays at to keep up. */
  slope(t) {
    return (this.attemptTime(t + SLOPE_WINDOW_S) - this.attemptTime(t - SLOPE_WINDOW_S)) / (2 * SLOPE_WINDOW_S);
  }
}

/** Two videos on one clock: the reference leads, the attempt follows it along the alignment; playing,
 *  pausing or seeking either one does the same to the other. */
class DuoPlayer {
  constructor(reference, attempt, onTime) {
    this.reference = reference;
    this.attempt = attempt;
    this.onTime = onTime;
    this.alignment = null;
    this.steering = false;
    this.ownSeek = false; // the attempt's next "seeked" is ours, not the user's
    this.driven = { play: 0, pause: 0 }; // the attempt's play and pause events we caused
    reference.addEventListener("seeking", () => this.follow());
    reference.addEventListener("loadedmetadata", () => this.follow());
    attempt.addEventListener("loadedmetadata", () => this.follow());
    reference.addEventListener("timeupdate", () => this.onTime(reference.currentTime));
    reference.addEventListener("play", () => {
      if (this.target() < (this.attempt.duration || Infinity)) this.drive(true);
      this.steer();
    });
    reference.addEventListener("pause", () => {
      this.drive(false);
      this.follow();
    });
    attempt.addEventListener("play", () => {
      if (this.driven.play) this.driven.play -= 1;
      else if (this.reference.paused) this.reference.play().catch(() => {});
    });
    attempt.addEventListener("pause", () => {
      if (this.driven.pause) this.driven.pause -= 1;
      else if (!this.attempt.ended) this.reference.pause(); // the attempt may end first; the reference plays on
    });
    attempt.addEventListener("seeked", () => {
      if (this.ownSeek) this.ownSeek = false;
      else if (this.alignment) this.reference.currentTime = Math.max(this.alignment.referenceTime(this.attempt.currentTime), 0);
    });
  }

  load(referenceUrl, attemptUrl, alignment) {
    this.alignment = alignment;
    for (const [video, url] of [[this.reference, referenceUrl], [this.attempt, attemptUrl]]) {
      if (url) video.src = url; else video.removeAttribute("src");
    }
  }

  unload() {
    this.alignment = null;
    for (const video of [this.reference, this.attempt]) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
  }

  /** The attempt's time aligned with the reference's present one. */
  target() {
    return this.alignment ? Math.max(this.alignment.attemptTime(this.reference.currentTime), 0) : 0;
  }

  seek(referenceT) {
    this.reference.currentTime = referenceT; // its "seeking" moves the attempt
  }

  /** Put the attempt where the reference is (unless it is there already). */
  follow() {
    this.onTime(this.reference.currentTime);
    if (!this.alignment || this.attempt.readyState < HTMLMediaElement.HAVE_METADATA) return;
    const target = this.target();
    if (Math.abs(this.attempt.currentTime - target) > 0.02) this.seekAttempt(target);
  }

  seekAttempt(t) {
    const { attempt } = this;
    const wasEnded = attempt.ended;
    this.ownSeek = true;
    attempt.currentTime = t;
    if (wasEnded && !this.reference.paused && t < attempt.duration) this.drive(true);
  }

  /** Play or pause the attempt on the reference's behalf; its events then are not taken for the user's. */
  drive(play) {
    const { attempt } = this;
    if (play !== attempt.paused) return;
    this.driven[play ? "play" : "pause"] += 1;
    if (play) attempt.play().catch(() => {}); else attempt.pause();
    if (!play) attempt.playbackRate = 1;
  }

  /** While the reference plays, every animation frame: steer the attempt's rate along the alignment's
   *  slope, correcting drift, and seek it when it is too far off. */
  steer() {
    if (this.steering) return;
    this.steering = true;
    const tick = () => {
      const { reference, attempt, alignment } = this;
      if (reference.paused || reference.ended || !alignment) {
        this.steering = false;
        return;
      }
      this.onTime(reference.currentTime);
      const target = this.target();
      if (!attempt.seeking && !attempt.paused && target < attempt.duration) {
        const drift = attempt.currentTime - target;
        if (Math.abs(drift) > MAX_DRIFT_S) this.seekAttempt(target);
        const rate = reference.playbackRate * alignment.slope(reference.currentTime) - drift * STEER_PER_S;
        attempt.playbackRate = Math.min(Math.max(rate, 0.25), 4);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}

/** Red (0) through yellow to green (100); no score (nobody danced there) is grey. */
function scoreColour(score) {
  if (score === null || score === undefined) return "hsl(0 0% 60%)";
  return `hsl(${(1.2 * Math.min(Math.max(score, 0), 100)).toFixed(1)} 75% 40%)`;
}

function scoreText(score) {
  return score === null || score === undefined ? "no score" : `${Math.round(score)}`;
}

function secondsRange({ start_s: start, end_s: end }) {
  return `${start.toFixed(1)}–${end.toFixed(1)} s`;
}

function timingText(timing) {
  if (!timing) return "";
  if (timing.verdict === "on time" || timing.offset_ms === null) return timing.verdict;
  return `${timing.verdict} by ${Math.abs(Math.round(timing.offset_ms))} ms`;
}

let duo = null;
/** Counts comparisons started, so an answer to an earlier one is not shown over a later one. */
let comparisonRun = 0;

function resetComparison() {
  comparisonRun += 1;
  $("compare-status").textContent = "";
  $("compare-error").hidden = true;
  $("compare-result").hidden = true;
  $("compare-button").disabled = $("reference-file").disabled = false;
  $("segment-bar").replaceChildren();
  $("worst-segments").replaceChildren();
  if (duo) duo.unload();
  delete document.body.dataset.compare;
  delete document.body.dataset.comparisonId;
}

function showCompareError(error, run) {
  if (run !== comparisonRun) return;
  const hint = COMPARE_HINTS[error.code];
  const details = [error.code, error.status ? `HTTP ${error.status}` : ""].filter(Boolean).join(", ");
  const text = hint ? `${hint}\n${error.message}` : error.message;
  $("compare-error").textContent = details ? `${text}\n(${details})` : text;
  $("compare-error").hidden = false;
  $("compare-status").textContent = "";
  $("compare-button").disabled = $("reference-file").disabled = false;
  document.body.dataset.compare = "error";
  if (error.status === 401) $("key-box").open = true;
}

/** Compare the job shown (the attempt) with ``referenceJobId``; follows it, then shows it. */
async function compare(referenceJobId, mirror, run) {
  const jobId = document.body.dataset.jobId;
  document.body.dataset.compare = "running";
  $("compare-status").textContent = "Asking for the comparison…";
  const queued = await callApi(COMPARE_URL, {
    method: "POST", body: { reference_job_id: referenceJobId, job_id: jobId, mirror },
  });
  if (run !== comparisonRun) return;
  document.body.dataset.comparisonId = queued.comparison_id;
  const comparison = await followRecord(new URL(encodeURIComponent(queued.comparison_id), COMPARE_BASE), "comparison",
    (record) => { if (run === comparisonRun) $("compare-status").textContent = `Comparison ${record.status}…`; });
  if (comparison.status !== "completed") {
    const reason = comparison.error ? comparison.error.message : `it ended ${comparison.status}`;
    throw new ApiError(`The comparison failed: ${reason}`, comparison.error?.code || comparison.status);
  }
  const [reference, attempt, details] = await Promise.all([
    callApi(encodeURIComponent(referenceJobId)), callApi(encodeURIComponent(jobId)),
    fetchFromBucket(comparison.result.comparison_url, "comparison.json"),
  ]);
  if (run === comparisonRun) showComparison(comparison, reference, attempt, details);
}

/** Upload the reference video in the compare section, wait for its analysis, then compare with it. */
async function uploadReference(file, mirror, run) {
  document.body.dataset.compare = "uploading";
  const status = (text) => { if (run === comparisonRun) $("compare-status").textContent = text; };
  const jobId = await uploadVideo(file, {
    onJobId: (id) => { $("reference-job-id").value = id; },
    onProgress: (sent, total) => status(`Uploading the reference: ${megabytes(sent)} of ${megabytes(total)}`),
    onUploaded: () => status("Reference uploaded"),
  });
  const job = await followJob(jobId, (record) => {
    status(`Analysing the reference: ${STATUS_LABELS[record.status] || record.status}, ${Math.round((record.progress ?? 0) * 100)}%`);
  });
  ensureCompleted(job, "The reference's analysis");
  if (run === comparisonRun) await compare(jobId, mirror, run);
}

function showComparison(comparison, referenceJob, attemptJob, details) {
  const { result } = comparison;
  $("compare-score").textContent = `${Math.round(result.score)} / 100`;
  const offset = Math.abs(result.offset_s).toFixed(2);
  $("compare-offset").textContent = Math.abs(result.offset_s) < 0.005 ? "starts together"
    : `attempt starts ${offset} s ${result.offset_s > 0 ? "later" : "earlier"}`;
  const change = Math.round(Math.abs(result.tempo_ratio - 1) * 100);
  $("compare-tempo").textContent = `×${result.tempo_ratio.toFixed(2)} `
    + (change === 0 ? "(same speed)" : `(${change} % ${result.tempo_ratio > 1 ? "slower" : "faster"})`);
  $("compare-mirrored").textContent = result.mirrored ? "yes, as a mirror image" : "no";
  $("compare-parts").textContent = Object.entries(result.body_parts)
    .map(([part, score]) => `${part} ${scoreText(score)}`).join(", ");

  const alignment = new Alignment(details.alignment);
  duo = duo || new DuoPlayer($("reference-video"), $("attempt-video"), (t) => movePlayheadTo(t));
  duo.load(referenceJob.result.overlay_url, attemptJob.result.overlay_url, alignment);
  $("reference-caption").textContent = `Reference, job ${referenceJob.job_id}`
    + (referenceJob.result.overlay_url ? "" : " (no overlay video)");
  $("attempt-caption").textContent = `Attempt, job ${attemptJob.job_id}`
    + (attemptJob.result.overlay_url ? "" : " (no overlay video)");

  const end = Math.max(0, ...result.segments.map((segment) => segment.end_s), ...details.alignment.reference_t);
  $("segment-bar").dataset.duration = end;
  $("segment-bar-end").textContent = `${end.toFixed(1)} s`;
  $("segment-bar").replaceChildren(...result.segments.map((segment, index) => {
    const block = document.createElement("button");
    block.type = "button";
    block.className = "segment";
    Object.assign(block.dataset, { index, start: segment.start_s, end: segment.end_s, score: segment.score ?? "" });
    block.style.left = `${(100 * segment.start_s) / end}%`;
    block.style.width = `${(100 * (segment.end_s - segment.start_s)) / end}%`;
    block.style.background = scoreColour(segment.score);
    block.textContent = scoreText(segment.score);
    const timing = timingText(result.timing[index]);
    block.title = `${secondsRange(segment)}: score ${scoreText(segment.score)}${timing ? `, ${timing}` : ""}`;
    block.addEventListener("click", () => duo.seek(segment.start_s));
    return block;
  }), Object.assign(document.createElement("div"), { id: "segment-playhead" }));

  $("worst-segments").replaceChildren(...result.worst_segments.map((segment) => {
    const item = document.createElement("li");
    item.dataset.start = segment.start_s;
    const lowest = segment.body_part ? `, ${segment.body_part} lowest` : "";
    const what = segment.feedback ? `; ${segment.feedback}` : "";
    item.textContent = `${secondsRange(segment)}: score ${scoreText(segment.score)}${lowest}${what}.`;
    return item;
  }));
  $("comparison-link").href = result.comparison_url;
  $("compare-status").textContent = "";
  $("compare-result").hidden = false;
  $("compare-button").disabled = $("reference-file").disabled = false;
  movePlayheadTo(0);
  document.body.dataset.compare = "ready";
}

function movePlayheadTo(t) {
  const playhead = $("segment-playhead");
  const duration = Number($("segment-bar").dataset.duration);
  if (!playhead || !duration) return;
  playhead.style.left = `${Math.min(Math.max(t / duration, 0), 1) * 100}%`;
}

function wireComparison() {
  const begin = (work) => {
    resetComparison();
    const run = comparisonRun;
    $("compare-button").disabled = $("reference-file").disabled = true;
    work(run).catch((error) => showCompareError(error, run));
  };
  $("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const referenceJobId = $("reference-job-id").value.trim();
    if (referenceJobId) begin((run) => compare(referenceJobId, $("compare-mirror").value, run));
  });
  $("reference-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = ""; // the same file may be picked again
    if (file) begin((run) => uploadReference(file, $("compare-mirror").value, run));
  });
}

// ---- The page's flow ----------------------------------------------------------------------------

let player = null;
let timeline = null;
let videoUrl = null;

function contentTypeOf(file) {
  if (SUPPORTED_TYPES.has(file.type)) return file.type;
  const extension = file.name.split(".").pop().toLowerCase();
  return TYPE_OF_EXTENSION[extension] || file.type || "application/octet-stream";
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function showJob(job) {
  setStatus(job.status, job.job_id);
  $("job-bar").value = job.progress ?? 0;
  const percent = Math.round((job.progress ?? 0) * 100);
  $("job-text").textContent = `${STATUS_LABELS[job.status] || job.status}, ${percent}%`;
  const warnings = (job.warnings || []).join(" ");
  $("job-line").textContent = `Job ${job.job_id}, stage ${job.stage}. ${warnings}`;
}

/** Upload ``file`` and confirm it (the API doc's three steps); returns the job id. */
async function uploadVideo(file, { onJobId, onProgress, onUploaded }) {
  const contentType = contentTypeOf(file);
  const upload = await callApi("upload-url", {
    method: "POST", body: { filename: file.name, content_type: contentType, size: file.size },
  });
  onJobId(upload.job_id);
  await putToBucket(upload.upload_url, file, contentType, onProgress);
  onUploaded();
  await callApi("confirm", { method: "POST", body: { job_id: upload.job_id, s3_key: upload.s3_key } });
  return upload.job_id;
}

function ensureCompleted(job, what) {
  if (job.status === "completed") return;
  const reason = job.error ? job.error.message : `the job ended ${STATUS_LABELS[job.status] || job.status}`;
  throw new ApiError(`${what} did not complete: ${reason}`, job.error?.code || job.status);
}

async function analyse(file) {
  reset();
  showJobInAddress(null);
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `${file.name} (${megabytes(file.size)})`;
  setStatus("uploading", "");
  const jobId = await uploadVideo(file, {
    onJobId: (id) => {
      setStatus("uploading", id);
      $("job-line").textContent = `Job ${id}`;
    },
    onProgress: (sent, total) => {
      $("upload-bar").value = sent / total;
      $("upload-text").textContent = `${megabytes(sent)} of ${megabytes(total)}`;
    },
    onUploaded: () => {
      $("upload-bar").value = 1;
      $("upload-text").textContent = "uploaded";
      setStatus("confirming");
    },
  });
  const job = await followJob(jobId, showJob);
  ensureCompleted(job, "The analysis");
  await showResult(job, file);
}

/** Show a job by its id, as ``?job=ID`` asks: followed until it ends, then shown from the bucket. */
async function openJob(jobId) {
  reset();
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `Job ${jobId}`;
  $("upload-bar").value = 1;
  $("upload-text").textContent = "uploaded before";
  setStatus("opening", jobId);
  const job = await followJob(jobId, showJob);
  ensureCompleted(job, "The analysis");
  await showResult(job, null);
}

/** ``?job=ID`` in the address bar names the job shown, so a reload or a shared link opens it again. */
function showJobInAddress(jobId) {
  const address = new URL(window.location.href);
  if (jobId) address.searchParams.set("job", jobId); else address.searchParams.delete("job");
  if (address.href !== window.location.href) history.replaceState(null, "", address);
}

/** JSON from a presigned bucket URL; any failure is an ApiError naming ``name``. */
async function fetchFromBucket(url, name) {
  let response;
  try {
    response = await fetch(url);
  } catch (exc) {
    throw new ApiError(`${name} could not be fetched from the bucket (${exc.message}).`);
  }
  if (!response.ok) throw new ApiError(`The bucket answered ${response.status} for ${name}.`, "", response.status);
  return response.json();
}

/** ``file`` is the picked video; without one (a job opened by id) the overlay video, skeletons drawn in, stands in. */
async function showResult(job, file) {
  const poses = await fetchFromBucket(job.result.poses_url, "poses.json");
  showJobInAddress(job.job_id);
  $("player").hidden = false;
  $("stage").style.aspectRatio = `${poses.video.width} / ${poses.video.height}`;
  const { frames, people_max: peopleMax, tracks, overlay_url: overlayUrl, poses_url: posesUrl } = job.result;
  videoUrl = file ? URL.createObjectURL(file) : null;
  player = player || new SkeletonPlayer($("video"), $("skeletons"));
  // No file and no overlay: the skeletons are drawn on black.
  player.load(file || !overlayUrl ? poses : null, videoUrl || overlayUrl);
  showLegend(poses);
  $("summary").textContent = `${frames} frames, up to ${peopleMax} people at once, ${tracks} tracks.`;
  $("poses-link").href = posesUrl;
  $("overlay-link").hidden = !overlayUrl;
  if (overlayUrl) $("overlay-link").href = overlayUrl;
  $("file-input").disabled = false;
  document.body.dataset.player = "ready";
  $("compare").hidden = false;
  await showAnalysis(job);
}

/** Fetch and show analysis.json; its absence or failure is a note, never an error of the page. */
async function showAnalysis(job) {
  $("analysis").hidden = false;
  timeline = timeline || new Timeline($("timeline"), $("video"));
  const url = job.result.analysis_url;
  if (!url) {
    showAnalysisNote(["No dance analysis for this job.", ...(job.warnings || [])].join(" "));
    document.body.dataset.analysis = "none";
    return;
  }
  document.body.dataset.analysis = "loading";
  let analysis;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the bucket answered ${response.status}`);
    analysis = await response.json();
  } catch (exc) {
    if (document.body.dataset.jobId !== job.job_id) return; // another video was picked meanwhile
    showAnalysisNote(`analysis.json could not be loaded (${exc.message}).`);
    document.body.dataset.analysis = "error";
    return;
  }
  if (document.body.dataset.jobId !== job.job_id) return;
  showFigures(analysis);
  timeline.load(analysis);
  $("analysis-body").hidden = false;
  document.body.dataset.analysis = "ready";
}

function showLegend(poses) {
  const ids = new Set(poses.frames.flatMap((frame) => frame.people.map((person) => person.track_id)));
  const legend = $("legend");
  legend.replaceChildren(...[...ids].sort((a, b) => (a ?? -1) - (b ?? -1)).map((id) => {
    const item = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = colourOf(id);
    item.append(swatch, id === null ? "untracked" : `dancer ${id}`);
    return item;
  }));
}

function reset() {
  $("error").hidden = true;
  $("player").hidden = true;
  $("progress").hidden = true;
  for (const bar of ["upload-bar", "job-bar"]) $(bar).value = 0;
  $("upload-text").textContent = $("job-text").textContent = "waiting";
  $("codec-note").hidden = true;
  $("analysis").hidden = $("analysis-note").hidden = $("analysis-body").hidden = true;
  delete document.body.dataset.player;
  delete document.body.dataset.analysis;
  if (videoUrl) URL.revokeObjectURL(videoUrl);
  videoUrl = null;
  $("video").removeAttribute("src");
  $("video").load();
  if (player) player.unload();
  if (timeline) timeline.clear();
  $("compare").hidden = true;
  resetComparison();
  setStatus("idle", "");
  $("file-input").disabled = false;
}

function start(file) {
  if (!file || document.body.dataset.status.match(/^(opening|uploading|confirming|queued|processing)$/)) return;
  analyse(file).catch(showError);
}

function wire() {
  const keyInput = $("api-key");
  keyInput.value = storedKey();
  if (keyInput.value) $("key-box").open = true;
  keyInput.addEventListener("change", () => {
    try {
      if (keyInput.value.trim()) localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
      else localStorage.removeItem(KEY_STORAGE);
    } catch { /* storage disabled: the key still works for this visit */ }
  });
  $("file-input").addEventListener("change", (event) => start(event.target.files[0]));
  $("again").addEventListener("click", () => { reset(); showJobInAddress(null); $("file-input").value = ""; });
  wireComparison();
  $("video").addEventListener("error", () => { if ($("video").getAttribute("src")) $("codec-note").hidden = false; });
  // Drop anywhere on the page; dragover must be cancelled or the browser opens the file itself.
  document.addEventListener("dragover", (event) => {
    event.preventDefault();
    document.body.classList.add("dragging");
  });
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) document.body.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    document.body.classList.remove("dragging");
    start(event.dataTransfer.files[0]);
  });
}

wire();
const jobInAddress = new URLSearchParams(window.location.search).get("job");
if (jobInAddress) openJob(jobInAddress).catch(showError);
