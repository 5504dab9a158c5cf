// One colour per dancer (track id), the same on the skeletons, the legends and the timeline.

/** Far apart in hue so neighbouring dancers are told apart. */
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
  "#f032e6", "#bfef45", "#ffe119", "#469990", "#dcbeff", "#9a6324"];
const UNTRACKED_COLOUR = "#ffffff";

export function colourOf(trackId) {
  if (trackId === null || trackId === undefined) return UNTRACKED_COLOUR;
  return PALETTE[((trackId - 1) % PALETTE.length + PALETTE.length) % PALETTE.length];
}
