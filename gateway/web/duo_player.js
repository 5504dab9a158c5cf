// Two videos on one clock: the reference leads, the attempt follows it along the alignment; a stretch of
// the reference's clock can be looped (practising one segment).

/** Seconds the attempt may be off its aligned time while playing before it is moved there outright;
 *  below that only its playback rate steers it back, because a seek stutters. */
const MAX_DRIFT_S = 0.25;
/** How fast the rate steers drift away: 1 corrects 0.1 s of drift at 0.1x faster or slower. */
const STEER_PER_S = 1;

/** Two videos on one clock: the reference leads, the attempt follows it along the alignment; playing,
 *  pausing or seeking either one does the same to the other. */
export class DuoPlayer {
  constructor(reference, attempt, onTime) {
    this.reference = reference;
    this.attempt = attempt;
    this.onTime = onTime;
    this.alignment = null;
    /** The stretch of the reference's clock being looped, {start, end} in seconds, or null. */
    this.looping = null;
    this.steering = false;
    this.ownSeek = false; // the attempt's next "seeked" is ours, not the user's
    this.driven = { play: 0, pause: 0 }; // the attempt's play and pause events we caused
    reference.addEventListener("seeking", () => this.follow());
    reference.addEventListener("loadedmetadata", () => this.follow());
    attempt.addEventListener("loadedmetadata", () => this.follow());
    reference.addEventListener("timeupdate", () => {
      this.onTime(reference.currentTime);
      this.wrap();
    });
    reference.addEventListener("ended", () => { // a loop to the end of the video starts again from there
      if (this.looping) this.loop(this.looping.start, this.looping.end);
    });
    reference.addEventListener("play", () => {
      if (this.target() < (this.attempt.duration || Infinity)) this.drive(true);
      this.steer();
    });
    reference.addEventListener("pause", () => {
      this.drive(false);
      this.follow();
    });
    attempt.addEventListener("play", () => {
      if (this.driven.play) this.driven.play -= 1;
      else if (this.reference.paused) this.reference.play().catch(() => {});
    });
    attempt.addEventListener("pause", () => {
      if (this.driven.pause) this.driven.pause -= 1;
      else if (!this.attempt.ended) this.reference.pause(); // the attempt may end first; the reference plays on
    });
    attempt.addEventListener("seeked", () => {
      if (this.ownSeek) this.ownSeek = false;
      else if (this.alignment) this.reference.currentTime = Math.max(this.alignment.referenceTime(this.attempt.currentTime), 0);
    });
  }

  load(referenceUrl, attemptUrl, alignment) {
    this.alignment = alignment;
    for (const [video, url] of [[this.reference, referenceUrl], [this.attempt, attemptUrl]]) {
      if (url) video.src = url; else video.removeAttribute("src");
    }
  }

  unload() {
    this.alignment = null;
    this.looping = null;
    for (const video of [this.reference, this.attempt]) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
  }

  /** The attempt's time aligned with the reference's present one. */
  target() {
    return this.alignment ? Math.max(this.alignment.attemptTime(this.reference.currentTime), 0) : 0;
  }

  seek(referenceT) {
    this.reference.currentTime = referenceT; // its "seeking" moves the attempt
  }

  /** Play the reference's ``start``..``end`` (seconds) over and over, the attempt following. */
  loop(start, end) {
    this.looping = { start, end };
    this.seek(start);
    if (this.reference.paused) this.reference.play().catch(() => {});
  }

  stopLoop() {
    this.looping = null;
  }

  /** Back to the loop's start once the reference has passed its end. */
  wrap() {
    const { looping, reference } = this;
    if (looping && !reference.seeking && reference.currentTime >= looping.end) this.seek(looping.start);
  }

  /** Put the attempt where the reference is (unless it is there already). */
  follow() {
    this.onTime(this.reference.currentTime);
    if (!this.alignment || this.attempt.readyState < HTMLMediaElement.HAVE_METADATA) return;
    const target = this.target();
    if (Math.abs(this.attempt.currentTime - target) > 0.02) this.seekAttempt(target);
  }

  seekAttempt(t) {
    const { attempt } = this;
    const wasEnded = attempt.ended;
    this.ownSeek = true;
    attempt.currentTime = t;
    if (wasEnded && !this.reference.paused && t < attempt.duration) this.drive(true);
  }

  /** Play or pause the attempt on the reference's behalf; its events then are not taken for the user's. */
  drive(play) {
    const { attempt } = this;
    if (play !== attempt.paused) return;
    this.driven[play ? "play" : "pause"] += 1;
    if (play) attempt.play().catch(() => {}); else attempt.pause();
    if (!play) attempt.playbackRate = 1;
  }

  /** While the reference plays, every animation frame: steer the attempt's rate along the alignment's
   *  slope, correcting drift, and seek it when it is too far off. */
  steer() {
    if (this.steering) return;
    this.steering = true;
    const tick = () => {
      const { reference, attempt, alignment } = this;
      if (reference.paused || reference.ended || !alignment) {
        this.steering = false;
        return;
      }
      this.onTime(reference.currentTime);
      this.wrap();
      const target = this.target();
      if (!attempt.seeking && !attempt.paused && target < attempt.duration) {
        const drift = attempt.currentTime - target;
        if (Math.abs(drift) > MAX_DRIFT_S) this.seekAttempt(target);
        const rate = reference.playbackRate * alignment.slope(reference.currentTime) - drift * STEER_PER_S;
        attempt.playbackRate = Math.min(Math.max(rate, 0.25), 4);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}
