"""Downloading a job's recordings (video, thumbnail, preview, events) into a folder.

The files and their names are planned by `download_plan` (re-exported here); this module
fetches them.

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

Limits (`DownloadLimits`): a file may not be larger than `max_bytes` (2 GiB by default: a
larger announced size is refused before any byte is saved, and a body that goes on past it
is stopped and its `.part` removed); when no byte arrives for `stall_seconds` (30 s), the
transfer is resumed from where it stopped, up to `attempts` times, then given up; and an
optional `deadline` bounds the whole download (its `.part` files stay, for the next run).
Only http and https URLs are fetched.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from odyssey_dsl.client.download_plan import (
    RECORDING_KINDS,
    DownloadItem,
    StreamFiles,
    file_extension,
    plan_downloads,
    safe_name_part,
)
from odyssey_dsl.files import write_all

__all__ = [
    "RECORDING_KINDS",
    "DownloadError",
    "DownloadItem",
    "DownloadLimits",
    "DownloadResult",
    "DownloadTimedOut",
    "DownloadTooLarge",
    "StreamFiles",
    "download_all",
    "download_file",
    "file_extension",
    "plan_downloads",
    "recordings_http_client",
    "safe_name_part",
]

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
"""The largest file a download accepts unless told otherwise (2 GiB)."""
DEFAULT_STALL_SECONDS = 30.0
"""A transfer that brings no byte for this long is resumed (then given up)."""
CONNECT_SECONDS = 15.0
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


@dataclass(frozen=True)
class DownloadLimits:
    """How large a file may be, how long a transfer may stall, and when to give up."""

    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    stall_seconds: float = DEFAULT_STALL_SECONDS
    deadline: float | None = None
    """A `time.monotonic()` value after which downloading stops (None: no deadline)."""

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or not self.stall_seconds > 0:
            raise ValueError("max_bytes and stall_seconds must be positive")

    def read_timeout(self, item: DownloadItem) -> float:
        """How long one read may wait: the stall time, or what is left before the deadline.

        Raises `DownloadTimedOut` once the deadline has passed.
        """
        if self.deadline is None:
            return self.stall_seconds
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DownloadTimedOut(
                f"the time limit ran out before {item.path.name} was complete; run the same "
                f"command again to continue from the {_part_size(item.part_path)} bytes saved"
            )
        return min(self.stall_seconds, left)


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


class DownloadTooLarge(DownloadError):
    """The file is larger than `DownloadLimits.max_bytes` (nothing of it is kept)."""


class DownloadTimedOut(DownloadError):
    """`DownloadLimits.deadline` passed (the `.part` file stays, to be continued)."""


ProgressCallback = Callable[[DownloadItem, int, int | None], None]
"""Called as bytes arrive: (item, bytes so far, total bytes or None if unknown)."""


def recordings_http_client(timeout: float = DEFAULT_STALL_SECONDS) -> httpx.Client:
    """An HTTP client for presigned URLs: no Authorization header, redirects followed (at
    most 10), and bytes saved as they come (no decompression)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_SECONDS)),
        follow_redirects=True,
        max_redirects=10,
        headers={"Accept-Encoding": "identity"},
    )


def download_file(
    http: httpx.Client,
    item: DownloadItem,
    *,
    limits: DownloadLimits | None = None,
    on_progress: ProgressCallback | None = None,
    attempts: int = 4,
    retry_delay: float = 0.25,
) -> DownloadResult:
    """Fetch one file atomically and resumably, within `limits` (see the module docstring).

    Connection problems and stalls are retried up to `attempts` times, each continuing from
    the bytes already saved. Raises `DownloadError` (`DownloadTooLarge`, `DownloadTimedOut`)
    when the URL is not one odyc fetches, the server refuses the file, the file is too large,
    time runs out or the retries run out; `OSError` when the file cannot be written.
    """
    limits = limits if limits is not None else DownloadLimits()
    problem = url_problem(item.url)
    if problem is not None:
        raise DownloadError(f"cannot download {item.path.name}: the server's URL {problem}")
    if item.path.exists():
        size = item.path.stat().st_size
        remote = _remote_size(http, item, limits)
        if remote is None or remote == size:
            return DownloadResult(item, skipped=True, size=size, resumed_from=size)
        # the file differs from the server's: fetch it again (it is replaced only at the end)
    item.path.parent.mkdir(parents=True, exist_ok=True)
    last_problem = ""
    for attempt in range(attempts):
        wait = limits.read_timeout(item)
        try:
            offset = _part_size(item.part_path)
            size, started_at = _fetch_into_part(http, item, offset, limits, wait, on_progress)
        except httpx.TimeoutException:
            last_problem = f"no data arrived for {wait:g} s"
        except (httpx.UnsupportedProtocol, httpx.TooManyRedirects) as error:
            raise DownloadError(f"cannot download {item.path.name}: {_describe(error)}") from None
        except httpx.HTTPError as error:  # the connection broke, or the answer was garbled
            last_problem = _describe(error)
        except _IncompleteTransfer as error:
            last_problem = str(error)
        else:
            os.replace(item.part_path, item.path)
            return DownloadResult(item, skipped=False, size=size, resumed_from=started_at)
        if attempt + 1 < attempts:
            time.sleep(min(retry_delay * (2**attempt), limits.read_timeout(item)))
    raise DownloadError(
        f"could not download {item.path.name} after {attempts} attempts ({last_problem}); "
        f"run the same command again to continue from the {_part_size(item.part_path)} bytes "
        "already saved"
    )


