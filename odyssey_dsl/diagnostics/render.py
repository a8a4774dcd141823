"""Diagnostics as text for people, JSON for editors and CI, and GitHub Actions annotations.

Every function here returns a string; the CLI decides where it goes and whether to colour
it (`colour_enabled`). The text format follows rustc and ruff:

    scene.ody:2:7: error[E100]: expected `:` after the time
      |
    2 | at 1s interact "b"
      |       ^^^^^^^^
      = help: write `at 1s: interact "b"`

Columns in the header are 1-based code points, as everywhere in odyc; the underline is laid
out in terminal cells, so it stays under its text with tabs, East Asian wide characters and
emoji on the line. Control characters from the scene are shown as visible symbols, never
sent to the terminal.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from odyssey_dsl.diagnostics import Diagnostic, Severity
from odyssey_dsl.syntax.text import SourceFile

TAB_WIDTH = 4
"""A tab in a source line is shown as this many spaces (as rustc does)."""

MAX_LINE_WIDTH = 120
"""Longer source lines are cut around the underlined part (a data URL can be megabytes)."""

MAX_SHOWN_PER_FILE = 200
"""The text format shows this many diagnostics of one file, then counts the rest."""

_CONTEXT_WIDTH = 40
"""How much of a cut line is kept before the underlined part."""

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_STYLES = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "help": "\x1b[1;36m",
    "gutter": "\x1b[1;34m",
    "passed": "\x1b[1;32m",
    "bold": _BOLD,
}

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def colour_enabled(is_tty: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour output: `NO_COLOR` (non-empty) forbids it, `FORCE_COLOR`
    (non-empty, not 0) forces it, a dumb terminal never gets it; otherwise only on a TTY."""
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return is_tty


def render_text(
    diagnostics: Iterable[Diagnostic],
    source: SourceFile | None = None,
    *,
    colour: bool = False,
    limit: int | None = MAX_SHOWN_PER_FILE,
) -> str:
    """Diagnostics (of the file `source`, if given) as text, a blank line between them.

    After `limit` diagnostics (None: no limit), one line counts the ones not shown."""
    found = list(diagnostics)
    shown = found if limit is None else found[:limit]
    blocks = [render_diagnostic(d, source, colour=colour) for d in shown]
    if len(shown) < len(found):
        rest = found[len(shown) :]
        last = [d for d in rest if d.code.code in _ALWAYS_SHOWN]
        blocks.append(_not_shown([d for d in rest if d not in last], colour=colour))
        blocks += [render_diagnostic(d, source, colour=colour) for d in last]
    return "\n".join(blocks)


_ALWAYS_SHOWN = frozenset({"E117"})
"""Shown even past the limit: that odyc stopped reading the file."""


def _not_shown(rest: Sequence[Diagnostic], *, colour: bool) -> str:
    paint = _painter(colour)
    errors = sum(1 for d in rest if d.is_error)
    counts = []
    if errors:
        counts.append(paint("error", _plural(errors, "more error")))
    if len(rest) > errors:
        counts.append(paint("warning", _plural(len(rest) - errors, "more warning")))
    return f"… and {' and '.join(counts)} not shown; `--format json` lists them all\n"


