"""Where results live in the bucket: one folder per job under ``results/``, comparisons beside them.

Workers write these keys, the API hands them out, deletion and retention remove them by prefix.
"""
from __future__ import annotations

#: Results are rewritten on a retry, so the bucket keeps no old versions of them (common/provision.py).
RESULTS_PREFIX = "results/"


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
