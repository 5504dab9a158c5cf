"""Every object key in the bucket: uploads under ``uploads/{job}/``, results under ``results/{job}/``,
comparisons beside them. The one module that spells a prefix.

The gateway signs uploads to these keys, the listener recognises them in bucket events, workers write
results, the API hands them out, deletion and retention remove them by prefix, provisioning sets the
bucket's event filter and lifecycle rules on them.
"""
from __future__ import annotations

#: What a client uploads: the bucket sends events for this prefix only (operations/provision.py).
UPLOADS_PREFIX = "uploads/"
#: Results are rewritten on a retry, so the bucket keeps no old versions of them (operations/provision.py).
RESULTS_PREFIX = "results/"
#: Every prefix that holds a job's objects.
JOB_PREFIXES = (UPLOADS_PREFIX, RESULTS_PREFIX)


def job_uploads_prefix(job_id: str) -> str:
    return f"{UPLOADS_PREFIX}{job_id}/"


def upload_key(job_id: str, filename: str) -> str:
    """Where a job's video is uploaded: ``uploads/{job}/{filename}``."""
    return f"{job_uploads_prefix(job_id)}{filename}"


def job_results_prefix(job_id: str) -> str:
    return f"{RESULTS_PREFIX}{job_id}/"


#: A job's soundtrack features (``choreo.soundtrack``), written beside analysis.json for comparisons.
SOUNDTRACK_FILE = "soundtrack.json"


def results_key(job_id: str, name: str) -> str:
    """A job's result file: ``results/{job}/poses.json``, ``overlay.mp4``, ``analysis.json``, ``soundtrack.json``."""
    return f"{job_results_prefix(job_id)}{name}"


def soundtrack_key(job_id: str) -> str:
    """``results/{job}/soundtrack.json``: absent for jobs analysed before it was kept, or without analysis."""
    return results_key(job_id, SOUNDTRACK_FILE)


def chunks_prefix(job_id: str) -> str:
    """A split job's chunk poses, kept until the merge has used them."""
    return f"{job_results_prefix(job_id)}chunks/"


def chunk_key(job_id: str, index: int) -> str:
    return f"{chunks_prefix(job_id)}{index}.json"


def comparison_key(comparison_id: str) -> str:
    return f"{RESULTS_PREFIX}comparisons/{comparison_id}/comparison.json"
