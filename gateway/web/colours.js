// One colour per dancer (track id), the same on the skeletons, the legends, the timeline and the lists,
// and in the overlay video: pose_worker/overlay.py draws with this very list (a unit test holds the two
// equal, and the browser tests hold the page's skeletons to its legend).

/** Far apart in hue and lightness so dancers side by side are told apart (Trubetskoy's list of 20
 *  distinct colours without white, black, navy and grey, which vanish on some videos); id 1 is the first. */
export const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
  "#ffe119", "#469990", "#dcbeff", "#9a6324", "#fabed4", "#800000", "#aaffc3", "#808000"];
/** People the tracker gave no id. */
export const UNTRACKED_COLOUR = "#ffffff";

/** Track ids 1, 2, 3, … take the palette's colours in order, and start again after the last one. */
export function colourOf(trackId) {
  if (trackId === null || trackId === undefined) return UNTRACKED_COLOUR;
  return PALETTE[((trackId - 1) % PALETTE.length + PALETTE.length) % PALETTE.length];
}

/** A round swatch in a track's colour, as the legends show it. */
export function swatchOf(trackId) {
  const swatch = document.createElement("i");
  swatch.className = "swatch";
  swatch.style.background = colourOf(trackId);
  return swatch;
}
