"""Source text and positions: every node and diagnostic points into a `SourceFile` with a `Span`.

Lines and columns are 1-based and count Unicode code points; `end_column` is exclusive.
Conversion to an editor's UTF-16 columns happens at the language-server edge only.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from typing import NamedTuple

BYTE_ORDER_MARK = "\ufeff"


class Span(NamedTuple):
    """A half-open range of source text: [start_offset, end_offset)."""

    line: int
    column: int
    end_line: int
    end_column: int
    start_offset: int
    end_offset: int

    def cover(self, other: Span) -> Span:
        """The smallest span that covers both `self` and `other`."""
        first = self if self.start_offset <= other.start_offset else other
        last = self if self.end_offset >= other.end_offset else other
        return Span(
            first.line,
            first.column,
            last.end_line,
            last.end_column,
            first.start_offset,
            last.end_offset,
        )


class SourceFile:
    """The text of one `.ody` file (BOM removed, line endings kept) and its display name."""

    __slots__ = ("_line_starts", "name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        # The start of line k is the length of the lines before it plus their k line breaks.
        lengths = itertools.accumulate(map(len, text.split("\n")), initial=0)
        starts: tuple[int, ...] = tuple(map(operator.add, lengths, itertools.count()))
        if text.startswith(BYTE_ORDER_MARK):  # not a character of the first line: columns
            starts = (1, *starts[1:])  # count from the one after it, as editors do
        self._line_starts = starts[:-1]

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r}, <{len(self.text)} characters>)"

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line_index = max(0, bisect.bisect_right(self._line_starts, offset) - 1)
        return line_index + 1, max(1, offset - self._line_starts[line_index] + 1)

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._line_starts)))
        return min(self._line_starts[line - 1] + column - 1, len(self.text))

    def span(self, start: int, end: int) -> Span:
        """The span of the character offsets [start, end)."""
        if end < start:
            end = start
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column, start, end)

    def line_span(self, line: int) -> Span:
        """The span of a whole line (without its line ending)."""
        start = self.offset(line, 1)
        text = self.line_text(line)
        return self.span(start, start + len(text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def decode_source(data: bytes) -> str:
    """Decode a `.ody` file's bytes: UTF-8 with an optional BOM. Raises UnicodeDecodeError."""
    text = data.decode("utf-8")
    return text.removeprefix(BYTE_ORDER_MARK)
