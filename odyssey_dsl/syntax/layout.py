"""The layout pass: where each logical line of a scene ends, and what lies inside it.

A logical line is one statement. It usually is one physical line, but a triple-quoted string
may carry it over several, and so may an open `[` (inside brackets, line breaks and comments
are insignificant, as in Python). A `#` outside strings starts a comment that runs to the
end of its physical line.

Recovery keeps one mistake from spreading: a triple-quoted string that is never closed takes
the lines indented deeper than its statement (and blank lines) with it, and so does a `[`
that is never closed, so their text is not read again as statements.

String extents are found with the grammar's own STRING and LONG_STRING terminals.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from odyssey_dsl.syntax.grammar import terminals

MAX_NESTING = 100
"""The deepest nesting of blocks or of brackets that a scene may use (E112)."""

_SPECIAL = re.compile(r'["#\[\]\n]')
TRAILING_BLANKS = " \t\r\f\v"
"""Characters ignored at the end of a statement."""


class Problem(NamedTuple):
    """A problem that stops a logical line from being read: where, and what."""

    kind: str  # "string", "triple-quoted string" (never closed), or "nesting" (too deep)
    offset: int


class Scan(NamedTuple):
    end: int
    """End of the logical line (exclusive), before its line break."""
    comments: tuple[tuple[int, int], ...]
    """(start, end) of every comment in it; the end excludes a `\\r` before the line break."""
    problem: Problem | None


@functools.cache
def _string_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    found = terminals()
    return re.compile(found["STRING"].pattern), re.compile(found["LONG_STRING"].pattern)


def physical_end(text: str, position: int) -> int:
    """End of the physical line holding `position`, before its `\\n` (and a `\\r` before it)."""
    newline = text.find("\n", position)
    if newline == -1:
        return len(text)
    return newline - 1 if newline > position and text[newline - 1] == "\r" else newline


def leading_blanks(text: str, position: int) -> int:
    """Number of spaces and tabs at `position` (the start of a physical line)."""
    end = position
    while end < len(text) and text[end] in " \t":
        end += 1
    return end - position


def scan_logical_line(text: str, start: int, indent: int) -> Scan:
    """Read from `start` (after the indentation) to the end of the logical line.

    `indent` is the number of leading blanks of the line: continuation lines of an unclosed
    string or bracket are the ones indented deeper than it.
    """
    string, long_string = _string_patterns()
    comments: list[tuple[int, int]] = []
    depth = 0
    position = start
    length = len(text)
    while True:
        match = _SPECIAL.search(text, position)
        if match is None:
            return Scan(length, tuple(comments), None)
        char = match.group()
        where = match.start()
        if char == "\n":
            end = where - 1 if where > start and text[where - 1] == "\r" else where
            if depth == 0 or not _continues(text, where + 1, indent, bracket=True):
                return Scan(end, tuple(comments), None)
            position = where + 1
        elif char == "#":
            end = physical_end(text, where)
            comments.append((where, end))
            position = end
        elif char == "[":
            depth += 1
            if depth > MAX_NESTING:
                return Scan(
                    _swallow(text, where, indent), tuple(comments), Problem("nesting", where)
                )
            position = where + 1
        elif char == "]":
            depth = max(0, depth - 1)
            position = where + 1
        elif text.startswith('"""', where):
            closed = long_string.match(text, where)
            if closed is None:
                end = _swallow(text, where, indent)
                return Scan(end, tuple(comments), Problem("triple-quoted string", where))
            position = closed.end()
        else:
            closed = string.match(text, where)
            if closed is None:
                end = physical_end(text, where) if depth == 0 else _swallow(text, where, indent)
                return Scan(end, tuple(comments), Problem("string", where))
            position = closed.end()


def _continues(text: str, line_start: int, indent: int, *, bracket: bool) -> bool:
    """Whether the physical line at `line_start` continues an open string or bracket."""
    if line_start >= len(text):
        return False
    blanks = leading_blanks(text, line_start)
    first = line_start + blanks
    if first >= len(text) or text[first] in "\r\n#":
        return True  # blank or comment-only lines never end it
    if blanks > indent:
        return True
    return bracket and text[first] == "]"


def _swallow(text: str, position: int, indent: int) -> int:
    """End of the lines that an unclosed string or bracket at `position` takes with it."""
    end = physical_end(text, position)
    while end < len(text):
        next_start = text.find("\n", end) + 1
        if not _continues(text, next_start, indent, bracket=False):
            break
        end = physical_end(text, next_start)
    return end


def logical_line_end(text: str, start: int) -> int:
    """End of the logical line that starts at `start` (a physical line start)."""
    end = physical_end(text, start)
    line = text[start:end]
    if '"""' not in line and "[" not in line:
        return end
    indent = leading_blanks(text, start)
    return scan_logical_line(text, start + indent, indent).end
