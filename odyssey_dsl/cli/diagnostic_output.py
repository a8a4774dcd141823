"""Printing the diagnostics of compiled scenes.

Text goes to stderr, coloured when stderr is a terminal and `NO_COLOR` is unset (or when
`FORCE_COLOR` is set). The machine formats (`json`, `github`, `sarif`) go to stdout, unless
stdout already carries something else (the compiled JSON, or the result of `--submit`); then
they go to stderr, so that each stream stays parseable.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from odyssey_dsl.cli.colour import ColourChoice, wants_colour
from odyssey_dsl.cli.compile_options import DiagnosticFormat
from odyssey_dsl.cli.output import write_utf8
from odyssey_dsl.compiler import CompileResult
from odyssey_dsl.diagnostics.render import (
    diagnostics_json,
    json_document,
    render_github,
    render_text,
    summary_line,
)


def print_diagnostics(
    results: Sequence[CompileResult],
    format: DiagnosticFormat,
    *,
    machine_stream: TextIO,
    summary: bool,
    show_suppressed: bool = False,
    colour_choice: ColourChoice = "auto",
) -> None:
    """Write every diagnostic of `results` in `format`, then (if `summary`) a summary line
    on stderr. With `show_suppressed`, json and sarif also list the silenced warnings."""
    err = sys.stderr
    colour = wants_colour(colour_choice, err)
    if format == "text":
        blocks = [
            render_text(result.diagnostics, result.source, colour=colour)
            for result in results
            if result.diagnostics
        ]
        if blocks:
            err.write("\n".join(blocks))
    elif format == "json" and show_suppressed:
        write_utf8(machine_stream, _json_with_suppressed(results))
    elif format == "json":
        write_utf8(machine_stream, diagnostics_json(d for r in results for d in r.diagnostics))
    elif format == "sarif":
        write_utf8(machine_stream, _sarif(results, show_suppressed))
    else:
        write_utf8(machine_stream, render_github(d for r in results for d in r.diagnostics))
    if summary:
        named = [(_name(result), result.diagnostics) for result in results]
        gap = "\n" if format == "text" and any(result.diagnostics for result in results) else ""
        err.write(gap + summary_line(named, colour=colour) + "\n")
    machine_stream.flush()
    err.flush()


def _json_with_suppressed(results: Sequence[CompileResult]) -> str:
    """The json format with a `suppressed` field on every object, silenced findings included."""
    found = [(d, False) for r in results for d in r.diagnostics]
    found += [(s.diagnostic, True) for r in results for s in r.suppressed]
    found.sort(key=lambda pair: pair[0].sort_key())
    objects = [{**d.as_json(), "suppressed": hidden} for d, hidden in found]
    return json_document(objects)


def _sarif(results: Sequence[CompileResult], show_suppressed: bool) -> str:
    from odyssey_dsl.diagnostics.sarif import CheckedFile, render_sarif

    files = [
        CheckedFile(r.source, r.diagnostics, r.suppressed if show_suppressed else ())
        for r in results
    ]
    return render_sarif(files, working_directory=Path.cwd())


def print_usage_error(message: str) -> None:
    """`odyc: error: ...` on stderr, as argparse reports usage errors."""
    print(f"odyc: error: {message}", file=sys.stderr)


def _name(result: CompileResult) -> str:
    if result.source is not None:
        return result.source.name
    return result.diagnostics[0].file if result.diagnostics else "<input>"
