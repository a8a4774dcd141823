"""Which files a job's recordings become, and what they are called.

Names: `<scene>.<script>.<stream>.<kind><ext>`, e.g. `cat_window.script-0.str_1a2b.video.mp4`
or `batch.intro.str_9f00.events.json`: the scene file's stem, the script's name in a batch
(`script-N` by its index otherwise), the stream id and the kind of file.

Every part is reduced to letters, digits, `.`, `_` and `-`, so no value from the server can
escape the folder. A stream id that had to be changed for that (`a/b`, or one longer than 80
characters) gets a short hash of the original appended (`a_b-3f2c91d0`), so it cannot take
the name of another stream (`a_b`); two files of one job that still end up with the same name
are numbered (`….video-2.mp4`). Nothing of one stream is ever written over another's.

The extension comes from odyc's own list for each kind of file (`ALLOWED_EXTENSIONS`): the
URL's extension is used when it is on that list, else the kind's usual one. A server cannot
make odyc save a `.exe`, `.desktop` or `.html`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

RECORDING_KINDS: tuple[str, ...] = ("video", "thumbnail", "preview", "events")
"""Kinds of file each stream may have, in download order."""

ALLOWED_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "video": (".mp4", ".webm", ".mov", ".mkv"),
    "thumbnail": (".jpg", ".png", ".webp", ".gif", ".avif"),
    "preview": (".mp4", ".webm", ".gif", ".webp", ".jpg", ".png"),
    "events": (".json", ".jsonl"),
}
"""The extensions a file of each kind may get; the first is the one used by default."""

_SYNONYMS = {".jpeg": ".jpg", ".ndjson": ".jsonl"}
PART_SUFFIX = ".part"
MAX_NAME_PART = 80
_HASH_CHARS = 8
_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class StreamFiles(Protocol):
    """What a download needs from a stream (the API client's `StreamInfo` fits)."""

    @property
    def stream_id(self) -> str: ...
    @property
    def script_index(self) -> int | None: ...
    @property
    def video_url(self) -> str | None: ...
    @property
    def thumbnail_url(self) -> str | None: ...
    @property
    def preview_url(self) -> str | None: ...
    @property
    def events_url(self) -> str | None: ...


@dataclass(frozen=True)
class DownloadItem:
    """One file to fetch: from `url` to `path` (its final name)."""

    url: str
    path: Path
    kind: str
    stream_id: str

    @property
    def part_path(self) -> Path:
        return self.path.with_name(self.path.name + PART_SUFFIX)


def safe_name_part(value: str, *, max_length: int = MAX_NAME_PART) -> str:
    """`value` reduced to characters that are safe in a file name on every platform."""
    cleaned = _SAFE_CHARS.sub("_", value).strip("._")
    return cleaned[:max_length] or "_"


def stream_name_part(stream_id: str) -> str:
    """The stream part of a file name: the id itself when it is safe as it is, else its
    safe form and a hash of the original (so `a/b` and `a_b` never share a name)."""
    cleaned = safe_name_part(stream_id)
    if cleaned == stream_id:
        return cleaned
    digest = hashlib.sha256(stream_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{cleaned[: MAX_NAME_PART - _HASH_CHARS - 1]}-{digest[:_HASH_CHARS]}"


def script_label(script_index: int | None, script_names: Sequence[str] | None) -> str:
    """The script part of a file name: its batch name when known, else `script-N`."""
    if script_index is None:
        return "script"
    if script_names is not None and 0 <= script_index < len(script_names):
        return safe_name_part(script_names[script_index])
    return f"script-{script_index}"


def file_extension(url: str, kind: str) -> str:
    """The URL's extension if it is on the kind's list (`ALLOWED_EXTENSIONS`), else the
    kind's usual one."""
    allowed = ALLOWED_EXTENSIONS[kind]
    try:
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    except ValueError:  # e.g. "http://[::1": refused when it is fetched
        return allowed[0]
    suffix = _SYNONYMS.get(suffix, suffix)
    return suffix if suffix in allowed else allowed[0]


def plan_downloads(
    streams: Sequence[StreamFiles],
    dest: Path,
    scene_stem: str,
    script_names: Sequence[str] | None = None,
) -> list[DownloadItem]:
    """Every file of every stream that has a URL, each with a path of its own."""
    stem = safe_name_part(scene_stem)
    items: list[DownloadItem] = []
    taken: set[str] = set()
    for stream in streams:
        label = script_label(stream.script_index, script_names)
        stream_part = stream_name_part(stream.stream_id)
        urls = {
            "video": stream.video_url,
            "thumbnail": stream.thumbnail_url,
            "preview": stream.preview_url,
            "events": stream.events_url,
        }
        for kind in RECORDING_KINDS:
            url = urls[kind]
            if not url:
                continue
            name = _unique(f"{stem}.{label}.{stream_part}.{kind}", file_extension(url, kind), taken)
            items.append(DownloadItem(url, dest / name, kind, stream.stream_id))
    return items


def _unique(base: str, extension: str, taken: set[str]) -> str:
    """`base + extension`, numbered (`base-2.ext`) if the plan already holds that name.

    Compared without case, as on the file systems of macOS and Windows.
    """
    name, number = base + extension, 1
    while name.casefold() in taken:
        number += 1
        name = f"{base}-{number}{extension}"
    taken.add(name.casefold())
    return name
