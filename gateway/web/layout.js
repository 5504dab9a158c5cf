// Fitting the player to the window: the whole video, its controls and the key figures in view without
// scrolling, for a portrait phone video as for a landscape one, on a phone as on a wide screen. CSS sizes
// the stage from two numbers set here: the video's aspect ratio and the height the window leaves for it.
import { $ } from "./dom.js";

/** Pixels kept free under the last thing that must be seen. */
const MARGIN_PX = 8;
/** The stage is never made smaller than this: a window that small scrolls instead. */
const MIN_STAGE_PX = 160;

/** Size the stage for a ``width`` x ``height`` video, and again whenever the window or the controls change. */
export function fitStage(width, height) {
  const player = $("player");
  player.style.setProperty("--video-ratio", String(width / height));
  $("stage").style.aspectRatio = `${width} / ${height}`;
  fit();
}

/** The height left for the stage: the window's, less what is above the stage (the page's top) and what must
 *  stay in view under it (the practice bar, the key figures where they are shown). Measured, not guessed,
 *  because the bar wraps differently in a narrow column. */
function fit() {
  const player = $("player");
  if (player.hidden) return;
  const stage = $("stage").getBoundingClientRect();
  const top = stage.top + window.scrollY;
  const keep = [$("practice"), $("key-figures")].filter((element) => element.offsetParent !== null);
  const bottom = Math.max(stage.bottom, ...keep.map((element) => element.getBoundingClientRect().bottom));
  const below = bottom - stage.bottom;
  const height = Math.max(MIN_STAGE_PX, Math.floor(window.innerHeight - top - below - MARGIN_PX));
  const current = parseFloat(player.style.getPropertyValue("--stage-max-h"));
  if (!(Math.abs(current - height) < 2)) player.style.setProperty("--stage-max-h", `${height}px`);
}

/** Refit when the window is resized or the controls wrap to another line. */
export function wireLayout() {
  window.addEventListener("resize", fit);
  const observer = new ResizeObserver(() => requestAnimationFrame(fit));
  observer.observe($("practice"));
  observer.observe($("key-figures"));
}
