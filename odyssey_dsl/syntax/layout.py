"""The layout pass: split a scene into logical lines, comments and indentation.

A logical line is one statement. It usually is one physical line, but a triple-quoted
string may carry it over several. Comments (`#` outside strings) are set aside for tools
that keep them (the formatter). Problems found here — an unterminated string, a tab in the
indentation — become diagnostics, and the rest of the file is still read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax.nodes import Comment
from odyssey_dsl.syntax.text import SourceFile

_INTERESTING = re.compile(r'["#\n]')
_LONG_STRING_REST = re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL)
_STRING_REST = re.compile(r'(?:[^"\\\n]|\\[^\n])*"')
_TAB_WIDTH = 4


class LogicalLine(NamedTuple):
    """One statement's text: `source.text[start:end]`, comment and trailing blanks removed."""

    line: int
    indent: int
    start: int
    end: int
    tab_indent: bool = False
    """The indentation has a tab (already reported as E103)."""


class Layout(NamedTuple):
    lines: tuple[LogicalLine, ...]
    comments: tuple[Comment, ...]
    diagnostics: tuple[Diagnostic, ...]
    broken_lines: frozenset[int]
    """Physical line numbers whose statement could not be read at all."""


def split_lines(source: SourceFile) -> Layout:
    """Split `source` into logical lines (see the module docstring)."""
    text = source.text
    length = len(text)
    lines: list[LogicalLine] = []
    comments: list[Comment] = []
    found: list[Diagnostic] = []
    broken: set[int] = set()
    position = 0
    while position < length:
        line_start = position
        # Indentation.
        indent = 0
        tab_indent = False
        while position < length and text[position] in " \t":
            if text[position] == "\t":
                tab_indent = True
                found.append(
                    diag.make(
                        "E103",
                        "a tab is used for indentation",
                        source.name,
                        source.span(position, position + 1),
                        help="Ody indents blocks with spaces: replace the tab with spaces",
                    )
                )
                indent += _TAB_WIDTH
            else:
                indent += 1
            position += 1
        statement_start = position
        statement_end = position
        line_number = source.position(line_start)[0]
        # The statement itself: up to a newline or comment outside strings.
        while True:
            match = _INTERESTING.search(text, position)
            if match is None:
                statement_end = position = length
                break
            char = match.group()
            if char == "\n":
                statement_end = match.start()
                position = match.end()
                break
            if char == "#":
                statement_end = match.start()
                newline = text.find("\n", match.start())
                comment_end = length if newline == -1 else newline
                comment_text = text[match.start() : comment_end].rstrip("\r")
                comments.append(
                    Comment(
                        source.span(match.start(), match.start() + len(comment_text)),
                        comment_text,
                    )
                )
                position = length if newline == -1 else newline + 1
                break
            # A string: skip to its end.
            quote = match.start()
            if text.startswith('"""', quote):
                rest = _LONG_STRING_REST.match(text, quote + 3)
                kind = "triple-quoted string"
            else:
                rest = _STRING_REST.match(text, quote + 1)
                kind = "string"
            if rest is not None:
                position = rest.end()
                continue
            found.append(_unterminated(source, quote, kind))
            broken.add(line_number)
            newline = text.find("\n", quote)
            statement_end = statement_start  # the statement is dropped
            position = length if newline == -1 else newline + 1
            break
        statement_end = _rstrip(text, statement_start, statement_end)
        if statement_end > statement_start:
            lines.append(
                LogicalLine(line_number, indent, statement_start, statement_end, tab_indent)
            )
    return Layout(tuple(lines), tuple(comments), tuple(found), frozenset(broken))


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\r\f\v":
        end -= 1
    return end


def _unterminated(source: SourceFile, quote: int, kind: str) -> Diagnostic:
    line_end = source.text.find("\n", quote)
    if line_end == -1:
        line_end = len(source.text)
    if kind == "string":
        help_text = (
            'close it with `"` on the same line; for text over several lines use '
            'a triple-quoted string `"""..."""`'
        )
    else:
        help_text = 'close it with `"""`'
    return diag.make(
        "E101",
        f"this {kind} is never closed",
        source.name,
        source.span(quote, max(quote + 1, _rstrip(source.text, quote, line_end))),
        help=help_text,
    )
