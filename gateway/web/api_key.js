// The API key box: what is typed into it is kept in this browser (localStorage) for the next visit.
import { $ } from "./dom.js";

const KEY_STORAGE = "dance-analysis.api-key";

function storedKey() {
  try { return localStorage.getItem(KEY_STORAGE) ?? ""; } catch { return ""; } // storage may be disabled
}

/** Fill the box with the remembered key (opened when there is one) and remember every change. */
export function wireApiKey() {
  const keyInput = $("api-key");
  keyInput.value = storedKey();
  if (keyInput.value) $("key-box").open = true;
  keyInput.addEventListener("change", () => {
    try {
      if (keyInput.value.trim()) localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
      else localStorage.removeItem(KEY_STORAGE);
    } catch { /* storage disabled: the key still works for this visit */ }
  });
}
