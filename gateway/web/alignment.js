// comparison.json's alignment: which moment of the attempt was danced to each moment of the reference.

/** Seconds either side over which the alignment's slope (the attempt's speed against the reference) is taken. */
const SLOPE_WINDOW_S = 0.25;

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
export class Alignment {
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
