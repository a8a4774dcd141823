"""Diagnostics rendering: the exact text layout, colour only when asked, JSON and GitHub forms."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.diagnostics.render import (
    MAX_LINE_WIDTH,
    MAX_SHOWN_PER_FILE,
    colour_enabled,
    diagnostics_json,
    display_width,
    render_diagnostic,
    render_github,
    render_text,
    summary_line,
)
from odyssey_dsl.syntax.text import SourceFile

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def at(
    source: SourceFile,
    code: str,
    line: int,
    column: int,
    end_column: int,
    message: str = "msg",
    help: str | None = None,
    end_line: int | None = None,
) -> Diagnostic:
    start = source.offset(line, column)
    end = source.offset(end_line or line, end_column)
    return diag.make(code, message, source.name, source.span(start, end), help)


def caret_column(rendered: str) -> tuple[int, int]:
    """Display column where the carets start (0-based, after the gutter) and their count."""
    caret_line = next(line for line in rendered.splitlines() if line.strip().endswith("^"))
    body = caret_line.split("| ", 1)[1]
    return len(body) - len(body.lstrip(" ")), body.count("^")


def test_exact_layout_with_help() -> None:
    source = SourceFile("scene.ody", 'at 0s: start "a"\nat 1s interact "b"\nat 2s: end\n')
    d = at(source, "E100", 2, 7, 15, "expected `:` after the time", "write `at 1s: interact`")
    assert render_diagnostic(d, source) == (
        "scene.ody:2:7: error[E100]: expected `:` after the time\n"
        "  |\n"
        '2 | at 1s interact "b"\n'
        "  |       ^^^^^^^^\n"
        "  = help: write `at 1s: interact`\n"
    )


def test_gutter_grows_with_the_line_number_and_multiline_help_is_indented() -> None:
    source = SourceFile("long.ody", "\n" * 11 + "let unused = 1\n")
    d = at(source, "W101", 12, 5, 11, "`unused` is never used", "remove it\nor use it:\n  {{ x }}")
    assert render_diagnostic(d, source) == (
        "long.ody:12:5: warning[W101]: `unused` is never used\n"
        "   |\n"
        "12 | let unused = 1\n"
        "   |     ^^^^^^\n"
        "   = help: remove it\n"
        "           or use it:\n"
        "             {{ x }}\n"
    )


def test_blank_line_between_diagnostics() -> None:
    source = SourceFile("s.ody", "ab\ncd\n")
    text = render_text([at(source, "E100", 1, 1, 2), at(source, "E100", 2, 2, 3)], source)
    assert text == (
        "s.ody:1:1: error[E100]: msg\n  |\n1 | ab\n  | ^\n"
        "\n"
        "s.ody:2:2: error[E100]: msg\n  |\n2 | cd\n  |  ^\n"
    )


def test_carets_under_wide_characters_and_emoji() -> None:
    # 猫 and 🐈 each take two terminal cells; the span is the word after them.
    source = SourceFile("w.ody", 'at 0s: start "猫🐈 cat"\n')
    d = at(source, "E105", 1, 18, 21)
    rendered = render_diagnostic(d, source)
    assert rendered.splitlines()[2] == '1 | at 0s: start "猫🐈 cat"'
    lead, count = caret_column(rendered)
    assert lead == display_width('at 0s: start "猫🐈 ') == 19
    assert count == 3


def test_carets_cover_wide_characters_inside_the_span() -> None:
    source = SourceFile("w.ody", 'x "日本語"\n')
    rendered = render_diagnostic(at(source, "E304", 1, 3, 8), source)
    assert caret_column(rendered) == (2, 1 + 6 + 1)  # quote, three wide chars, quote


def test_tabs_are_shown_as_spaces_and_carets_follow() -> None:
    source = SourceFile("t.ody", '\tat 0s:\tstart "a"\n')
    rendered = render_diagnostic(at(source, "E103", 1, 9, 14), source)
    lines = rendered.splitlines()
    assert "\t" not in rendered
    assert lines[2] == '1 |     at 0s:    start "a"'
    assert caret_column(rendered) == (4 + 6 + 4, 5)


def test_tab_inside_the_span_widens_the_underline() -> None:
    source = SourceFile("t.ody", "a\tb\n")
    assert caret_column(render_diagnostic(at(source, "E100", 1, 1, 4), source)) == (0, 6)


def test_combining_marks_take_no_cell() -> None:
    source = SourceFile("c.ody", 'let e = "e\u0301te" x\n')
    rendered = render_diagnostic(at(source, "E100", 1, 16, 17), source)
    assert caret_column(rendered) == (14, 1)


def test_multiline_span_underlines_to_the_end_of_its_first_line() -> None:
    source = SourceFile("m.ody", 'at 0s: start """one\ntwo"""\n')
    d = at(source, "E304", 1, 14, 7, end_line=2)
    lines = render_diagnostic(d, source).splitlines()
    assert lines[2] == '1 | at 0s: start """one'
    assert lines[3] == "  |              ^^^^^^"


