#!/usr/bin/env python3
"""Upload a video to the Dance Analysis API and, if asked, wait for its poses and dance analysis.

    python scripts/dev/upload_video.py path/to/video.mp4 --direct          # recommended
    python scripts/dev/upload_video.py path/to/video.mp4 --direct --wait   # and follow the job
    python scripts/dev/upload_video.py big.mp4 --direct --resume JOB_ID    # go on after an interruption

The client is the ``dance_client`` package (installed, it is the ``dance`` command: ``dance upload``
uploads straight to storage by default); this script keeps its options and, without ``--direct``,
the deprecated upload through the API. Standard library only: it runs wherever Python 3.11 does.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's package, installed or not
from dance_client.cli import upload_script_main  # noqa: E402

PROG = "upload_video.py"


def main(argv: list[str] | None = None) -> int:
    """Run the script; 0 when the job was queued (or, with --wait, completed), 1 on a failure."""
    return upload_script_main(argv, PROG)


if __name__ == "__main__":
    sys.exit(main())
