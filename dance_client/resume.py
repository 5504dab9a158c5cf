"""Resume records: which job an interrupted upload in parts of a file belongs to, kept until it completes."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from dance_client.video import Video


def uploads_cache(environ: Mapping[str, str], home: Path | None = None) -> Path:
    """Where resume records live: ``$XDG_CACHE_HOME/dance-analysis/uploads`` (``~/.cache`` without it)."""
    cache = Path(environ.get("XDG_CACHE_HOME") or (home or Path.home()) / ".cache")
    return cache / "dance-analysis" / "uploads"


class ResumeRecord:
    """Which job an upload of this file (same path, size and modification time, same API) belongs to."""

    def __init__(self, video: Video, api: str, directory: Path) -> None:
        stat = video.path.stat()
        fingerprint = f"{video.path.resolve()}|{video.size}|{stat.st_mtime_ns}|{api}"
        self.path = directory / f"{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}.json"

    def job_id(self) -> str | None:
        """The job of an earlier upload of this file, if one was recorded."""
        try:
            return json.loads(self.path.read_text())["job_id"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, job_id: str) -> None:
        """Record that this file's upload is ``job_id``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"job_id": job_id}))

    def forget(self) -> None:
        """Drop the record: the upload is complete, or over."""
        self.path.unlink(missing_ok=True)
