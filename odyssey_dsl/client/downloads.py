"""Downloading a job's recordings (video, thumbnail, preview, events) into a folder.

Names: `<scene>.<script>.<stream>.<kind><ext>`, e.g. `cat_window.script-0.str_1a2b.video.mp4`
or `batch.intro.str_9f00.events.json` — the scene file's stem, the script's name in a batch
(`script-N` by its index otherwise), the stream id and the kind of file. Every part is reduced
to letters, digits, `.`, `_` and `-`, so no server-provided value can escape the folder.

Safety and resumability:
- A file is written to `<name>.part` and renamed to its final name only once the number of
  bytes received matches what the server announced (Content-Length, or the total of
  Content-Range). So a file with its final name is complete: a later run only checks its size
  against a HEAD request's Content-Length and skips it (fetching it again only if the sizes
  differ; if the server refuses HEAD, as a URL presigned for GET may, the file is trusted).
- A `.part` left by an interrupted run (or a dropped connection) is continued with a
  `Range: bytes=N-` request; a server that ignores the range (200) gets a fresh download.
- Presigned URLs carry their own signature: they are fetched by a separate HTTP client that
  has no `Authorization` header, so the API's bearer token never leaves for them.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from odyssey_dsl.files import write_all

RECORDING_KINDS: tuple[str, ...] = ("video", "thumbnail", "preview", "events")
"""Kinds of file each stream may have, in download order."""

DEFAULT_EXTENSIONS: dict[str, str] = {
    "video": ".mp4",
    "thumbnail": ".jpg",
    "preview": ".mp4",
    "events": ".json",
}
PART_SUFFIX = ".part"
CHUNK_SIZE = 64 * 1024
_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}")
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


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


@dataclass(frozen=True)
class DownloadResult:
    """What happened to one file."""

    item: DownloadItem
    skipped: bool
    """True when the complete file was already there (its body was not fetched again)."""
    size: int
    resumed_from: int = 0
    """Bytes saved by an earlier, interrupted attempt (a `.part` file) that were not fetched
    again: the download was continued from there with a Range request."""


class DownloadError(Exception):
    """A file could not be downloaded. The message names the file, never a URL's signature."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


ProgressCallback = Callable[[DownloadItem, int, int | None], None]
"""Called as bytes arrive: (item, bytes so far, total bytes or None if unknown)."""


def safe_name_part(value: str, *, max_length: int = 80) -> str:
    """`value` reduced to characters that are safe in a file name on every platform."""
    cleaned = _SAFE_CHARS.sub("_", value).strip("._")
    return cleaned[:max_length] or "_"


def script_label(script_index: int | None, script_names: Sequence[str] | None) -> str:
    """The script part of a file name: its batch name when known, else `script-N`."""
    if script_index is None:
        return "script"
    if script_names is not None and 0 <= script_index < len(script_names):
        return safe_name_part(script_names[script_index])
    return f"script-{script_index}"


def file_extension(url: str, kind: str) -> str:
    """The extension of the URL's path (`.mp4`, `.webp`, ...), else the kind's usual one."""
    suffix = Path(urlsplit(url).path).suffix
    if _EXTENSION.fullmatch(suffix):
        return suffix.lower()
    return DEFAULT_EXTENSIONS[kind]


def plan_downloads(
    streams: Sequence[StreamFiles],
    dest: Path,
    scene_stem: str,
    script_names: Sequence[str] | None = None,
) -> list[DownloadItem]:
    """Every file of every stream that has a URL, with the path it will be saved at."""
    stem = safe_name_part(scene_stem)
    items: list[DownloadItem] = []
    for stream in streams:
        label = script_label(stream.script_index, script_names)
        stream_part = safe_name_part(stream.stream_id)
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
            name = f"{stem}.{label}.{stream_part}.{kind}{file_extension(url, kind)}"
            items.append(DownloadItem(url, dest / name, kind, stream.stream_id))
    return items


