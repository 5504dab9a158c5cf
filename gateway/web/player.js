// The player: the video with every dancer's skeleton drawn over it, frame by frame.
import { colourOf } from "./colours.js";

/** COCO-17 bones: nose-eyes-ears, arms, torso, legs. */
const SKELETON = [[0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10],
  [5, 11], [6, 12], [11, 12], [11, 13], [13, 15], [12, 14], [14, 16]];
/** Keypoints the model is less sure of than this are not drawn. */
const MIN_VISIBILITY = 0.5;

export class SkeletonPlayer {
  constructor(video, canvas) {
    this.video = video;
    this.canvas = canvas;
    this.poses = null;
    const redraw = () => this.draw(this.video.currentTime);
    for (const name of ["loadeddata", "seeked", "pause", "timeupdate"]) video.addEventListener(name, redraw);
    new ResizeObserver(() => this.fitCanvas()).observe(canvas);
    this.watchFrames();
  }

  /** Play ``videoUrl`` (none: draw on black) with ``poses`` drawn over it (null: the video has them drawn in). */
  load(poses, videoUrl) {
    this.poses = poses;
    this.times = poses ? poses.frames.map((frame) => frame.t) : [];
    if (videoUrl) this.video.src = videoUrl; else this.video.removeAttribute("src");
    this.fitCanvas();
    this.draw(0);
  }

  unload() {
    this.poses = null;
    this.draw(0);
  }

  /** The canvas' pixels follow its CSS size (times the screen's pixel ratio), so lines stay sharp. */
  fitCanvas() {
    const ratio = window.devicePixelRatio || 1;
    const box = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.round(box.width * ratio);
    this.canvas.height = Math.round(box.height * ratio);
    this.draw(this.video.currentTime);
  }

  /** Redraw for each frame the video presents, or on every animation frame where that is not supported. */
  watchFrames() {
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
      const onFrame = (now, metadata) => {
        this.draw(metadata.mediaTime);
        this.video.requestVideoFrameCallback(onFrame);
      };
      this.video.requestVideoFrameCallback(onFrame);
    } else {
      const onTick = () => {
        if (!this.video.paused) this.draw(this.video.currentTime);
        requestAnimationFrame(onTick);
      };
      requestAnimationFrame(onTick);
    }
  }

  /** The frame whose timestamp is nearest to ``t`` seconds (binary search: frames are in order). */
  frameAt(t) {
    const times = this.times;
    let low = 0;
    let high = times.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (times[middle] < t) low = middle + 1; else high = middle;
    }
    if (low > 0 && t - times[low - 1] < times[low] - t) low -= 1;
    return this.poses.frames[low];
  }

  draw(t) {
    const { canvas, poses } = this;
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    window.__drawnPeople = 0;
    window.__drawnColours = [];
    window.__drawnFrame = null;
    if (!poses || !poses.frames.length || !canvas.width) return;
    const scaleX = canvas.width / poses.video.width;
    const scaleY = canvas.height / poses.video.height;
    const lineWidth = Math.max(2, Math.min(canvas.width, canvas.height) / 120);
    const colours = new Set();
    let people = 0;
    const frame = this.frameAt(t);
    for (const person of frame.people) {
      const points = person.keypoints.map(([x, y, visibility]) => (
        visibility >= MIN_VISIBILITY ? [x * scaleX, y * scaleY] : null));
      if (!points.some(Boolean)) continue;
      const colour = colourOf(person.track_id);
      context.strokeStyle = context.fillStyle = colour;
      context.lineWidth = lineWidth;
      context.lineCap = "round";
      context.beginPath();
      for (const [a, b] of SKELETON) {
        if (!points[a] || !points[b]) continue;
        context.moveTo(...points[a]);
        context.lineTo(...points[b]);
      }
      context.stroke();
      for (const point of points.filter(Boolean)) {
        context.beginPath();
        context.arc(point[0], point[1], lineWidth * 1.2, 0, 2 * Math.PI);
        context.fill();
      }
      colours.add(colour);
      people += 1;
    }
    window.__drawnPeople = people;
    window.__drawnColours = [...colours];
    window.__drawnFrame = frame.index;
  }
}
