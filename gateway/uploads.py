"""What may be uploaded: supported video types, and filenames made safe for object keys."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from common.errors import InvalidRequest, UnsupportedFileType

#: Content types we accept, with the file extensions that go with each.
SUPPORTED_TYPES: dict[str, frozenset[str]] = {
    "video/mp4": frozenset({".mp4", ".m4v"}),
    "video/quicktime": frozenset({".mov", ".qt"}),
    "video/x-msvideo": frozenset({".avi"}),
    "video/avi": frozenset({".avi"}),
    "video/msvideo": frozenset({".avi"}),
}
DEFAULT_CONTENT_TYPE = "video/mp4"
#: Whitespace and URL-special characters become "_", so a key pasted unencoded into a query
#: string (as the API doc's curl example does) still arrives intact; other unicode is kept.
UNSAFE_IN_URLS = re.compile(r"[\s&?#%+=]+")
#: Bytes of UTF-8 kept from a filename: S3 keys may be 1024 bytes; ours stay short and readable.
MAX_FILENAME_BYTES = 200


def check_video_type(filename: str, content_type: str) -> str:
    """The normalised content type; raises ``UnsupportedFileType`` when type or extension do not fit."""
    normalised = content_type.split(";")[0].strip().lower()
    extensions = SUPPORTED_TYPES.get(normalised)
    if extensions is None:
        raise UnsupportedFileType(
            f"unsupported file type {content_type!r}: use MP4 (video/mp4), MOV (video/quicktime) or AVI (video/x-msvideo)"
        )
    extension = PurePosixPath(filename).suffix.lower()
    if extension not in extensions:
        raise UnsupportedFileType(
            f"filename extension {extension or '(none)'!r} does not match content type {normalised}: "
            f"expected one of {', '.join(sorted(extensions))}"
        )
    return normalised


def safe_filename(filename: str) -> str:
    """The last path component, without control or URL-special characters, bounded in length."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    name = UNSAFE_IN_URLS.sub("_", name)
    if not name:
        raise InvalidRequest(f"filename {filename!r} has no usable name")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    suffix = f".{extension}" if dot else ""
    while len((stem + suffix).encode()) > MAX_FILENAME_BYTES and stem:
        stem = stem[:-1]
    return stem + suffix
