// A comparison in words, from the API's result: how alike the two dances are, the timing against the
// reference (on the music, when both videos play one recording), the tempo, and what needs work where.
// The words are for the dancer: the reference is "the teacher", the attempt "you". And a score's colour.

/** The API's threshold: only segments scoring under it get feedback (``worst_segments``). */
export const FEEDBACK_BELOW = 70;
/** Tempo ratios this close to 1 read as the same tempo: 2 % is 2 BPM at 100 BPM, less than a dancer hears. */
const SAME_TEMPO = 0.02;
/** Offsets under this read as "together": about a frame at 30 fps. */
const TOGETHER_S = 0.05;
/** Ranges that end and start within this are one stretch of the dance. */
const TOUCHING_S = 0.05;
/** The body part a feedback line is about, from the joint it names ("right elbow moves differently"). */
const JOINT_PARTS = {
  elbow: "arms", wrist: "arms", arm: "arms", shoulder: "arms", knee: "legs", ankle: "legs", leg: "legs", hip: "legs",
};

/** A score's colour: red (0) through yellow to green (100); no score (nobody danced there) is grey. */
export function scoreColour(score) {
  if (score === null || score === undefined) return "hsl(0 0% 60%)";
  return `hsl(${(1.2 * Math.min(Math.max(score, 0), 100)).toFixed(1)} 75% 40%)`;
}

export function scoreText(score) {
  return score === null || score === undefined ? "no score" : `${Math.round(score)}`;
}

export function timeRange(start, end) {
  return `${start.toFixed(1)}–${end.toFixed(1)} s`;
}

/** "eight 3", "eights 3–4": the reference music's counts of eight from ``first`` to ``last``. */
function eightsText(first, last) {
  return first === last ? `eight ${first}` : `eights ${first}–${last}`;
}

/** Where a stretch of the dance is, as a teacher says it: "in eight 3 (11.2–16.0 s)" when the music's counts
 *  number it (``first``/``last``: the API's ``eight`` of its first and last segment), else "at 11.2–16.0 s". */
export function placeText(start, end, first = null, last = first) {
  if (first === null || first === undefined || last === null || last === undefined) return `at ${timeRange(start, end)}`;
  return `in ${eightsText(first, last)} (${timeRange(start, end)})`;
}

/** A segment's place for lists and tables: "Eight 3, 11.2–16.0 s", or "11.2–16.0 s" without counts. */
export function segmentPlace(segment) {
  const eight = segment.eight ?? null;
  return eight === null ? timeRange(segment.start_s, segment.end_s)
    : `Eight ${eight}, ${timeRange(segment.start_s, segment.end_s)}`;
}

/** A segment's timing as a figure: "on time", "late by 120 ms". */
export function timingText(timing) {
  if (!timing) return "";
  if (timing.verdict === "on time" || timing.offset_ms === null) return timing.verdict;
  return `${timing.verdict} by ${Math.abs(Math.round(timing.offset_ms))} ms`;
}

/** Where the compared part begins in the attempt's video against the reference's: by the music, a place in
 *  the song (the recordings), by the poses, the videos' own clocks. */
export function offsetText(result) {
  const offset = result.offset_s;
  const size = Math.abs(offset).toFixed(2);
  if (Math.abs(offset) < 0.005) return "starts together";
  if (result.aligned_by === "soundtrack") {
    return `attempt's video starts ${size} s ${offset < 0 ? "later" : "earlier"} in the song`;
  }
  return `attempt starts ${size} s ${offset > 0 ? "later" : "earlier"}`;
}

export function tempoText(result) {
  const change = Math.round(Math.abs(result.tempo_ratio - 1) * 100);
  return `×${result.tempo_ratio.toFixed(2)} `
    + (change === 0 ? "(same speed)" : `(${change} % ${result.tempo_ratio > 1 ? "slower" : "faster"})`);
}