def render_diagnostic(
    diagnostic: Diagnostic, source: SourceFile | None = None, *, colour: bool = False
) -> str:
    """One diagnostic as text, ending in a newline: the header line, the source line with
    its span underlined (when `source` has that line), then the help."""
    paint = _painter(colour)
    span = diagnostic.span
    severity = diagnostic.severity.value
    header = (
        paint("bold", f"{_visible(diagnostic.file)}:{span.line}:{span.column}:")
        + " "
        + paint(severity, f"{severity}[{diagnostic.code.code}]")
        + paint("bold", f": {_visible(diagnostic.message)}")
    )
    lines = [header]
    number = str(span.line)
    pad = " " * len(number)
    bar = paint("gutter", f"{pad} |")
    if source is not None and 1 <= span.line <= source.line_count:
        shown, lead, carets = _underline(source, diagnostic)
        lines.append(bar)
        lines.append(paint("gutter", f"{number} |") + (" " + shown if shown else ""))
        lines.append(bar + " " + " " * lead + paint(severity, carets))
    if diagnostic.help:
        label = f"{pad} = " + "help: "
        help_lines = [_visible(line) for line in diagnostic.help.splitlines() or [""]]
        lines.append(
            paint("gutter", f"{pad} =") + " " + paint("help", "help:") + " " + help_lines[0]
        )
        indent = " " * len(label)
        lines.extend((indent + line).rstrip() for line in help_lines[1:])
    return "\n".join(lines) + "\n"


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The `--format json` output: a JSON array of `Diagnostic.as_json()` objects."""
    return json_document([d.as_json() for d in diagnostics])


_UNSAFE_IN_OUTPUT = re.compile(
    "[\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(_BIDI_CONTROLS)) + "]"
)
"""What `json.dumps` leaves raw but must not reach a terminal or a log: DEL, C1 controls (a
scene's `\\<U+009B>` quoted in an E102 message), bidi controls, line separators and lone
surrogates. (`json.dumps` already escapes C0 controls.)"""


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_document(value: object) -> str:
    """`value` as indented JSON with non-ASCII text kept readable, except the characters of
    `_UNSAFE_IN_OUTPUT`, written as JSON's `\\uXXXX` escapes (the decoded text is the same)."""
    return _UNSAFE_IN_OUTPUT.sub(_escaped, json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands (`::error file=...::message`), one line each."""
    out = []
    for d in diagnostics:
        span = d.span
        properties = {
            "file": d.file,
            "line": span.line,
            "col": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
            "title": d.code.code,
        }
        fields = ",".join(
            f"{key}={_github_property(str(value))}" for key, value in properties.items()
        )
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        command = "error" if d.severity is Severity.ERROR else "warning"
        out.append(f"::{command} {fields}::{_github_data(message)}\n")
    return "".join(out)


def summary_line(
    results: Sequence[tuple[str, Sequence[Diagnostic]]], *, colour: bool = False
) -> str:
    """One line about the diagnostics of `results` (file name, its diagnostics), such as
    "2 errors, 1 warning in scene.ody" or "All checks passed"; no newline."""
    paint = _painter(colour)
    errors = sum(1 for _, found in results for d in found if d.is_error)
    warnings = sum(1 for _, found in results for d in found if not d.is_error)
    checked = f" ({len(results)} files checked)" if len(results) > 1 else ""
    if not errors and not warnings:
        return paint("passed", "All checks passed") + checked
    counts = []
    if errors:
        counts.append(paint("error", _plural(errors, "error")))
    if warnings:
        counts.append(paint("warning", _plural(warnings, "warning")))
    with_problems = [name for name, found in results if found]
    where = _visible(with_problems[0]) if len(with_problems) == 1 else f"{len(with_problems)} files"
    return f"{', '.join(counts)} in {where}{checked}"


def display_width(text: str) -> int:
    """How many terminal cells `text` takes when shown in a source line."""
    return sum(_cell(ch)[1] for ch in text)


def _underline(source: SourceFile, diagnostic: Diagnostic) -> tuple[str, int, str]:
    """The span's line as shown (cut around the span when long), the cells before the
    underline, and the underline.

    Only the characters that can be shown are looked at, so the cost does not grow with
    the length of the line (a data URL, or a file of NUL bytes, can be megabytes long)."""
    span = diagnostic.span
    line_start, line_end = _line_bounds(source, span.line)
    length = line_end - line_start
    start = min(max(span.column - 1, 0), length)
    end = min(span.end_column - 1, length) if span.end_line == span.line else length
    end = max(end, start)
    whole = length <= MAX_LINE_WIDTH
    low = 0 if whole else max(0, start - _CONTEXT_WIDTH)
    high = length if whole else min(length, start + MAX_LINE_WIDTH)
    cells = [_cell(ch) for ch in source.text[line_start + low : line_start + high]]
    first, last = _window(cells, start - low, whole=whole)
    first, last, start, end = first + low, last + low, start - low, end - low
    prefix = "…" if first > 0 else ""
    suffix = "…" if last < length else ""
    shown_cells = cells[first - low : last - low]
    shown = prefix + "".join(text for text, _ in shown_cells) + suffix
    lead = len(prefix) + sum(width for _, width in cells[first - low : start])
    width = sum(w for _, w in cells[start : min(end, last - low)])
    return shown.rstrip(), lead, "^" * max(1, width)


def _line_bounds(source: SourceFile, line: int) -> tuple[int, int]:
    """Character offsets of the start and end of a 1-based line, without its line ending
    (`\n` or `\r\n`)."""
    start = source.offset(line, 1)
    end = source.offset(line + 1, 1) if line < source.line_count else len(source.text)
    if end > start and source.text[end - 1] == "\n":
        end -= 1
        if end > start and source.text[end - 1] == "\r":
            end -= 1
    return start, end


def _window(cells: list[tuple[str, int]], start: int, *, whole: bool) -> tuple[int, int]:
    """Which of `cells` to show so that the span's start (an index into `cells`) is
    visible: all of them when they are the `whole` line and it fits."""
    if whole and sum(width for _, width in cells) <= MAX_LINE_WIDTH:
        return 0, len(cells)
    first, used = start, 0
    while first > 0 and used + cells[first - 1][1] <= _CONTEXT_WIDTH:
        first -= 1
        used += cells[first][1]
    last, used = first, 0
    while last < len(cells) and used + cells[last][1] <= MAX_LINE_WIDTH:
        used += cells[last][1]
        last += 1
    return first, last


def _cell(ch: str) -> tuple[str, int]:
    """How one character of a source line is shown, and its width in terminal cells."""
    if ch == "\t":
        return " " * TAB_WIDTH, TAB_WIDTH
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code), 1  # the Unicode "control picture" of the character
    if code == 0x7F:
        return "\u2421", 1
    if 0x80 <= code < 0xA0 or ch in _BIDI_CONTROLS:
        return "\ufffd", 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ch, 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return ch, 2
    return ch, 1


def _visible(text: str) -> str:
    """Text safe to print: control characters (a newline included) become visible symbols."""
    if text.isprintable():
        return text
    return "".join(
        _cell(ch)[0] if ch != "\t" and (not ch.isprintable() or ch in _BIDI_CONTROLS) else ch
        for ch in text
    )


def _painter(colour: bool) -> _Paint:
    return _Paint(colour)


class _Paint:
    """Wraps text in an ANSI style when colour is on; the identity otherwise."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, style: str, text: str) -> str:
        if not self.colour or not text:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _github_data(text: str) -> str:
    text = _UNSAFE_IN_OUTPUT.sub(_escaped, text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")
