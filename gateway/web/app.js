// The Dance Analysis page: upload a video straight to the bucket (the three steps of the API doc),
// follow the job live, then play the video with every dancer's skeleton drawn over it, and under it
// the dance analysis: tempi, beat timing, synchrony and a timeline of energy and beats.
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

/** A JSON call to the gateway; its {"error": {"code", "message"}} becomes an ApiError. */
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
async function followJob(jobId, onJob) {
  const url = new URL(`${encodeURIComponent(jobId)}/events`, API_BASE);
  let job = null;
  try {
    // EventSource cannot send an Authorization header; with a key, the same stream is read with fetch.
    job = Object.keys(authHeaders()).length ? await streamWithFetch(url, onJob) : await streamWithEventSource(url, onJob);
  } catch (exc) {
    if (exc instanceof ApiError) throw exc;
    console.warn("job event stream failed, polling instead", exc);
  }
  while (!job || !FINAL_STATUSES.has(job.status)) { // the stream ended early: poll
    job = await callApi(encodeURIComponent(jobId));
    onJob(job);
    if (!FINAL_STATUSES.has(job.status)) await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
  }
  return job;
}

function streamWithEventSource(url, onJob) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(url);
    source.addEventListener("job", (event) => {
      const job = JSON.parse(event.data);
      onJob(job);
      if (FINAL_STATUSES.has(job.status)) { source.close(); resolve(job); }
    });
    // A dropped stream is reopened by EventSource itself; a refused one (4xx) is closed for good,
    // and a plain GET then tells why.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) callApi(url.pathname.replace(/\/events$/, "")).then(resolve, reject);
    };
  });
}

async function streamWithFetch(url, onJob) {
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
      if (!lines.includes("event: job") || !data.length) continue; // heartbeats, retry hints
      const job = JSON.parse(data.join("\n"));
      onJob(job);
      if (FINAL_STATUSES.has(job.status)) { reader.cancel(); return job; }
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

  load(poses, videoUrl) {
    this.poses = poses;
    this.times = poses.frames.map((frame) => frame.t);
    this.video.src = videoUrl;
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

async function analyse(file) {
  reset();
  $("file-input").disabled = true;
  $("progress").hidden = false;
  $("file-name").textContent = `${file.name} (${megabytes(file.size)})`;
  setStatus("uploading", "");
  const contentType = contentTypeOf(file);
  const upload = await callApi("upload-url", {
    method: "POST", body: { filename: file.name, content_type: contentType, size: file.size },
  });
  setStatus("uploading", upload.job_id);
  $("job-line").textContent = `Job ${upload.job_id}`;
  await putToBucket(upload.upload_url, file, contentType, (sent, total) => {
    $("upload-bar").value = sent / total;
    $("upload-text").textContent = `${megabytes(sent)} of ${megabytes(total)}`;
  });
  $("upload-bar").value = 1;
  $("upload-text").textContent = "uploaded";
  setStatus("confirming");
  await callApi("confirm", { method: "POST", body: { job_id: upload.job_id, s3_key: upload.s3_key } });
  const job = await followJob(upload.job_id, showJob);
  if (job.status !== "completed") {
    const reason = job.error ? job.error.message : `the job ended ${STATUS_LABELS[job.status] || job.status}`;
    throw new ApiError(`The analysis did not complete: ${reason}`, job.error?.code || job.status);
  }
  await showResult(job, file);
}

async function showResult(job, file) {
  let response;
  try {
    response = await fetch(job.result.poses_url);
  } catch (exc) {
    throw new ApiError(`poses.json could not be fetched from the bucket (${exc.message}).`);
  }
  if (!response.ok) throw new ApiError(`The bucket answered ${response.status} for poses.json.`, "", response.status);
  const poses = await response.json();
  $("player").hidden = false;
  $("stage").style.aspectRatio = `${poses.video.width} / ${poses.video.height}`;
  videoUrl = URL.createObjectURL(file);
  player = player || new SkeletonPlayer($("video"), $("skeletons"));
  player.load(poses, videoUrl);
  showLegend(poses);
  const { frames, people_max: peopleMax, tracks, overlay_url: overlayUrl, poses_url: posesUrl } = job.result;
  $("summary").textContent = `${frames} frames, up to ${peopleMax} people at once, ${tracks} tracks.`;
  $("poses-link").href = posesUrl;
  $("overlay-link").hidden = !overlayUrl;
  if (overlayUrl) $("overlay-link").href = overlayUrl;
  $("file-input").disabled = false;
  document.body.dataset.player = "ready";
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
  setStatus("idle", "");
  $("file-input").disabled = false;
}

function start(file) {
  if (!file || document.body.dataset.status.match(/^(uploading|confirming|queued|processing)$/)) return;
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
  $("again").addEventListener("click", () => { reset(); $("file-input").value = ""; });
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
