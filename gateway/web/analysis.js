// The dance analysis beside or under the player: tempi, beat timing and synchrony in words, each with a
// line saying what it means, the key figures under the video on a phone, and the timeline.
import { swatchOf } from "./colours.js";
import { $ } from "./dom.js";
import { showPairs } from "./pairs.js";
import { setBeats } from "./practice.js";
import { Timeline } from "./timeline.js";

/** What each figure means, in a dancer's words: shown beside it (and in the home page's example). */
export const MEANINGS = {
  motionTempo: "How fast the dance moves: its steps or bounces per minute, and how that sits on the music's beat.",
  musicTempo: "Beats per minute of the music in the video's own sound.",
  onBeat: "How much of the movement keeps time with the music's beat, from 0 to 1; chance is what the same "
    + "movement scores against a slightly wrong beat.",
  timing: "When a hand, foot or the head stops on a move (a hit), against the beat: early or late, on average.",
  synchrony: "Whether the dancers move in phase: R is 1 when all move as one, near chance when each dances on their own.",
  pairs: "Moving together: 1 when two dancers speed up and slow down at the same moments, 0 when unrelated.",
  energy: "Energy: how fast each dancer's joints move, second by second; the top of the row is the most energetic second.",
  counts: "Counts 1 to 8 from the music's first beat, as a teacher counts; ticks are the music's and the movement's beats.",
};

/** Fill every ``[data-meaning]`` element under ``root`` with its line from MEANINGS. */
export function fillMeanings(root = document) {
  for (const element of root.querySelectorAll("[data-meaning]")) element.textContent = MEANINGS[element.dataset.meaning];
}

let timeline = null;

export function bpmText(bpm) {
  return `${Math.round(bpm)} BPM`;
}

/** A signed offset in milliseconds as words: negative is early. */
export function offsetText(ms) {
  const rounded = Math.round(ms);
  if (rounded === 0) return "on the beat";
  return `${Math.abs(rounded)} ms ${rounded < 0 ? "early" : "late"}`;
}

/** How often the movement repeats per music beat, in a dancer's words. */
const LEVEL_WORDS = { 0.5: "every 2 beats", 1: "on the beat", 2: "twice a beat" };

/** The music's tempo levels a movement's own tempo may sit on (within ``GRID_TOLERANCE``), in words. */
const GRID_WORDS = [[0.5, "about half the music's tempo"], [1, "about the music's tempo"], [2, "about twice the music's tempo"]];
const GRID_TOLERANCE = 0.05;

export function tempoText(tempo) {
  if (tempo.motion_bpm === null) return "no steady tempo";
  const bpm = bpmText(tempo.motion_bpm);
  if (tempo.motion_source === "beat") {
    const level = LEVEL_WORDS[tempo.cycles_per_beat];
    return level ? `${bpm}, ${level}` : bpm;
  }
  if (!tempo.music_bpm) return bpm;
  // The movement's own tempo (it does not measurably follow the beat): say where it sits against the music's.
  const ratio = tempo.motion_bpm / tempo.music_bpm;
  const grid = GRID_WORDS.find(([level]) => Math.abs(ratio - level) <= GRID_TOLERANCE * level);
  return `${bpm}, ${grid ? grid[1] : `not the music's ${bpmText(tempo.music_bpm)}`}`;
}

/** analysis.json's on_beat (locking to the music's beat clock) as words and its figure against chance. Movement
 * not measured to follow a faint beat (``clearBeat`` false) may follow one the tracker cannot hear: it says so. */
export function onBeatText(onBeat, clearBeat = true) {
  const figures = `${onBeat.locking.toFixed(2)}, chance ${onBeat.chance.toFixed(2)}`;
  if (onBeat.locked) return `yes, follows the beat (${figures})`;
  return clearBeat === false ? `can't tell: the music's beat is faint (${figures})` : `not measurably (${figures})`;
}

/** The music's tempo in words: a faint beat is said to be one, and a beat the dancers follow where the
 * beat tracker heard the music's other level (3:2 to it) is said to be theirs. */
export function musicTempoText(tempo, music) {
  if (!music.has_audio) return "no audio";
  if (tempo.music_bpm === null) return "no beat found";
  const bpm = bpmText(tempo.music_bpm);
  if (music.clear_beat === false) return `${bpm}, a faint beat`;
  const tracker = music.tracker_bpm;
  if (tracker && Math.round(tracker) !== Math.round(tempo.music_bpm)) {
    return `${bpm}, the beat the dancers follow (the beat tracker heard ${Math.round(tracker)})`;
  }
  return bpm;
}