def test_empty_span_and_span_at_end_of_line_get_one_caret() -> None:
    source = SourceFile("e.ody", "at 0s\n")
    assert caret_column(render_diagnostic(at(source, "E100", 1, 3, 3), source)) == (2, 1)
    assert caret_column(render_diagnostic(at(source, "E100", 1, 6, 6), source)) == (5, 1)


def test_empty_file_still_shows_a_gutter() -> None:
    source = SourceFile("empty.ody", "")
    d = at(source, "E508", 1, 1, 1, "nothing to compile")
    assert render_diagnostic(d, source) == (
        "empty.ody:1:1: error[E508]: nothing to compile\n  |\n1 |\n  | ^\n"
    )


def test_without_source_only_header_and_help() -> None:
    source = SourceFile("x.ody", "abc\n")
    d = at(source, "E100", 1, 1, 2, "m", "h")
    assert render_diagnostic(d, None) == "x.ody:1:1: error[E100]: m\n  = help: h\n"


def test_crlf_line_endings_are_not_shown() -> None:
    source = SourceFile("crlf.ody", "ab\r\ncd\r\n")
    rendered = render_diagnostic(at(source, "E100", 2, 1, 3), source)
    assert "\r" not in rendered
    assert rendered.splitlines()[2] == "2 | cd"


def test_control_characters_never_reach_the_terminal() -> None:
    source = SourceFile("ctl.ody", 'at 0s: start "\x1b[31mred\x07"\n')
    d = at(source, "E100", 1, 15, 20, "bad \x1b[2J thing", "a\x1bb")
    rendered = render_diagnostic(d, source)
    assert "\x1b" not in rendered
    assert "\x07" not in rendered
    assert "\u241b[31mred\u2407" in rendered
    assert caret_column(rendered) == (14, 5)


def test_long_lines_are_cut_around_the_span() -> None:
    line = "x" * 5000 + ' "target" ' + "y" * 5000
    source = SourceFile("big.ody", line + "\n")
    rendered = render_diagnostic(at(source, "E404", 1, 5002, 5010), source)
    shown = rendered.splitlines()[2].split("| ", 1)[1]
    assert shown.startswith("…") and shown.endswith("…")
    assert '"target"' in shown
    assert display_width(shown) <= MAX_LINE_WIDTH + 2
    lead, count = caret_column(rendered)
    assert shown[lead : lead + count] == '"target"'


