// The page's address: ``?job=ID`` names the job shown, so a reload or a shared link opens it again.

export function jobInAddress() {
  return new URLSearchParams(window.location.search).get("job");
}

/** Put ``jobId`` in the address (none: take it out), without a new history entry; other parameters stay. */
export function showJobInAddress(jobId) {
  const address = new URL(window.location.href);
  if (jobId) address.searchParams.set("job", jobId); else address.searchParams.delete("job");
  if (address.href !== window.location.href) history.replaceState(null, "", address);
}