def recordings_http_client(timeout: float = 60.0) -> httpx.Client:
    """An HTTP client for presigned URLs: no Authorization header, redirects followed."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
        follow_redirects=True,
        headers={"Accept-Encoding": "identity"},
    )


def download_file(
    http: httpx.Client,
    item: DownloadItem,
    *,
    on_progress: ProgressCallback | None = None,
    attempts: int = 4,
    retry_delay: float = 0.25,
) -> DownloadResult:
    """Fetch one file atomically and resumably (see the module docstring).

    Connection problems are retried up to `attempts` times, each continuing from the bytes
    already saved. Raises `DownloadError` when the server refuses the file or the retries run
    out, and `OSError` when the file cannot be written.
    """
    if item.path.exists():
        size = item.path.stat().st_size
        remote = _remote_size(http, item.url)
        if remote is None or remote == size:
            return DownloadResult(item, skipped=True, size=size, resumed_from=size)
        # the file differs from the server's: fetch it again (it is replaced only at the end)
    item.path.parent.mkdir(parents=True, exist_ok=True)
    last_problem = ""
    for attempt in range(attempts):
        try:
            size, started_at = _fetch_into_part(http, item, _part_size(item.part_path), on_progress)
        except httpx.TransportError as error:
            last_problem = _describe_transport_error(error)
        except _IncompleteTransfer as error:
            last_problem = str(error)
        else:
            os.replace(item.part_path, item.path)
            return DownloadResult(item, skipped=False, size=size, resumed_from=started_at)
        if attempt + 1 < attempts:
            time.sleep(retry_delay * (2**attempt))
    raise DownloadError(
        f"could not download {item.path.name} after {attempts} attempts ({last_problem}); "
        f"run the same command again to continue from the {_part_size(item.part_path)} bytes "
        "already saved"
    )


def download_all(
    items: Sequence[DownloadItem],
    *,
    http: httpx.Client | None = None,
    on_progress: ProgressCallback | None = None,
    on_done: Callable[[DownloadResult], None] | None = None,
) -> list[DownloadResult]:
    """Download every item in turn (see `download_file`); stops at the first failure."""
    own_client = http is None
    client = http if http is not None else recordings_http_client()
    results: list[DownloadResult] = []
    try:
        for item in items:
            result = download_file(client, item, on_progress=on_progress)
            results.append(result)
            if on_done is not None:
                on_done(result)
    finally:
        if own_client:
            client.close()
    return results


class _IncompleteTransfer(Exception):
    """The body ended before the announced length (the connection was cut)."""


def _remote_size(http: httpx.Client, url: str) -> int | None:
    """The file's size from a HEAD request, or None when the server does not say.

    Storage services often refuse HEAD on a URL presigned for GET (the signature covers the
    method): then the saved file is trusted, since it got its name only once complete.
    """
    try:
        response = http.head(url)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return _int_or_none(response.headers.get("content-length"))


def _part_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _describe_transport_error(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "the server stopped answering"
    return "the connection was lost"


def _fetch_into_part(
    http: httpx.Client,
    item: DownloadItem,
    offset: int,
    on_progress: ProgressCallback | None,
) -> tuple[int, int]:
    """One GET, appending to (or restarting) the `.part` file.

    Returns the complete size and the offset the bytes received in this request started at.
    """
    headers = {"Range": f"bytes={offset}-"} if offset > 0 else {}
    with http.stream("GET", item.url, headers=headers) as response:
        expected: int | None
        if response.status_code == 416 and offset > 0:
            total = _content_range(response.headers.get("content-range"))[2]
            if total == offset:
                return offset, offset  # the .part already holds the whole file
            item.part_path.unlink(missing_ok=True)
            raise _IncompleteTransfer("the saved part did not match the file on the server")
        if response.status_code == 206 and offset > 0:
            start, _, total = _content_range(response.headers.get("content-range"))
            if start != offset:
                item.part_path.unlink(missing_ok=True)
                raise _IncompleteTransfer("the server resent the file from another position")
            expected, mode = total, "ab"
        elif response.status_code == 200:
            offset, mode = 0, "wb"
            expected = _int_or_none(response.headers.get("content-length"))
        else:
            raise DownloadError(
                f"could not download {item.path.name}: the server answered HTTP "
                f"{response.status_code}"
                + (" (the link may have expired)" if response.status_code in (403, 410) else ""),
                response.status_code,
            )
        done = offset
        with open(item.part_path, mode, buffering=0) as out:
            if on_progress is not None:
                on_progress(item, done, expected)
            for chunk in response.iter_raw(CHUNK_SIZE):
                write_all(out.fileno(), chunk)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(item, done, expected)
            os.fsync(out.fileno())
            _check_saved_size(out.fileno(), done, item.part_path)
    if expected is not None and done != expected:
        raise _IncompleteTransfer(f"received {done} of {expected} bytes")
    return done, offset


def _check_saved_size(fd: int, expected: int, path: Path) -> None:
    """Raise `OSError` unless the file open at `fd` holds `expected` bytes."""
    saved = os.fstat(fd).st_size
    if saved != expected:
        raise OSError(errno.EIO, f"only {saved} of {expected} bytes reached the disk", str(path))


def _content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """(first byte, last byte, total) of a Content-Range header; None where unknown."""
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if match is None:
        return None, None, None
    first, last, total = match.groups()
    return _int_or_none(first), _int_or_none(last), _int_or_none(total)


def _int_or_none(value: str | None) -> int | None:
    if value is None or not value.isdigit():
        return None
    return int(value)
