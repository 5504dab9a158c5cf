"""What a file holds, stream by stream, as the bundled ffmpeg lists them: to name why a file that is
no video is refused (an audio file, a song with its cover picture) instead of calling it damaged.

OpenCV says only that it could not open a file, or, for a song with a cover picture, opens the
picture as a one-frame "video". ``ffmpeg -i`` lists the streams it finds in a few milliseconds
(it reads the headers, decodes nothing) and then exits with "At least one output file must be
specified"; only its stream lines are read here.
"""
from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

#: Listing streams reads headers only; a file that takes longer is left to OpenCV to judge.
PROBE_TIMEOUT_S = 30
#: ``Stream #0:1[0x2](und): Audio: aac (LC) ...``: the kind, then the rest of the line.
_STREAM_LINE = re.compile(r"^\s*Stream #\d+:\d+\S*: (\w+): (.*)$", re.MULTILINE)
#: What a video stream that is really one still picture (cover art) says at the end of its line.
_ATTACHED_PICTURE = "(attached pic)"


def stream_kinds(path: Path) -> list[str] | None:
    """The kinds of the file's streams in order ("video", "audio", "subtitle", "data", "attachment", and
    "picture" for a cover picture); None when ffmpeg is missing or lists nothing (it cannot read the file)."""
    try:
        import imageio_ffmpeg

        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
        listed = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=PROBE_TIMEOUT_S, check=False
        )
    except (ImportError, RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        log.warning("streams of %s not listed: %r", path.name, exc)
        return None
    kinds = [
        "picture" if kind == "Video" and rest.rstrip().endswith(_ATTACHED_PICTURE) else kind.lower()
        for kind, rest in _STREAM_LINE.findall(listed.stderr)
    ]
    return kinds or None


def no_video_message(kinds: Sequence[str] | None) -> str | None:
    """Why a file with these streams is not a video, for ``InvalidVideo``; None when it has a video
    stream, or when nothing is known about its streams."""
    if not kinds or "video" in kinds:
        return None
    names = {"audio": "audio", "picture": "a still picture"}
    held = [names.get(kind, f"{kind} streams") for kind in dict.fromkeys(kinds)]
    return f"the file has no video stream (only {' and '.join(held)})"
