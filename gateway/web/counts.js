// Counting the music as a dance teacher does: 1 to 8 from the first beat of the music, then again.

/** Beats in one count: "5, 6, 7, 8" leads into the next eight. */
export const COUNTS_PER_PHRASE = 8;

/** The count (1..8) of the ``index``-th beat (0 is the first beat of the music). */
export function countOf(index) {
  return (index % COUNTS_PER_PHRASE) + 1;
}

/** Index of the last beat at or before ``t`` seconds in ``beats`` (sorted seconds); -1 before the first. */
export function beatIndexAt(beats, t) {
  let low = 0;
  let high = beats.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (beats[middle] <= t) low = middle + 1; else high = middle;
  }
  return low - 1;
}

/** The count being danced at ``t`` seconds, or null before the first beat, after the last one's
 *  interval, or without beats. */
export function countAt(beats, t) {
  if (!beats || !beats.length) return null;
  const index = beatIndexAt(beats, t);
  if (index < 0) return null;
  const last = beats.length - 1;
  if (index === last && last > 0 && t - beats[last] > beats[last] - beats[last - 1]) return null; // the music has stopped
  return countOf(index);
}
