"""The file to upload: found, measured, typed, and read in chunks."""
from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dance_client.api import CONTENT_TYPES
from dance_client.errors import VideoUnreadable

#: Bytes read and sent per write: big enough for full speed, small enough for a smooth bar.
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Video:
    """The file to upload: where it is, how big, and the type it is declared as."""

    path: Path
    size: int
    content_type: str


def open_video(path_text: str, content_type: str | None) -> Video:
    """The video at ``path_text``, with its type from ``content_type`` or its extension."""
    path = Path(path_text)
    if not path.exists():
        raise VideoUnreadable(f"no such file: {path}")
    if not path.is_file():
        raise VideoUnreadable(f"not a regular file: {path}")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise VideoUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc
    return Video(path, size, content_type or guess_content_type(path))


def guess_content_type(path: Path) -> str:
    """The MIME type the API expects for the file's extension, else the system's guess."""
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def file_range(path: Path, start: int, length: int) -> Iterator[bytes]:
    """Exactly ``length`` bytes of the file from ``start``, in chunks."""
    with path.open("rb") as file:
        file.seek(start)
        while length:
            chunk = file.read(min(CHUNK_BYTES, length))
            if not chunk:
                raise VideoUnreadable(f"{path} shrank while it was being uploaded")
            length -= len(chunk)
            yield chunk
