"""The lossless syntax tree of a scene, and `parse`.

The tree is a sequence of line nodes, one per logical line, that together cover the whole
text: every character belongs to one token of one line (the line break after a line is its
last token). A line is a statement, a blank or comment line, or an error node that holds the
tokens of a line that could not be read. The typed view (`scene`: statements nested into
blocks, `nodes.py`) is read from the line nodes.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import fast_path, place
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.blocks import BlockBuilder
from odyssey_dsl.syntax.layout import logical_line_end
from odyssey_dsl.syntax.line import LineSyntax, read_line
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.text import BYTE_ORDER_MARK as BYTE_ORDER_MARK
from odyssey_dsl.syntax.text import SourceFile, as_span
from odyssey_dsl.syntax.tokens import BOM, ERROR, NEWLINE, Token

_NOT_BLANK = re.compile(r"\S")
MAX_SYNTAX_DIAGNOSTICS = 1_000
"""After this many syntax diagnostics, the rest of the file is not read (E117): a file that
is not a scene (a million bad lines) costs no more than its first thousand errors."""
_LAYOUT_CODES = frozenset({"E101", "E112"})
"""Problems found before a line is parsed: they are reported wherever the line stands."""


class LineNode(NamedTuple):
    """One logical line of the tree: `text[start:end]`, then its line break up to `stop`."""

    syntax: LineSyntax
    """What the line holds, relative to the line (shared by every line with this text)."""
    line: int
    """1-based number of the line's first physical line."""
    start: int
    end: int
    stop: int
    statement: n.Statement | None
    """The line's statement in place (a header without its body), None if there is none."""

    @property
    def is_error(self) -> bool:
        """The line could not be read: it holds tokens but no statement."""
        return self.syntax.broken

    @property
    def broken_name(self) -> str | None:
        return self.syntax.broken_name

    def tokens(self, text: str) -> Iterator[Token]:
        """Every token of the line, its line break included (`text` is the tree's text)."""
        start = self.start
        for kind, begin, finish in self.syntax.tokens(text[start : self.end]):
            yield Token(kind, text[start + begin : start + finish], start + begin, start + finish)
        if self.stop > self.end:
            yield Token(NEWLINE, text[self.end : self.stop], self.end, self.stop)


@dataclass(frozen=True, slots=True)
class SyntaxTree:
    """A parsed scene: lossless (`text`, `lines`, `tokens()`), typed (`scene`), diagnosed.

    The tree keeps, per line, only where it stands and its statement: what the line holds
    (`LineSyntax`) is read again from its text when `lines` is first asked for (from
    `read_line`'s memo, which a parse has just filled), so that the tree of a long scene that
    is only compiled is not twice its statements' size.
    """

    source: SourceFile
    scene: n.Scene
    """The statements nested into blocks, and the comments."""
    diagnostics: tuple[Diagnostic, ...]
    """The syntax diagnostics, in the order of the text."""
    broken_names: frozenset[str]
    """Names of `let`s on lines that could not be read: uses of them are not reported."""
    has_broken_lines: bool
    """Some statement could not be read (timeline checks would be noise)."""
    _layout: array[int]
    """Per line: its number, start, end and stop (four items each; see `LineNode`)."""
    _statements: tuple[n.Statement | None, ...]
    """Per line: its statement in place (see `LineNode.statement`)."""
    _fast: bool
    """Whether the lines were read with the fast path (they are read again the same way)."""
    _rest: LineNode | None = None
    """The text after the line where reading stopped (E117), as one error line."""
    _built: list[tuple[LineNode, ...]] = field(default_factory=list, compare=False, repr=False)
    """`lines`, once asked for (a tool that asks keeps them; a compile never asks)."""

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def lines(self) -> tuple[LineNode, ...]:
        """One node per logical line, in order, together covering the whole text."""
        if self._built:
            return self._built[0]
        text = self.source.text
        layout = self._layout
        nodes = []
        for index, statement in enumerate(self._statements):
            line, start, end, stop = layout[4 * index : 4 * index + 4]
            syntax = read_line(text[start:end], self._fast)
            nodes.append(LineNode(syntax, line, start, end, stop, statement))
        if self._rest is not None:
            nodes.append(self._rest)
        self._built.append(tuple(nodes))
        return self._built[0]

    def tokens(self) -> Iterator[Token]:
        """Every token of the text, in order: contiguous, covering all of it."""
        text = self.source.text
        if text.startswith(BYTE_ORDER_MARK):
            yield Token(BOM, BYTE_ORDER_MARK, 0, 1)
        for line in self.lines:
            yield from line.tokens(text)


def parse(text: str, filename: str = "<input>") -> SyntaxTree:
    """Parse a scene. Never raises: every problem is a diagnostic of the tree."""
    return parse_source(SourceFile(filename, text))


