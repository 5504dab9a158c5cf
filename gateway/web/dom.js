// Small helpers every part of the page uses: find an element, say a size in words.

export const $ = (id) => document.getElementById(id);

export function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A new ``tag`` element of ``className`` with ``text`` in it. */
export function element(tag, className, text = "") {
  const made = document.createElement(tag);
  made.className = className;
  made.textContent = text;
  return made;
}