/** "a", "a and b", "a, b and c". */
function listed(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** A shift in words: tenths of a second from 0.1 s, milliseconds under it. */
function shiftText(ms) {
  const magnitude = Math.abs(ms);
  return magnitude >= 95 ? `${(magnitude / 1000).toFixed(1)} s` : `${Math.round(magnitude)} ms`;
}

/** Segments as stretches of the dance in order of time: touching ones join when ``together(previous, next)``
 *  says so. Each stretch: {start, end, first, last, members}, first and last being the eights it spans, both
 *  null where one of its segments has none (the place is then said in seconds). */
function stretches(segments, together = () => true) {
  const runs = [];
  for (const segment of [...segments].sort((a, b) => a.start_s - b.start_s)) {
    const eight = segment.eight ?? null;
    const last = runs[runs.length - 1];
    if (last && segment.start_s - last.end <= TOUCHING_S && together(last.members[last.members.length - 1], segment)) {
      last.end = Math.max(last.end, segment.end_s);
      last.last = eight;
      if (eight === null) last.first = null;
      last.members.push(segment);
    } else {
      runs.push({ start: segment.start_s, end: segment.end_s, first: eight, last: eight, members: [segment] });
    }
  }
  return runs.map((run) => (run.first === null || run.last === null ? { ...run, first: null, last: null } : run));
}

export function likeness(score) {
  if (score >= 85) return "Very close to the teacher's dance";
  if (score >= 70) return "Close to the teacher's dance";
  if (score >= 50) return "Partly like the teacher's dance";
  if (score >= 25) return "Quite unlike the teacher's dance";
  return "Hardly like the teacher's dance";
}

/** The body part a weak segment's feedback is about (the joint it names), else the part that scored lowest there. */
export function partOf(segment) {
  const joint = /\b(elbow|wrist|arm|shoulder|knee|ankle|leg|hip)\b/.exec(segment.feedback || "");
  return joint ? JOINT_PARTS[joint[1]] : segment.body_part;
}

/** The part that scored lowest in a weak segment, where it adds to the feedback: not the part the feedback
 *  names, and not the head, whose keypoints (eyes, ears, nose) mostly say where a dancer looks (a phone, a mirror). */
export function lowestPart(segment) {
  return segment.body_part && !["head", partOf(segment)].includes(segment.body_part) ? segment.body_part : null;
}

/** Consecutive segments late (or early), as stretches with their ``verdict`` and mean shift ``ms``. */
function timingRuns(timing) {
  const off = timing.filter((segment) => segment.verdict !== "on time" && segment.offset_ms !== null);
  return stretches(off, (previous, next) => previous.verdict === next.verdict).map((run) => ({
    ...run,
    verdict: run.members[0].verdict,
    ms: run.members.reduce((sum, segment) => sum + segment.offset_ms, 0) / run.members.length,
  }));
}

function tempoClause(result) {
  const ratio = result.tempo_ratio;
  if (Math.abs(ratio - 1) < SAME_TEMPO) return "You keep the teacher's tempo";
  const change = Math.round(Math.abs(ratio - 1) * 100);
  const music = result.aligned_by === "soundtrack" ? ` (the music plays ${ratio > 1 ? "slower" : "faster"} too)` : "";
  return `You dance ${change} % ${ratio > 1 ? "slower" : "faster"} than the teacher${music}`;
}

/** Where the attempt is early or late: on the music (soundtrack), or against its own start (poses). */
function timingClause(result) {
  const runs = timingRuns(result.timing || []);
  const byMusic = result.aligned_by === "soundtrack";
  const phrases = runs.map((run) => {
    const where = placeText(run.start, run.end, run.first, run.last);
    if (byMusic) {
      return run.verdict === "late" ? `fall about ${shiftText(run.ms)} behind the teacher ${where}`
        : `rush about ${shiftText(run.ms)} ahead of the teacher ${where}`;
    }
    return `are about ${shiftText(run.ms)} ${run.verdict === "late" ? "later" : "earlier"} ${where} than in the rest of the dance`;
  });
  if (byMusic) return phrases.length ? `, but ${listed(phrases)}` : " and stay with the teacher on the music";
  const offset = result.offset_s;
  const start = Math.abs(offset) < TOGETHER_S ? "start with the teacher"
    : `start ${Math.abs(offset).toFixed(1)} s ${offset > 0 ? "after" : "before"} the teacher`;
  return phrases.length ? `; you ${start}, and ${listed(phrases)}` : `; you ${start}`;
}

/** The segments with feedback: the API's ``worst_segments``, all under FEEDBACK_BELOW (kept to it here too,
 *  for results stored by any version that gave more). */
export function weakSegments(result) {
  return (result.worst_segments || []).filter((segment) => segment.score !== null && segment.score < FEEDBACK_BELOW);
}

/** What needs work, by body part, where the API gave feedback. */
function workSentence(result) {
  const weak = weakSegments(result);
  if (!weak.length) return `Nothing stands out to fix: every part of the dance scores ${FEEDBACK_BELOW} or more.`;
  const byPart = new Map();
  for (const segment of weak) {
    const part = partOf(segment) || "the movement";
    byPart.set(part, [...(byPart.get(part) || []), segment]);
  }
  const clauses = [...byPart].map(([part, segments], index) => {
    const where = listed(stretches(segments).map((run) => placeText(run.start, run.end, run.first, run.last)));
    if (index > 0) return `${part} ${where}`;
    return `${part[0].toUpperCase()}${part.slice(1)} ${/s$/.test(part) ? "need" : "needs"} work ${where}`;
  });
  return `${clauses.join("; ")}.`;
}

/** How the two videos were put on one clock, and what that means for the times above. */
function clockSentence(result) {
  const offset = result.offset_s;
  if (result.aligned_by === "soundtrack") {
    const start = Math.abs(offset) < TOGETHER_S ? "both videos start at the same moment of the song"
      : `your video starts ${Math.abs(offset).toFixed(1)} s ${offset < 0 ? "later" : "earlier"} in the song than the teacher's`
        + " (that is the recording, not your timing)";
    return "Aligned by the music: both videos play one recording, so your timing is measured against the teacher's "
      + `on the same beat; ${start}.`;
  }
  if (result.aligned_by === "poses") {
    return `Aligned by the poses (${result.alignment_reason}): times count from the start of each video.`;
  }
  return "";
}

/** The verdict: ``lead`` (how alike, timing and tempo, what needs work) and ``notes`` (how it was aligned, mirroring). */
export function verdict(result) {
  const lead = [
    `${likeness(result.score)}: ${Math.round(result.score)} / 100.`,
    `${tempoClause(result)}${timingClause(result)}.`,
    workSentence(result),
  ];
  const notes = [clockSentence(result)];
  if (result.mirrored) notes.push("Compared as a mirror image: your video shows the dance the other way round.");
  return { lead: lead.join(" "), notes: notes.filter(Boolean).join(" ") };
}
