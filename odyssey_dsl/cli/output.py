"""What odyc writes on standard output, written completely or reported.

Results (the compiled JSON, `--json` documents, tables, recordings) are encoded here and
written with `files.write_all`, which continues short writes and raises on failures; a
failure becomes `OutputError` (the CLI prints it and exits 2), except a closed pipe
(`odyc ... | head`), which stays a `BrokenPipeError` for `cli.main` to end quietly.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO, cast

from odyssey_dsl.files import write_all

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


class OutputError(Exception):
    """An output could not be written completely (a full disk, a file-size limit, ...)."""


def print_result(text: str = "", *, stream: TextIO | None = None) -> None:
    """`text` and a newline on stdout (or `stream`), in the stream's encoding."""
    out = stream if stream is not None else sys.stdout
    encoding = getattr(out, "encoding", None) or "utf-8"
    errors = getattr(out, "errors", None) or "strict"
    write_bytes(out, (text + "\n").encode(encoding, errors))


def write_utf8(stream: TextIO, text: str) -> None:
    """Machine-readable text (JSON) as UTF-8, whatever the locale's encoding."""
    write_bytes(stream, text.encode("utf-8"))


def write_bytes(stream: TextIO, data: bytes) -> None:
    """Write `data` to the file descriptor under `stream`, after what the stream holds.

    Raises `OutputError` when not every byte could be written, `BrokenPipeError` when the
    reader has gone away.
    """
    try:
        stream.flush()
        fd = _descriptor(stream)
        if fd is None:  # not backed by a file (a test's StringIO): its own write must do
            stream.write(data.decode("utf-8", "replace"))
            stream.flush()
        else:
            write_all(fd, data)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write to {_stream_name(stream)}: {reason(error)}") from None


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose `--help`, `--version` and usage messages are written like
    every other output: argparse ignores a failed write (`odyc --help > /dev/full` would exit
    0 having written nothing), here it is an `OutputError` (exit 2)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            out = cast("TextIO", file if file is not None else sys.stderr)
            encoding = getattr(out, "encoding", None) or "utf-8"
            write_bytes(out, message.encode(encoding, "replace"))


def reason(error: OSError) -> str:
    """The human part of an `OSError` (`No space left on device`)."""
    return error.strerror or str(error)


def _descriptor(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _stream_name(stream: TextIO) -> str:
    if stream is sys.stdout or _descriptor(stream) == 1:
        return "standard output"
    if stream is sys.stderr or _descriptor(stream) == 2:
        return "standard error"
    return str(getattr(stream, "name", "the output"))
