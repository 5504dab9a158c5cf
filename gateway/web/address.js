// The page's address: ``?job=ID`` names the job shown, ``?compare=ID`` the comparison (``&report=1``: as a
// printable report), so a reload or a shared link opens them again.

export function jobInAddress() {
  return new URLSearchParams(window.location.search).get("job");
}

/** Put ``jobId`` in the address (none: take it out), without a new history entry; other parameters stay. */
export function showJobInAddress(jobId) {
  const address = new URL(window.location.href);
  if (jobId) address.searchParams.set("job", jobId); else address.searchParams.delete("job");
  if (address.href !== window.location.href) history.replaceState(null, "", address);
}

/** ``?compare=ID``: the comparison shown, so a reload or a shared link opens it again. */
export function comparisonInAddress() {
  return new URLSearchParams(window.location.search).get("compare");
}

/** ``?report=1`` with ``?compare=ID``: the comparison as a printable report, nothing else on the page. */
export function reportInAddress() {
  return Boolean(comparisonInAddress()) && new URLSearchParams(window.location.search).get("report") === "1";
}

/** Put ``comparisonId`` in the address (none: take it out), without a new history entry; other parameters stay. */
export function showComparisonInAddress(comparisonId) {
  const address = new URL(window.location.href);
  if (comparisonId) address.searchParams.set("compare", comparisonId); else address.searchParams.delete("compare");
  address.searchParams.delete("report");
  if (address.href !== window.location.href) history.replaceState(null, "", address);
}

/** The address that opens ``comparisonId`` (as a report with ``report``), for links and sharing. */
export function comparisonAddress(comparisonId, { report = false } = {}) {
  const address = new URL(document.baseURI);
  address.search = "";
  address.hash = "";
  address.searchParams.set("compare", comparisonId);
  if (report) address.searchParams.set("report", "1");
  return address.href;
}