/** The group synchrony (Kuramoto R against chance) in words, or why there is none. */
export function synchronyText(synchrony, dancerCount) {
  if (!synchrony) return dancerCount < 2 ? "needs two dancers" : "no two dancers together for 2 s";
  if (!synchrony.group) return "no tempo to measure it at";
  const { R, chance } = synchrony.group;
  return `R ${R.toFixed(2)} (chance ${chance.toFixed(2)})`;
}

function showFigures(analysis) {
  fillMeanings($("analysis"));
  const { tempo, music, on_beat: onBeat, dancers, synchrony } = analysis;
  $("motion-tempo").textContent = tempoText(tempo);
  $("music-tempo").textContent = musicTempoText(tempo, music);

  if (onBeat) {
    $("beat-score").textContent = onBeatText(onBeat, music.clear_beat);
    // Hits are timed against the beat only where the movement follows it; elsewhere an average means nothing.
    const untimed = music.clear_beat === false ? "not timed: faint beat" : "not timed: off the beat";
    $("beat-offset").textContent = !onBeat.locked ? untimed
      : onBeat.mean_asynchrony_ms === null ? "not measured" : `hits ${offsetText(onBeat.mean_asynchrony_ms)} on average`;
  } else {
    const why = !music.has_audio ? "needs music" : tempo.music_bpm === null ? "no music beat" : "no beat while dancing";
    $("beat-score").textContent = $("beat-offset").textContent = why;
  }

  $("synchrony-group").textContent = synchronyText(synchrony, dancers.length);
  $("synchrony-group").parentElement.hidden = dancers.length < 2; // a solo has no one to be in step with
  showPairs(synchrony?.pairs || []);

  labelDancers(new Set(dancers.map((dancer) => dancer.track_id)));
  // Energy's unit, (torso lengths/s)², says nothing to a dancer: it is said against the group's most energetic dancer.
  const measured = dancers.filter((dancer) => dancer.energy.mean);
  const most = measured.length > 1 ? measured.reduce((a, b) => (b.energy.mean > a.energy.mean ? b : a)) : null;
  $("timeline-legend").replaceChildren(...dancers.map((dancer) => {
    const item = document.createElement("li");
    item.dataset.trackId = dancer.track_id;
    const bpm = dancer.motion_bpm === null ? "" : `, ${bpmText(dancer.motion_bpm)}`;
    const energy = !most || !dancer.energy.mean ? "" : dancer === most ? ", the most energy"
      : `, ${Math.round((100 * dancer.energy.mean) / most.energy.mean)} % of dancer ${most.track_id}'s energy`;
    item.append(swatchOf(dancer.track_id), `dancer ${dancer.track_id}${bpm}${energy}`);
    return item;
  }));
  showKeyFigures(analysis);
}

/** The key figures in one line under the video, for a narrow screen where the analysis is further down. */
function showKeyFigures({ tempo, music, on_beat: onBeat, dancers, synchrony }) {
  const parts = [tempo.motion_bpm === null ? "no steady tempo" : bpmText(tempo.motion_bpm)];
  const notFollowing = music.clear_beat === false ? "the music's beat is faint" : "not measurably on the beat";
  if (onBeat) parts.push(onBeat.locked ? "follows the beat" : notFollowing);
  if (onBeat?.locked && onBeat.mean_asynchrony_ms !== null) parts.push(`hits ${offsetText(onBeat.mean_asynchrony_ms)}`);
  if (synchrony?.group) parts.push(`together ${synchronyText(synchrony, dancers.length)}`);
  $("key-figures").textContent = parts.join(" · ");
  $("key-figures").hidden = false;
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
  setBeats(analysis.music.beats || []);
  $("analysis-body").hidden = false;
  document.body.dataset.analysis = "ready";
}

/** Hide the section and clear what it showed. */
export function resetAnalysis() {
  $("analysis").hidden = $("analysis-note").hidden = $("analysis-body").hidden = true;
  $("key-figures").hidden = true;
  delete document.body.dataset.analysis;
  setBeats([]);
  if (timeline) timeline.clear();
}
