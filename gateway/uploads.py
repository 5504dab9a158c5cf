"""What may be uploaded: supported video types, and filenames made safe for object keys."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from infra.errors import InvalidRequest, UnsupportedFileType

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


#: Every extension some supported type takes, sorted.
SUPPORTED_EXTENSIONS = tuple(sorted({extension for extensions in SUPPORTED_TYPES.values() for extension in extensions}))


def extension_pattern() -> str:
    """A regex for a name ending in an accepted extension, in any letter case (JSON Schema has no
    ``(?i)``: ``[mM][pP]4``), trailing whitespace allowed as it is stripped."""
    any_case = [
        "".join(f"[{ch.lower()}{ch.upper()}]" if ch.isalpha() else ch for ch in ext.lstrip("."))
        for ext in SUPPORTED_EXTENSIONS
    ]
    return rf"\.({'|'.join(any_case)})\s*$"


#: Also the ``pattern`` of ``filename`` in the OpenAPI document, so both say the same.
SUPPORTED_NAME = re.compile(extension_pattern())


def check_extension(filename: str) -> str:
    """The filename, if something usable is left of it (``InvalidRequest`` otherwise) and it ends in a
    supported extension (``UnsupportedFileType`` otherwise)."""
    safe_filename(filename)
    if not SUPPORTED_NAME.search(filename):
        raise UnsupportedFileType(
            f"filename {filename!r} does not end in a video extension: use one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    return filename


def check_content_type(content_type: str) -> str:
    """The type without parameters, in lower case; raises ``UnsupportedFileType`` unless it is a video type we take."""
    normalised = content_type.split(";")[0].strip().lower()
    if normalised not in SUPPORTED_TYPES:
        raise UnsupportedFileType(
            f"unsupported file type {content_type!r}: use MP4 (video/mp4), MOV (video/quicktime) or AVI (video/x-msvideo)"
        )
    return normalised


def check_video_type(filename: str, content_type: str) -> str:
    """The normalised content type; raises ``UnsupportedFileType`` when type or extension do not fit."""
    normalised = check_content_type(content_type)
    extensions = SUPPORTED_TYPES[normalised]
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
