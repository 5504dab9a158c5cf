"""Each worker's folder for downloaded videos and partial results, and cleaning up after dead ones."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "worker-"


def claim_scratch_dir(base: Path | None) -> Path:
    """This process's folder under ``base``; folders of workers that died (kill -9) are removed.

    A killed worker cannot clean up after itself, and its video may be gigabytes.
    """
    base = base or Path(tempfile.gettempdir()) / "dance-pose-worker"
    base.mkdir(parents=True, exist_ok=True)
    for folder in base.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX):]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed %s, left by a worker that is gone", folder)
    mine = base / f"{PREFIX}{os.getpid()}"
    mine.mkdir(exist_ok=True)
    return mine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True
