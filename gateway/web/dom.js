// Small helpers every part of the page uses: find an element, say a size in words.

export const $ = (id) => document.getElementById(id);

export function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
