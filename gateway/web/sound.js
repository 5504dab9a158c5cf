// The original video's sound played along with another picture: when a browser cannot decode the original's
// picture (HEVC phone videos in most browsers without hardware decoding), the page shows the overlay video
// (H.264, no sound) and this keeps the original's soundtrack on the overlay's clock: play, pause, seek,
// speed and pitch follow it.

/** Seconds the sound may drift from the picture before it is put back (about a third of a beat at 120 BPM). */
const MAX_DRIFT_S = 0.15;

export class SoundFollower {
  /** ``video`` is the element the dancer controls; the sound follows it. */
  constructor(video) {
    this.video = video;
    this.audio = new Audio();
    this.audio.preload = "auto";
    this.audio.id = "soundtrack"; // in the page (unseen: no controls), so it can be found and checked
    video.after(this.audio);
    this.url = null;
    const follow = (name, action) => video.addEventListener(name, () => { if (this.url) action(); });
    follow("play", () => { this.align(); this.audio.play().catch(() => {}); });
    follow("pause", () => this.audio.pause());
    follow("waiting", () => this.audio.pause()); // the picture is buffering: the sound waits for it
    follow("playing", () => { this.align(); this.audio.play().catch(() => {}); });
    follow("seeked", () => this.align());
    follow("ratechange", () => this.followRate());
    follow("volumechange", () => { this.audio.muted = video.muted; this.audio.volume = video.volume; });
    follow("timeupdate", () => { if (Math.abs(this.audio.currentTime - video.currentTime) > MAX_DRIFT_S) this.align(); });
  }

  /** Play the sound of ``url`` along with the video; null stops it. */
  follow(url) {
    this.url = url;
    if (!url) {
      this.audio.pause();
      this.audio.removeAttribute("src");
      this.audio.load();
      return;
    }
    this.audio.src = url;
    this.followRate();
    this.align();
  }

  followRate() {
    this.audio.preservesPitch = this.video.preservesPitch;
    this.audio.playbackRate = this.video.playbackRate;
  }

  align() {
    this.audio.currentTime = this.video.currentTime;
  }

  /** Whether the sound plays now (for the page's state and its tests). */
  get playing() {
    return Boolean(this.url) && !this.audio.paused;
  }
}
