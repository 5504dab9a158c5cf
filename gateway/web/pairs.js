// The dancers' pairs in words: how much each two move together, who leads, how alike their poses are. Two or
// three dancers show every pair; a class of four or more (six pairs and up: 28 for eight) first says who is
// most and least in step with the others, and folds the pairs under a button.
import { swatchOf } from "./colours.js";
import { $ } from "./dom.js";

/** Pairs shown without asking: three dancers make three pairs. */
const PAIRS_SHOWN = 3;

/** Each dancer's mean "move together" score with every other, highest first: [{trackId, score}]. */
function inStepByDancer(pairs) {
  const scores = new Map();
  for (const pair of pairs) {
    for (const trackId of pair.track_ids) scores.set(trackId, [...(scores.get(trackId) || []), pair.score]);
  }
  return [...scores].map(([trackId, values]) => ({ trackId, score: values.reduce((a, b) => a + b, 0) / values.length }))
    .sort((a, b) => b.score - a.score || a.trackId - b.trackId);
}

/** One line for a class, as text and swatches: the dancer most in step with the others and the one least
 *  (each after a swatch of their colour); [] for three pairs or fewer. */
function inStepLine(pairs) {
  if (pairs.length <= PAIRS_SHOWN) return [];
  const ranked = inStepByDancer(pairs);
  const most = ranked[0];
  const least = ranked[ranked.length - 1];
  return ["In step with the others, on average: ", swatchOf(most.trackId),
    `dancer ${most.trackId} most (${most.score.toFixed(2)}), `, swatchOf(least.trackId),
    `dancer ${least.trackId} least (${least.score.toFixed(2)}).`];
}

function pairItem(pair) {
  const item = document.createElement("li");
  const [a, b] = pair.track_ids;
  item.dataset.trackIds = `${a},${b}`;
  const lead = pair.leader_track_id === null ? "together, no lag"
    : `dancer ${pair.leader_track_id} leads by ${Math.round(pair.lag_s * 1000)} ms`;
  const poses = pair.pose_similarity === null ? "" : `, poses ${pair.pose_similarity.toFixed(2)} alike`;
  item.append(swatchOf(a), swatchOf(b), `Dancers ${a} and ${b} move together ${pair.score.toFixed(2)} (1 = in step), ${lead}${poses}.`);
  return item;
}

/** Show the pairs (``synchrony.pairs`` of analysis.json; [] for a solo). */
export function showPairs(pairs) {
  $("synchrony-pairs").replaceChildren(...pairs.map(pairItem));
  const folded = pairs.length > PAIRS_SHOWN;
  $("synchrony-summary").replaceChildren(...inStepLine(pairs));
  $("synchrony-summary").hidden = !folded;
  $("synchrony-pairs").hidden = folded;
  $("synchrony-toggle").hidden = !folded;
  $("synchrony-toggle").textContent = `Show all ${pairs.length} pairs`;
  $("synchrony-toggle").setAttribute("aria-expanded", "false");
  $("pairs-meaning").hidden = !pairs.length;
}

/** The button that unfolds (and folds again) a class's pairs. */
export function wirePairs() {
  $("synchrony-toggle").addEventListener("click", () => {
    const showing = $("synchrony-pairs").hidden;
    $("synchrony-pairs").hidden = !showing;
    $("synchrony-toggle").setAttribute("aria-expanded", String(showing));
    $("synchrony-toggle").textContent = showing ? "Hide the pairs"
      : `Show all ${$("synchrony-pairs").children.length} pairs`;
  });
}
