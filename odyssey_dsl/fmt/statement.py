"""Printing one statement in the canonical style, from the tokens of its logical line.

The statement's significant tokens are written again with canonical spacing (one space
between words, none before `:` `,` `]` or after `[`); comments and the line breaks inside
brackets decide where a list is spread over lines. Only two kinds of token change their
text: a number loses leading zeros and trailing zeros after its point (never its point, so
an integer stays an integer and a float a float), and a duration in a time position (after
`at`, `after` or `every`) does the same to each of its parts, never changing a unit. A
duration bound by a `let` or written in a list keeps its text: a template prints it as written.
A triple-quoted string keeps its first line and has its other lines moved as a whole, one
indentation step deeper than the line it starts on (folding strips every line of it, so the
prompt does not change); its blank lines lose their blanks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from odyssey_dsl.diagnostics.suppression import is_suppression
from odyssey_dsl.syntax.tokens import COMMENT, NEWLINE

_NO_SPACE_BEFORE = frozenset({"colon", "comma", "rsqb"})
_TIME_WORDS = frozenset({"at", "after", "every"})
_NUMBER = re.compile(r"(-?)(\d+)(?:\.(\d+))?")
_DURATION_PART = re.compile(r"(\d+)(?:\.(\d+))?(ms|h|m|s)")
_OWN_LINE_BLANKS = " \t"
_TRAILING_BLANKS = " \t\r\f\v"


Piece = tuple[str, str]
"""A token as the printer sees it: its kind and its text (trivia but comments and line
breaks left out)."""


class Layout(NamedTuple):
    """How the printed lines are laid out."""

    indent_width: int
    line_break: str


def print_statement(pieces: Sequence[Piece], depth: int, layout: Layout) -> str:
    """The statement whose significant tokens, comments and line breaks are `pieces`,
    printed at block depth `depth`: its lines joined by `layout.line_break`, without a
    final one."""
    writer = _Writer(layout, depth)
    _print_run(pieces, writer, depth)
    return writer.finish()


def normal_number(text: str) -> str:
    """`03` → `3`, `1.50` → `1.5`, `1.00` → `1.0` (the point stays: the value's type does)."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    sign, whole, fraction = match.groups()
    whole = whole.lstrip("0") or "0"
    if fraction is None:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction.rstrip('0') or '0'}"


def normal_duration(text: str) -> str:
    """`03s` → `3s`, `1.50s` → `1.5s`, `1.0s` → `1s`, each part in its own unit."""
    parts = list(_DURATION_PART.finditer(text))
    if not parts or "".join(p.group(0) for p in parts) != text:
        return text
    written = []
    for part in parts:
        whole, fraction, unit = part.groups()
        whole = whole.lstrip("0") or "0"
        fraction = (fraction or "").rstrip("0")
        written.append(f"{whole}.{fraction}{unit}" if fraction else f"{whole}{unit}")
    return "".join(written)


class _Writer:
    """The printed lines of one statement, the last one still open."""

    def __init__(self, layout: Layout, depth: int) -> None:
        self.layout = layout
        self.lines: list[str] = []
        self.current = self._indent(depth)
        self.depth = depth
        self.fresh = True
        """Nothing written on the current line yet but its indentation."""
        self.last_kind = ""

    def _indent(self, depth: int) -> str:
        return " " * (self.layout.indent_width * depth)

    def token(self, kind: str, text: str) -> None:
        if not self.fresh and kind not in _NO_SPACE_BEFORE and self.last_kind != "lsqb":
            self.current += " "
        if kind == "number":
            text = normal_number(text)
        elif kind == "duration" and self.last_kind in _TIME_WORDS:
            text = normal_duration(text)
        elif kind == "long_string" and "\n" in text:
            self._long_string(text)
            self.fresh = False
            self.last_kind = kind
            return
        self.current += text
        self.fresh = False
        self.last_kind = kind

    def comment(self, text: str) -> None:
        """A comment at the end of the current line (two spaces before it)."""
        text = text.rstrip(_TRAILING_BLANKS)
        self.current = self.current + "  " + text if not self.fresh else self.current + text
        self.fresh = False
        self.last_kind = COMMENT

    def new_line(self, depth: int) -> None:
        self.lines.append(self.current)
        self.current = self._indent(depth)
        self.depth = depth
        self.fresh = True
        self.last_kind = ""

    def _long_string(self, text: str) -> None:
        pieces = text.split("\n")
        first, rest = pieces[0], pieces[1:]
        self.current += first.rstrip(_TRAILING_BLANKS)
        stripped = [line.rstrip(_TRAILING_BLANKS) for line in rest]
        widths = [_indent_width(line) for line in stripped if line.strip(_OWN_LINE_BLANKS)]
        shift = min(widths) if widths else 0
        base = self.layout.indent_width * (self.depth + 1)
        for line in stripped:
            self.lines.append(self.current)
            content = line.lstrip(_OWN_LINE_BLANKS)
            if content:
                self.current = " " * (base + _indent_width(line) - shift) + content
            else:
                self.current = ""

    def finish(self) -> str:
        return self.layout.line_break.join([*self.lines, self.current])


def _indent_width(line: str) -> int:
    blanks = line[: len(line) - len(line.lstrip(_OWN_LINE_BLANKS))]
    return len(blanks.expandtabs(4))


