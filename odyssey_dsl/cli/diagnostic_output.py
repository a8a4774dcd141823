"""Printing the diagnostics of compiled scenes, and the last-resort guard of every command.

Text goes to stderr, coloured when stderr is a terminal and `NO_COLOR` is unset (or when
`FORCE_COLOR` is set). The machine formats (`json`, `github`) go to stdout, unless stdout
already carries something else (the compiled JSON, or the result of `--submit`); then they go
to stderr, so that each stream stays parseable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from odyssey_dsl.cli.compile_options import DiagnosticFormat
from odyssey_dsl.compiler import CompileResult
from odyssey_dsl.diagnostics.render import (
    colour_enabled,
    diagnostics_json,
    render_github,
    render_text,
    summary_line,
)

REPORT_HINT = "this is a bug in odyc; please report it, with the command and scene that trigger it"


def print_diagnostics(
    results: Sequence[CompileResult],
    format: DiagnosticFormat,
    *,
    machine_stream: TextIO,
    summary: bool,
) -> None:
    """Write every diagnostic of `results` in `format`, then (if `summary`) a summary line
    on stderr."""
    err = sys.stderr
    colour = colour_enabled(_is_tty(err), os.environ)
    if format == "text":
        blocks = [
            render_text(result.diagnostics, result.source, colour=colour)
            for result in results
            if result.diagnostics
        ]
        if blocks:
            err.write("\n".join(blocks))
    elif format == "json":
        write_utf8(machine_stream, diagnostics_json(d for r in results for d in r.diagnostics))
    else:
        write_utf8(machine_stream, render_github(d for r in results for d in r.diagnostics))
    if summary:
        named = [(_name(result), result.diagnostics) for result in results]
        gap = "\n" if format == "text" and any(result.diagnostics for result in results) else ""
        err.write(gap + summary_line(named, colour=colour) + "\n")
    machine_stream.flush()
    err.flush()


def write_utf8(stream: TextIO, text: str) -> None:
    """Write machine-readable text (JSON) as UTF-8, whatever the locale's encoding."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def print_usage_error(message: str) -> None:
    """`odyc: error: ...` on stderr, as argparse reports usage errors."""
    print(f"odyc: error: {message}", file=sys.stderr)


def guarded(command: Callable[[list[str]], int], argv: list[str]) -> int:
    """Run a command so that no Python traceback ever reaches the user: an unexpected
    exception becomes one line and exit 1; a closed stdout (`odyc x.ody | head`) ends
    quietly."""
    try:
        return command(argv)
    except SystemExit as exit_request:  # argparse's --help, --version and usage errors
        return exit_request.code if isinstance(exit_request.code, int) else 2
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        raise
    except Exception as error:
        detail = str(error).splitlines()[0] if str(error) else ""
        print(
            f"odyc: internal error: {type(error).__name__}{': ' + detail if detail else ''}\n"
            f"{REPORT_HINT}",
            file=sys.stderr,
        )
        return 1


def _silence_stdout() -> None:
    # Python flushes stdout at exit; with the reader gone that would print an error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _name(result: CompileResult) -> str:
    if result.source is not None:
        return result.source.name
    return result.diagnostics[0].file if result.diagnostics else "<input>"


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
