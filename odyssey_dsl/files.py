"""Writing bytes completely (a short write is continued, a failed one raises `OSError`), and
reading a small file without ever reading more than a limit.

`os.write` may take fewer bytes than it was given (a file-size limit, a full disk, a pipe, a
signal), and Python's buffered files do not always say so: a large `write` that the kernel
cut short returns the short count, and a caller that ignores it reports success for a
truncated output. Every output odyc writes (the compiled JSON, the job journal, downloaded
recordings) goes through `write_all`, which either writes every byte or raises.

This module stands beside the outer layers (`cli/`, `client/`): it imports nothing of odyc,
and nothing heavy, so the compile path can use it.
"""

from __future__ import annotations

import errno
import os
import select


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    """Write every byte of `data` to the file descriptor `fd`, continuing after short
    writes (and waiting when `fd` is non-blocking and full). Raises `OSError` when a write
    fails or makes no progress; bytes written before the failure stay written."""
    view = memoryview(data).cast("B")
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [])
            continue
        if written <= 0:
            raise OSError(errno.EIO, "the write made no progress")
        view = view[written:]


MAX_SETTINGS_FILE_BYTES = 16 * 1024 * 1024
"""The largest `--vars` file or configuration file odyc reads."""


def read_at_most(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the file at `path`; raises `OSError` (EFBIG, "larger than N MiB") when
    it holds more than `limit` bytes, having read no more than `limit + 1` of them (a
    settings file that is `/dev/zero` or a huge file costs no more than that)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit / 1024 / 1024:g} MiB")
    return data
