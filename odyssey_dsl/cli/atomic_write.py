"""Writing `-o PATH`: a file all at once, anything else directly.

A regular file (or a path that does not exist yet) is replaced in one step: the data goes to
a temporary file in the same folder, which then replaces the target with `os.replace`
(atomic on POSIX and Windows), so readers see the old file or the new one, never half. An
existing file keeps its permissions; a symbolic link keeps pointing where it did, at the new
contents.

Anything else that exists (a character device such as `/dev/null` or `/dev/stdout` on a
terminal, a FIFO, a socket) is written to directly, as a shell redirection would: renaming
over it would replace the device or pipe with a regular file. A path that names odyc's own
standard output or error writes to that descriptor.

Every byte is written or `OSError` is raised (see `odyssey_dsl.files.write_all`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from odyssey_dsl.files import write_all


def write_output_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` (bytes, or chunks of them) to `path` as `-o PATH` does (see the module
    docstring). Raises
    `OSError`; when writing a regular file fails, the existing file is untouched and no
    temporary file is left behind."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        write_atomically(path, data)
        return
    if stat.S_ISREG(info.st_mode):
        write_atomically(path, data)
    elif stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    else:
        _write_directly(path, info, data)


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace (or create) the regular file `path` with `data`. Raises `OSError`; on failure
    the existing file is untouched and no temporary file is left behind."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # update the file the link points to
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        try:
            for chunk in _chunks(data):
                write_all(descriptor, chunk)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _chunks(data: bytes | Iterable[bytes]) -> Iterable[bytes]:
    return (data,) if isinstance(data, bytes) else data


def _write_directly(path: Path, info: os.stat_result, data: bytes | Iterable[bytes]) -> None:
    """Write into the existing non-regular file `path` (`info` is its `stat`)."""
    for own in (1, 2):  # /dev/stdout, /dev/fd/2, /proc/self/fd/1 ...
        if _same_file(own, info):
            for chunk in _chunks(data):
                write_all(own, chunk)
            return
    if stat.S_ISSOCK(info.st_mode):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(path))
            for chunk in _chunks(data):
                connection.sendall(chunk)
        return
    # no O_CREAT and no O_TRUNC: this opens what is there, or fails
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise OSError(f"'{path}' changed while odyc was opening it; nothing was written")
        for chunk in _chunks(data):
            write_all(fd, chunk)
    finally:
        os.close(fd)


def _same_file(fd: int, info: os.stat_result) -> bool:
    try:
        own = os.fstat(fd)
    except OSError:
        return False
    return (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino)


def _umask() -> int:
    """The process's umask (new files get 0o666 minus it, as `open` would create them)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as status,
    ):
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current
