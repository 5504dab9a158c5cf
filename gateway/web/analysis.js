// The dance analysis under the player: tempi, beat timing and synchrony in words, and the timeline.
import { colourOf } from "./colours.js";
import { $ } from "./dom.js";
import { Timeline } from "./timeline.js";

let timeline = null;

function bpmText(bpm) {
  return `${Math.round(bpm)} BPM`;
}

/** A signed offset in milliseconds as words: negative is early. */
function offsetText(ms) {
  const rounded = Math.round(ms);
  if (rounded === 0) return "on the beat";
  return `${Math.abs(rounded)} ms ${rounded < 0 ? "early" : "late"}`;
}

/** How often the movement repeats per music beat, in a dancer's words. */
const LEVEL_WORDS = { 0.5: "every 2 beats", 1: "on the beat", 2: "twice a beat" };

function tempoText(tempo) {
  if (tempo.motion_bpm === null) return "no steady tempo";
  const level = tempo.motion_source === "beat" ? LEVEL_WORDS[tempo.cycles_per_beat] : null;
  return level ? `${bpmText(tempo.motion_bpm)}, ${level}` : bpmText(tempo.motion_bpm);
}

/** analysis.json's on_beat (locking to the music's beat clock) as words and its figure against chance. */
function onBeatText(onBeat) {
  const figures = `${onBeat.locking.toFixed(2)}, chance ${onBeat.chance.toFixed(2)}`;
  return onBeat.locked ? `yes, follows the beat (${figures})` : `not measurably (${figures})`;
}

function showFigures(analysis) {
  const { tempo, music, on_beat: onBeat, dancers, synchrony } = analysis;
  $("motion-tempo").textContent = tempoText(tempo);
  if (!music.has_audio) $("music-tempo").textContent = "no audio";
  else $("music-tempo").textContent = tempo.music_bpm === null ? "no beat found" : bpmText(tempo.music_bpm);

  if (onBeat) {
    $("beat-score").textContent = onBeatText(onBeat);
    // Hits are timed against the beat only where the movement follows it; elsewhere an average means nothing.
    $("beat-offset").textContent = !onBeat.locked ? "not timed: off the beat"
      : onBeat.mean_asynchrony_ms === null ? "not measured" : `hits ${offsetText(onBeat.mean_asynchrony_ms)} on average`;
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

  labelDancers(new Set(dancers.map((dancer) => dancer.track_id)));
  $("timeline-legend").replaceChildren(...dancers.map((dancer) => {
    const item = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = colourOf(dancer.track_id);
    const bpm = dancer.motion_bpm === null ? "" : `, ${bpmText(dancer.motion_bpm)}`;
    item.append(swatch, `dancer ${dancer.track_id}${bpm}`);
    return item;
  }));
}

/** The player's legend names the analysis' dancers; the others tracked are one line, not a list. */
function labelDancers(dancerIds) {
  const others = [];
  for (const item of document.querySelectorAll("#legend li[data-track-id]")) {
    const id = Number(item.dataset.trackId);
    if (dancerIds.has(id)) item.lastChild.textContent = `dancer ${id}`;
    else others.push(item);
    item.hidden = !dancerIds.has(id);
  }
  document.getElementById("legend-others")?.remove();
  if (!others.length) return;
  const note = document.createElement("li");
  note.id = "legend-others";
  note.textContent = `and ${others.length} ${others.length === 1 ? "other person" : "others"} seen too little to count as `
    + `${others.length === 1 ? "a dancer" : "dancers"}`;
  note.title = others.map((item) => item.lastChild.textContent).join(", ");
  $("legend").append(note);
}

function showAnalysisNote(text) {
  $("analysis-note").textContent = text;
  $("analysis-note").hidden = false;
}

/** Fetch and show analysis.json; its absence or failure is a note, never an error of the page. */
export async function showAnalysis(job) {
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

/** Hide the section and clear what it showed. */
export function resetAnalysis() {
  $("analysis").hidden = $("analysis-note").hidden = $("analysis-body").hidden = true;
  delete document.body.dataset.analysis;
  if (timeline) timeline.clear();
}