def _print_run(tokens: Sequence[Piece], writer: _Writer, depth: int) -> None:
    """Print a run of tokens outside brackets (or inside a list kept on one line)."""
    index = 0
    while index < len(tokens):
        kind, text = tokens[index]
        if kind == "lsqb":
            close = _closing(tokens, index)
            after = next((piece for piece in tokens[close + 1 :] if piece[0] != NEWLINE), None)
            suppression = after is not None and after[0] == COMMENT and is_suppression(after[1])
            _print_list(tokens[index + 1 : close], writer, writer.depth, suppression)
            writer.token("rsqb", "]")
            index = close + 1
            continue
        if kind == COMMENT:
            writer.comment(text)
        elif kind != NEWLINE:
            writer.token(kind, text)
        index += 1


def _closing(tokens: Sequence[Piece], open_index: int) -> int:
    """Index of the `]` that closes the `[` at `open_index`."""
    level = 0
    for index in range(open_index, len(tokens)):
        kind = tokens[index][0]
        if kind == "lsqb":
            level += 1
        elif kind == "rsqb":
            level -= 1
            if level == 0:
                return index
    raise ValueError("a list is never closed")  # the parser reports it first


class _Item(NamedTuple):
    tokens: Sequence[Piece]
    comment: str | None
    """The comment at the end of the item's line."""


class _Entry(NamedTuple):
    """One line of a list spread over lines: an item, an own-line comment, or a blank."""

    item: _Item | None = None
    comment: str | None = None


def _print_list(
    inner: Sequence[Piece], writer: _Writer, depth: int, keep_lines: bool = False
) -> None:
    """Print `[` and the items of a list, and leave the writer before its `]`.

    `keep_lines`: a suppression comment follows the `]`, so an empty list spread over lines
    stays so (joined, it would move the comment to the `[` line, where it silences more)."""
    writer.token("lsqb", "[")
    if not any(kind == NEWLINE for kind, _ in inner):
        items = [piece for piece in inner if piece[0] != COMMENT]
        if items and items[-1][0] == "comma":
            items = items[:-1]  # `[a, b,]` → `[a, b]`
        _print_run(items, writer, depth)
        return
    opening, entries = _list_entries(inner)
    entries = _tidy(entries)
    if opening is not None:
        writer.comment(opening)
    if not entries and opening is None:  # `[` and `]` with only line breaks between them
        if keep_lines:
            writer.new_line(depth)
        return  # `[]`
    for entry in entries:
        if entry.item is None and entry.comment is None:
            writer.lines.append(writer.current)
            writer.current = ""
            continue
        writer.new_line(depth + 1)
        if entry.item is not None:
            _print_run(entry.item.tokens, writer, depth + 1)
            writer.token("comma", ",")
            if entry.item.comment is not None:
                writer.comment(entry.item.comment)
        elif entry.comment is not None:
            writer.comment(entry.comment)
    writer.new_line(depth)


def _tidy(entries: list[_Entry]) -> list[_Entry]:
    """At most one blank line in a row, none first or last."""
    tidy: list[_Entry] = []
    for entry in entries:
        blank = entry.item is None and entry.comment is None
        if blank and (not tidy or (tidy[-1].item is None and tidy[-1].comment is None)):
            continue
        tidy.append(entry)
    while tidy and tidy[-1].item is None and tidy[-1].comment is None:
        tidy.pop()
    return tidy


def _list_entries(inner: Sequence[Piece]) -> tuple[str | None, list[_Entry]]:
    """The comment on the `[` line, and the lines of a list spread over lines.

    A comment on the `[` line stays there, even after items: a suppression comment silences
    warnings on its line, and the statement's first line is where they are reported. Items
    that share a line ending with a suppression comment stay together on that line."""
    opening: str | None = None
    entries: list[_Entry] = []
    newline_seen = False
    on_first_line = True
    line_start = 0
    """Index in `entries` of the first entry of the current line."""
    newlines_in_row = 0
    index = 0
    while index < len(inner):
        kind, text = inner[index]
        if kind == NEWLINE:
            newlines_in_row += 1
            if newlines_in_row == 2:
                entries.append(_Entry())
            newline_seen = True
            on_first_line = False
            line_start = len(entries)
            index += 1
            continue
        newlines_in_row = 0
        if kind == COMMENT:
            last = entries[-1] if entries else None
            if on_first_line and opening is None:
                opening = text
            elif not newline_seen and is_suppression(text) and len(entries) - line_start > 1:
                entries[line_start:] = [_Entry(_Item(_joined(entries[line_start:]), text))]
            elif (
                not newline_seen
                and last is not None
                and last.item is not None
                and last.item.comment is None
            ):
                entries[-1] = _Entry(_Item(last.item.tokens, text))
            else:
                entries.append(_Entry(comment=text))
        elif kind == "comma":
            newline_seen = False
        else:
            end = _closing(inner, index) + 1 if kind == "lsqb" else index + 1
            entries.append(_Entry(_Item(inner[index:end], None)))
            if (NEWLINE, "\n") in inner[index:end]:  # a list spread over lines: it ends here
                on_first_line = False
                line_start = len(entries) - 1
            index = end
            newline_seen = False
            continue
        index += 1
    return opening, entries


def _joined(entries: Sequence[_Entry]) -> list[Piece]:
    """The tokens of the items of `entries` (items without comments), comma-separated."""
    joined: list[Piece] = []
    for entry in entries:
        assert entry.item is not None
        joined += [("comma", ","), *entry.item.tokens] if joined else entry.item.tokens
    return joined