def test_colour_only_when_asked() -> None:
    source = SourceFile("s.ody", "abc\n")
    errors = [at(source, "E100", 1, 1, 2, help="h"), at(source, "W101", 1, 2, 3)]
    plain = render_text(errors, source)
    coloured = render_text(errors, source, colour=True)
    assert "\x1b" not in plain
    assert "\x1b[1;31merror[E100]" in coloured  # bold red
    assert "\x1b[1;33mwarning[W101]" in coloured  # bold yellow
    assert "\x1b[1;36mhelp:" in coloured  # cyan
    assert "\x1b[1;34m1 |" in coloured  # blue gutter
    assert ANSI.sub("", coloured) == plain


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "0"}, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_colour_decision(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert colour_enabled(tty, env) is expected


def test_json_has_the_documented_keys() -> None:
    source = SourceFile("j.ody", "ab\ncd\n")
    found = [at(source, "E100", 2, 1, 3, "m", "h"), at(source, "W101", 1, 1, 2)]
    parsed = json.loads(diagnostics_json(found))
    assert parsed == [
        {
            "file": "j.ody",
            "line": 2,
            "column": 1,
            "end_line": 2,
            "end_column": 3,
            "severity": "error",
            "code": "E100",
            "message": "m",
            "help": "h",
        },
        {
            "file": "j.ody",
            "line": 1,
            "column": 1,
            "end_line": 1,
            "end_column": 2,
            "severity": "warning",
            "code": "W101",
            "message": "msg",
            "help": None,
        },
    ]
    assert diagnostics_json([]) == "[]\n"


def test_github_annotations_escape_their_fields() -> None:
    source = SourceFile("dir,x/a:b.ody", "abc\n")
    found = [
        at(source, "E100", 1, 2, 4, "100% wrong", "line one\nline two"),
        at(source, "W103", 1, 1, 2, "again"),
    ]
    assert render_github(found) == (
        "::error file=dir%2Cx/a%3Ab.ody,line=1,col=2,endLine=1,endColumn=4,title=E100"
        "::100%25 wrong%0Ahelp: line one%0Aline two\n"
        "::warning file=dir%2Cx/a%3Ab.ody,line=1,col=1,endLine=1,endColumn=2,title=W103::again\n"
    )


def test_summary_lines() -> None:
    source = SourceFile("scene.ody", "abc\n")
    error = at(source, "E100", 1, 1, 2)
    warning = at(source, "W101", 1, 1, 2)
    assert summary_line([("scene.ody", [])]) == "All checks passed"
    assert summary_line([("a.ody", []), ("b.ody", [])]) == "All checks passed (2 files checked)"
    assert (
        summary_line([("scene.ody", [error, error, warning])]) == "2 errors, 1 warning in scene.ody"
    )
    assert summary_line([("scene.ody", [warning, warning])]) == "2 warnings in scene.ody"
    assert (
        summary_line([("a.ody", [error]), ("b.ody", []), ("c.ody", [warning])])
        == "1 error, 1 warning in 2 files (3 files checked)"
    )
    coloured = summary_line([("scene.ody", [error])], colour=True)
    assert "\x1b[1;31m1 error" in coloured
    assert ANSI.sub("", coloured) == "1 error in scene.ody"


CELLS = {"a": 1, " ": 1, "猫": 2, "🐈": 2, "\t": 4, "\u0301": 0, "\x1b": 1, "é": 1}
"""Characters and the terminal cells they take: an oracle independent of the renderer."""


@settings(max_examples=200)
@given(st.text(alphabet=sorted(CELLS), max_size=60), st.data())
def test_underline_always_sits_under_its_text(line: str, data: st.DataObject) -> None:
    source = SourceFile("p.ody", line + "\n")
    start = data.draw(st.integers(0, len(line)))
    end = data.draw(st.integers(start, len(line)))
    rendered = render_diagnostic(diag.make("E100", "m", "p.ody", source.span(start, end)), source)
    assert len(rendered.splitlines()) == 4
    assert "\x1b" not in rendered
    lead, count = caret_column(rendered)
    assert lead == sum(CELLS[ch] for ch in line[:start])
    assert count == max(1, sum(CELLS[ch] for ch in line[start:end]))


WIDE = {ch: width for ch, width in CELLS.items() if width > 0}
"""The oracle's characters that take at least one cell (a line of only zero-width
characters is shown cut even when it would fit: its length, not its width, decides)."""

SHOWN = {"a": "a", " ": " ", "猫": "猫", "🐈": "🐈", "\t": "    ", "\x1b": "\u241b", "é": "é"}
"""How each of those characters is shown."""


@settings(max_examples=150)
@given(st.text(alphabet=sorted(WIDE), min_size=MAX_LINE_WIDTH + 1, max_size=700), st.data())
def test_long_lines_show_a_piece_of_the_line_with_the_span_start_under_the_carets(
    line: str, data: st.DataObject
) -> None:
    source = SourceFile("p.ody", "x\n" + line + "\r\nnext line\n")
    start = data.draw(st.integers(0, len(line)))
    end = data.draw(st.integers(start, len(line)))
    d = diag.make("E100", "m", "p.ody", source.span(2 + start, 2 + end))
    shown = render_diagnostic(d, source).splitlines()[2].split("| ", 1)[1]
    lead, count = caret_column(render_diagnostic(d, source))
    body = shown.removeprefix("…").removesuffix("…")
    # `shown` is the characters line[first:last], each as it is shown, with a marker on
    # each side where the line goes on; the carets sit under line[start:end] within them.
    cut_at_end = shown.endswith("…")
    pieces = [
        piece
        for first in range(max(0, start - 40), start + 1)
        if (piece := _piece_shown_as(body, line, first, cut_at_end)) is not None
    ]
    assert pieces, f"{shown!r} is not a piece of the line around column {start + 1}"
    first, last = pieces[0]
    assert shown.startswith("…") == (first > 0)
    assert display_width(shown) <= MAX_LINE_WIDTH + 2
    assert lead == (1 if first > 0 else 0) + sum(CELLS[ch] for ch in line[first:start])
    assert count == max(1, sum(CELLS[ch] for ch in line[start : min(end, last)]))


def _piece_shown_as(body: str, line: str, first: int, cut: bool) -> tuple[int, int] | None:
    """(first, last) if line[first:last] is shown as `body` (which lost its trailing spaces
    unless the line was `cut` after it)."""
    text, last = "", first
    while last < len(line) and len(text) < len(body):
        text += SHOWN[line[last]]
        last += 1
    if cut:
        return (first, last) if text == body else None
    while last < len(line) and not SHOWN[line[last]].strip():
        last += 1
    return (first, last) if text.rstrip() == body and last == len(line) else None


def test_a_line_of_megabytes_is_cut_without_looking_at_all_of_it() -> None:
    line = "\0" * 5_000_000
    source = SourceFile("nul.ody", line + "\n")
    rendered = render_diagnostic(at(source, "E100", 1, 2_500_001, 2_500_002), source)
    shown = rendered.splitlines()[2].split("| ", 1)[1]
    assert shown == "…" + "\u2400" * MAX_LINE_WIDTH + "…"
    assert caret_column(rendered) == (41, 1)


def test_after_the_limit_the_text_format_counts_the_rest() -> None:
    source = SourceFile("many.ody", "bad\n" * 300)
    found = [at(source, "E100", n, 1, 4) for n in range(1, 251)]
    found += [at(source, "W101", n, 1, 2) for n in range(251, 256)]
    text = render_text(found, source)
    assert text.count("error[E100]") == MAX_SHOWN_PER_FILE == 200
    assert "warning[W101]" not in text
    assert text.endswith(
        "\n… and 50 more errors and 5 more warnings not shown; `--format json` lists them all\n"
    )
    assert render_text(found, source, limit=None).count("\n\nmany.ody:") == 254
    assert "not shown" not in render_text(found[:200], source)


def test_counts_of_what_is_not_shown_have_thousands_separators() -> None:
    source = SourceFile("many.ody", "bad\n")
    found = [at(source, "W101", 1, 1, 2)] * 1_201
    assert render_text(found, source).endswith(
        "… and 1,001 more warnings not shown; `--format json` lists them all\n"
    )
