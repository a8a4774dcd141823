"""Writing an output file all at once: readers see the old file or the new one, never half.

The data goes to a temporary file in the same folder, which then replaces the target with
`os.replace` (atomic on POSIX and Windows). An existing file keeps its permissions.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace (or create) `path` with `data`. Raises `OSError`; on failure the existing
    file is untouched and no temporary file is left behind."""
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
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
