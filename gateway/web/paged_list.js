// A list of the caller's records read from the API a page at a time, newest first ("Your recent jobs",
// "Your comparisons"): loading, "More", a key the gateway asks for, errors in words. Each list says what
// its rows look like; this keeps answers in order (an answer to an earlier load, of another key or filter,
// is never shown over a later one).
import { callApi, errorDetails } from "./api.js";
import { $ } from "./dom.js";

/** Records per page, as the API's default. */
const PAGE_SIZE = 20;
/** The API's most per page. */
const MAX_PAGE_SIZE = 100;

export class PagedList {
  /** ``ids``: the section, list, "More" button, error and note elements' ids; ``url``: the endpoint;
   *  ``field``: the records' field in a page; ``noun``: what they are, plural ("jobs"); ``row(record)``:
   *  the list item of one; ``query(url)``: adds a filter; ``keep(record)``: whether to show it;
   *  ``emptyNote()``: what to say when there are none; ``sizeParam``: the address parameter that sets
   *  the page size (the tests use 2). */
  constructor({ ids, url, field, noun, row, query = () => {}, keep = () => true, emptyNote, sizeParam }) {
    Object.assign(this, { ids, url, field, noun, row, query, keep, emptyNote, sizeParam });
    this.nextCursor = null;
    this.loadRun = 0;
    $(ids.more).addEventListener("click", () => { if (this.nextCursor) this.load(this.nextCursor); });
  }

  pageSize() {
    const asked = Math.floor(Number(new URLSearchParams(window.location.search).get(this.sizeParam)));
    return asked >= 1 ? Math.min(asked, MAX_PAGE_SIZE) : PAGE_SIZE;
  }

  showNote(text) {
    $(this.ids.note).textContent = text;
  }

  showError(text, error) {
    const details = errorDetails(error);
    $(this.ids.error).textContent = details ? `${text}\n(${details})` : text;
    $(this.ids.error).hidden = false;
  }

  /** Say so when the list is empty. */
  noteIfEmpty() {
    if (!$(this.ids.list).children.length) this.showNote(this.emptyNote());
  }

  /** The first page again: something was made or ended, the key or the filter changed. */
  refresh() {
    return this.load(null);
  }

  async load(cursor) {
    const { ids } = this;
    this.loadRun += 1;
    const run = this.loadRun;
    const url = new URL(this.url);
    url.searchParams.set("limit", this.pageSize());
    this.query(url);
    if (cursor) url.searchParams.set("cursor", cursor);
    $(ids.section).dataset.state = "loading";
    $(ids.more).disabled = true;
    let page;
    try {
      page = await callApi(url);
    } catch (error) {
      if (run !== this.loadRun) return;
      $(ids.more).disabled = false;
      if (error.status === 401) { // the gateway wants a key: the list is that key's
        $(ids.list).replaceChildren();
        $(ids.more).hidden = true;
        $(ids.error).hidden = true;
        this.showNote(`This gateway needs an API key: enter it under “API key” above to see your ${this.noun}.`);
        $(ids.section).dataset.state = "needs-key";
      } else {
        this.showError(`Your ${this.noun} could not be listed: ${error.message}`, error);
        $(ids.section).dataset.state = "error";
      }
      return;
    }
    if (run !== this.loadRun) return;
    const rows = page[this.field].filter(this.keep).map(this.row);
    if (cursor) $(ids.list).append(...rows); else $(ids.list).replaceChildren(...rows);
    this.nextCursor = page.next_cursor;
    $(ids.more).hidden = !this.nextCursor;
    $(ids.more).disabled = false;
    $(ids.error).hidden = true;
    this.showNote("");
    this.noteIfEmpty();
    $(ids.section).dataset.state = "ready";
  }
}