def parse_source(source: SourceFile) -> SyntaxTree:
    """Parse the text of `source` (see `parse`)."""
    text = source.text
    fast = fast_path.enabled()
    found: list[Diagnostic] = []
    builder = BlockBuilder(source, found)
    layout = array("q")
    push = layout.append
    placed: list[n.Statement | None] = []
    comments: list[n.Comment] = []
    broken_names: set[str] = set()
    broken = False
    position = 1 if text.startswith(BYTE_ORDER_MARK) else 0
    line_number = 1
    length = len(text)
    lone_return = _lone_carriage_return(text)
    if lone_return is not None:
        length = position  # nothing is read: one error, not one per statement it joins
    name = source.name
    add = builder.add
    while position < length:
        newline = text.find("\n", position)
        if newline == -1:
            end = stop = length
        else:
            stop = newline + 1
            end = newline - 1 if newline > position and text[newline - 1] == "\r" else newline
        line_text = text[position:end]
        if '"""' in line_text or "[" in line_text:
            end = logical_line_end(text, position)
            line_text = text[position:end]
            stop = end + 2 if text.startswith("\r\n", end) else min(end + 1, length)
        syntax = read_line(line_text, fast)
        lines_below = line_number - 1
        recipe = syntax.recipe
        if recipe is not None:
            statement: n.Statement | None = recipe[0](recipe[1], lines_below, position)
        elif syntax.statement is not None:
            statement = place.statement(syntax.statement, lines_below, position)
        else:
            statement = None
        read = True
        if statement is not None or syntax.broken:
            first, last = syntax.content
            read = add(
                syntax.indent,
                syntax.odd_indent,
                statement,
                position + first,
                position + last,
                syntax.broken and any(d.code in _LAYOUT_CODES for d in syntax.diagnostics),
            )
        if syntax.diagnostics and read:
            for problem in syntax.diagnostics:
                found.append(
                    diag.make(
                        problem.code,
                        problem.message,
                        name,
                        as_span(place.span(problem.span, lines_below, position)),
                        problem.help,
                    )
                )
            if len(found) >= MAX_SYNTAX_DIAGNOSTICS and _NOT_BLANK.search(text, stop):
                length = stop  # this line is the last one read (see `_unread_rest`)
        for start, finish in syntax.comments:
            comments.append(
                n.Comment(source.span(position + start, position + finish), line_text[start:finish])
            )
        if syntax.broken:
            broken = True
            if syntax.broken_name is not None:
                broken_names.add(syntax.broken_name)
        push(line_number)
        push(position)
        push(end)
        push(stop)
        placed.append(statement)
        if "\n" in line_text:
            line_number += line_text.count("\n")
        line_number += 1
        position = stop
    rest = None
    if lone_return is not None:
        found.append(
            diag.make(
                "E118",
                "this file ends its lines with a carriage return alone (CR), which Ody does "
                "not read as a line break",
                source.name,
                source.span(lone_return, lone_return + 1),
                "save the file with LF or CRLF line endings (most editors offer this in their "
                "status bar or save dialog)",
            )
        )
        rest = _error_line(source, line_number, length)
    elif length < len(text):  # only text that is not blank is left unread
        rest = _unread_rest(source, line_number, length, found)
    if rest is not None:
        broken = True
        length = len(text)
    statements = builder.finish()
    scene = n.Scene(source.span(0, length), statements, tuple(comments))
    return SyntaxTree(
        source,
        scene,
        tuple(found),
        frozenset(broken_names),
        broken or builder.lost,
        layout,
        tuple(placed),
        fast,
        rest,
    )


def _lone_carriage_return(text: str) -> int | None:
    """Where the first line break of a file written with CR alone stands (classic Mac OS line
    endings), or None: a file with no LF at all whose CRs end lines, not only the text."""
    if "\n" in text:
        return None
    position = text.find("\r")
    while position != -1 and position + 1 < len(text):
        if text[position + 1] != "\r":
            return position
        position = text.find("\r", position + 1)
    return None


def _unread_rest(source: SourceFile, line: int, start: int, found: list[Diagnostic]) -> LineNode:
    """The text after the line where reading stopped (E117): one error token, kept so that
    the tree still covers the whole file."""
    found.append(
        diag.make(
            "E117",
            f"odyc stopped reading here, after {MAX_SYNTAX_DIAGNOSTICS:,} syntax diagnostics: "
            "the rest of the file is not checked",
            source.name,
            source.span(start, start),
            "check that the file is an Ody scene; fix the first errors, then check it again",
        )
    )
    return _error_line(source, line, start)


def _error_line(source: SourceFile, line: int, start: int) -> LineNode:
    """The text from `start` to the end, as one line holding one error token."""
    text = source.text
    rest = len(text) - start
    syntax = LineSyntax(
        0, None, None, (), True, None, False, (), (0, rest), (SignificantToken(ERROR, 0, rest),)
    )
    return LineNode(syntax, line, start, len(text), len(text), None)