def url_problem(url: str) -> str | None:
    """Why odyc will not fetch `url`, or None: only http(s) URLs with a host are fetched."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "cannot be read as a URL"
    if parsed.scheme not in ("http", "https"):
        return "is not an http or https URL"
    if not parsed.host:
        return "has no host name"
    return None


def download_all(
    items: Sequence[DownloadItem],
    *,
    http: httpx.Client | None = None,
    limits: DownloadLimits | None = None,
    on_progress: ProgressCallback | None = None,
    on_done: Callable[[DownloadResult], None] | None = None,
) -> list[DownloadResult]:
    """Download every item in turn (see `download_file`); stops at the first failure."""
    own_client = http is None
    client = http if http is not None else recordings_http_client()
    results: list[DownloadResult] = []
    try:
        for item in items:
            result = download_file(client, item, limits=limits, on_progress=on_progress)
            results.append(result)
            if on_done is not None:
                on_done(result)
    finally:
        if own_client:
            client.close()
    return results


class _IncompleteTransfer(Exception):
    """The body ended before the announced length (the connection was cut)."""


def _remote_size(http: httpx.Client, item: DownloadItem, limits: DownloadLimits) -> int | None:
    """The file's size from a HEAD request, or None when the server does not say.

    Storage services often refuse HEAD on a URL presigned for GET (the signature covers the
    method): then the saved file is trusted, since it got its name only once complete.
    """
    try:
        response = http.head(item.url, timeout=_timeout(limits.read_timeout(item)))
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


def _describe(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TooManyRedirects):
        return "the server redirected it too many times"
    if isinstance(error, httpx.UnsupportedProtocol):
        return "the server redirected it to a URL that is not http or https"
    if isinstance(error, httpx.TransportError):
        return "the connection was lost"
    return "the server's answer could not be read"


def _timeout(read_seconds: float) -> httpx.Timeout:
    return httpx.Timeout(read_seconds, connect=min(read_seconds, CONNECT_SECONDS))


def _fetch_into_part(
    http: httpx.Client,
    item: DownloadItem,
    offset: int,
    limits: DownloadLimits,
    read_timeout: float,
    on_progress: ProgressCallback | None,
) -> tuple[int, int]:
    """One GET, appending to (or restarting) the `.part` file; each read waits at most
    `read_timeout` seconds.

    Returns the complete size and the offset the bytes received in this request started at.
    """
    headers = {"Range": f"bytes={offset}-"} if offset > 0 else {}
    timeout = _timeout(read_timeout)
    with http.stream("GET", item.url, headers=headers, timeout=timeout) as response:
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
        if expected is not None and expected > limits.max_bytes:
            item.part_path.unlink(missing_ok=True)
            raise _too_large(item, limits, f"the server announces {expected} bytes")
        done = offset
        with open(item.part_path, mode, buffering=0) as out:
            if on_progress is not None:
                on_progress(item, done, expected)
            for chunk in response.iter_raw():  # as they arrive: a stall loses nothing
                done += len(chunk)
                if done > limits.max_bytes:
                    out.close()
                    item.part_path.unlink(missing_ok=True)
                    raise _too_large(item, limits, f"it goes on past {limits.max_bytes} bytes")
                write_all(out.fileno(), chunk)
                if on_progress is not None:
                    on_progress(item, done, expected)
                limits.read_timeout(item)  # raises DownloadTimedOut once the deadline passed
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


def _too_large(item: DownloadItem, limits: DownloadLimits, why: str) -> DownloadTooLarge:
    return DownloadTooLarge(
        f"{item.path.name} is larger than the limit of {limits.max_bytes} bytes ({why}); "
        "nothing of it was kept"
    )


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
