// The finished job: the player (the original video with its sound, the picked file or the job's upload,
// the skeletons drawn over it), its legend, summary and links; then the dance analysis beside or under it.
import { showJobInAddress } from "./address.js";
import { showAnalysis } from "./analysis.js";
import { fetchFromBucket } from "./api.js";
import { colourOf } from "./colours.js";
import { $ } from "./dom.js";
import { fitStage } from "./layout.js";
import { SkeletonPlayer } from "./player.js";
import { resetPractice } from "./practice.js";
import { SoundFollower } from "./sound.js";

let player = null;
let sound = null;
let videoUrl = null;
/** Aborted when the player turns to another video, so an earlier video's events change nothing. */
let shown = new AbortController();

const CODEC_NOTES = {
  overlay: "This browser cannot show this video's picture (its codec, often HEVC from a phone), so the overlay "
    + "video plays instead: the skeletons drawn in, at a smaller size, with the original's sound.",
  black: "This browser cannot show this video's picture (its codec, often HEVC from a phone), so the skeletons "
    + "are drawn on black.",
};

/** ``file`` is the picked video; without one (a job opened by id) the job's upload, ``video_url``, is played. */
export async function showResult(job, file) {
  const poses = await fetchFromBucket(job.result.poses_url, "poses.json");
  if (document.body.dataset.jobId !== job.job_id) return; // the page turned to another job meanwhile
  showJobInAddress(job.job_id);
  $("progress").hidden = true; // the upload and the analysis are done: the card would push the video down
  $("player").hidden = false;
  fitStage(poses.video.width, poses.video.height);
  const { frames, people_max: peopleMax, tracks, overlay_url: overlayUrl, poses_url: posesUrl } = job.result;
  videoUrl = file ? URL.createObjectURL(file) : null;
  player = player || new SkeletonPlayer($("video"), $("skeletons"));
  sound = sound || new SoundFollower($("video"));
  playOriginal(poses, videoUrl || job.result.video_url, overlayUrl);
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

/** Play ``original`` (with its sound) under the skeletons; where the browser shows only its sound or nothing
 *  (a codec it cannot decode), the overlay video's picture with the original's sound, else skeletons on black. */
function playOriginal(poses, original, overlayUrl) {
  shown.abort();
  shown = new AbortController();
  const { signal } = shown;
  const video = $("video");
  video.muted = false;
  sound.follow(null);
  player.load(poses, original);
  document.body.dataset.media = "original";
  const fallBack = () => {
    if (signal.aborted) return;
    shown.abort(); // once
    $("codec-note").textContent = CODEC_NOTES[overlayUrl ? "overlay" : "black"];
    $("codec-note").hidden = false;
    if (overlayUrl) {
      player.load(null, overlayUrl); // skeletons drawn in
      sound.follow(original);
      document.body.dataset.media = "overlay";
    } else {
      document.body.dataset.media = "black"; // its sound may still play
    }
  };
  // Chromium plays an HEVC file's sound and reports a picture of 0 x 0; a file it cannot open at all is an error.
  video.addEventListener("loadedmetadata", () => { if (!video.videoWidth) fallBack(); }, { signal });
  video.addEventListener("error", fallBack, { signal });
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
  shown.abort();
  $("player").hidden = true;
  $("codec-note").hidden = true;
  delete document.body.dataset.player;
  delete document.body.dataset.media;
  if (videoUrl) URL.revokeObjectURL(videoUrl);
  videoUrl = null;
  if (sound) sound.follow(null);
  $("video").removeAttribute("src");
  $("video").load();
  if (player) player.unload();
  resetPractice();
}
