// The finished job: the player (the picked file, or the overlay video, with the skeletons drawn over
// it), its legend, summary and links; then the dance analysis under it.
import { showJobInAddress } from "./address.js";
import { showAnalysis } from "./analysis.js";
import { fetchFromBucket } from "./api.js";
import { colourOf } from "./colours.js";
import { $ } from "./dom.js";
import { SkeletonPlayer } from "./player.js";

let player = null;
let videoUrl = null;

/** ``file`` is the picked video; without one (a job opened by id) the overlay video, skeletons drawn in, stands in. */
export async function showResult(job, file) {
  const poses = await fetchFromBucket(job.result.poses_url, "poses.json");
  if (document.body.dataset.jobId !== job.job_id) return; // the page turned to another job meanwhile
  showJobInAddress(job.job_id);
  $("player").hidden = false;
  $("stage").style.aspectRatio = `${poses.video.width} / ${poses.video.height}`;
  const { frames, people_max: peopleMax, tracks, overlay_url: overlayUrl, poses_url: posesUrl } = job.result;
  videoUrl = file ? URL.createObjectURL(file) : null;
  player = player || new SkeletonPlayer($("video"), $("skeletons"));
  // No file and no overlay: the skeletons are drawn on black.
  player.load(file || !overlayUrl ? poses : null, videoUrl || overlayUrl);
  showLegend(poses);
  $("summary").textContent = `${frames} frames, up to ${peopleMax} ${peopleMax === 1 ? "person" : "people"} at once, `
    + `${tracks} ${tracks === 1 ? "person" : "people"} tracked.`;
  $("poses-link").href = posesUrl;
  $("overlay-link").hidden = !overlayUrl;
  if (overlayUrl) $("overlay-link").href = overlayUrl;
  $("file-input").disabled = false;
  document.body.dataset.player = "ready";
  $("compare").hidden = false;
  await showAnalysis(job);
}

function showLegend(poses) {
  const ids = new Set(poses.frames.flatMap((frame) => frame.people.map((person) => person.track_id)));
  const legend = $("legend");
  legend.replaceChildren(...[...ids].sort((a, b) => (a ?? -1) - (b ?? -1)).map((id) => {
    const item = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = colourOf(id);
    // Who of them is a dancer the analysis says (analysis.js relabels them); until then, people.
    item.append(swatch, id === null ? "untracked" : `person ${id}`);
    if (id !== null) item.dataset.trackId = id;
    return item;
  }));
}

/** Hide the player and let go of the video it played. */
export function resetResult() {
  $("player").hidden = true;
  $("codec-note").hidden = true;
  delete document.body.dataset.player;
  if (videoUrl) URL.revokeObjectURL(videoUrl);
  videoUrl = null;
  $("video").removeAttribute("src");
  $("video").load();
  if (player) player.unload();
}
