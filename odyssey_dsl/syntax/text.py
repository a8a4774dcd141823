"""Source text and positions: every node and diagnostic points into a `SourceFile` with a `Span`.

Lines and columns are 1-based and count Unicode code points; `end_column` is exclusive.
Conversion to an editor's UTF-16 columns happens at the language-server edge only.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import threading
from array import array
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


RawSpan = tuple[int, int, int, int, int, int]
"""A span's fields as a plain tuple (what syntax nodes keep; see `odyssey_dsl.syntax.nodes`)."""

_new = tuple.__new__


def as_span(where: RawSpan) -> Span:
    """The `Span` of a plain tuple of its fields."""
    return _new(Span, where)


class SourceFile:
    """The text of one `.ody` file (BOM removed, line endings kept) and its display name.

    Where lines start is found on demand, a megabyte at a time, as far as a position asks
    for: the diagnostics at the top of a huge file that is not a scene never pay for a table
    of its millions of lines. The table is an array of machine integers (8 bytes a line).
    """

    __slots__ = ("_line_count", "_line_starts", "_scan_lock", "_scanned", "name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._line_starts = array("q", [1 if text.startswith(BYTE_ORDER_MARK) else 0])
        """Where each line starts; a byte order mark is not a column of the first line: its
        columns count from the character after it, as editors count them."""
        self._scanned = 0
        """`text[:_scanned]` has its line starts in `_line_starts`."""
        self._line_count = -1
        self._scan_lock = threading.Lock()  # two threads asking at once must not both scan

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r}, <{len(self.text)} characters>)"

    def _scan_past(self, offset: int) -> None:
        """Find the starts of the lines that begin at or before `offset`."""
        text = self.text
        if self._scanned > offset or self._scanned >= len(text):
            return
        with self._scan_lock:
            self._scan_chunks_past(offset)

    def _scan_chunks_past(self, offset: int) -> None:
        text = self.text
        while self._scanned <= offset and self._scanned < len(text):
            start = self._scanned
            end = min(len(text), start + _SCAN_CHUNK)
            # The start of each line is the length of the text before it plus its line break.
            lengths = itertools.accumulate(map(len, text[start:end].split("\n")), initial=start)
            starts = map(operator.add, lengths, itertools.count())
            self._line_starts.extend(itertools.islice(starts, 1, text.count("\n", start, end) + 1))
            self._scanned = end

    def _scan_lines(self, line: int) -> None:
        """Find the starts of the first `line` lines (or of every line, if there are fewer)."""
        while len(self._line_starts) < line and self._scanned < len(self.text):
            self._scan_past(self._scanned)

    @property
    def line_count(self) -> int:
        if self._line_count < 0:
            self._line_count = self.text.count("\n") + 1
        return self._line_count

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        if offset == len(self.text) and self._scanned < offset:  # the end: no table needed
            line_start = self.text.rfind("\n") + 1 or self._line_starts[0]
            return self.line_count, max(1, offset - line_start + 1)
        self._scan_past(offset)
        line_index = max(0, bisect.bisect_right(self._line_starts, offset) - 1)
        return line_index + 1, max(1, offset - self._line_starts[line_index] + 1)

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        self._scan_lines(line)
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
        self._scan_lines(line + 1)
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


_SCAN_CHUNK = 1 << 20

MAX_SCENE_BYTES = 64 * 1024 * 1024
"""The largest scene odyc reads (E116): far above any written scene (100,000 entries are
about 10 MB), and the request-body limit of the emulator. Reading stops after this many
bytes, so `/dev/zero` or a 200 MB file costs no more than this."""


def decode_source(data: bytes) -> str:
    """Decode a `.ody` file's bytes: UTF-8 with an optional BOM. Raises UnicodeDecodeError."""
    text = data.decode("utf-8")
    return text.removeprefix(BYTE_ORDER_MARK)
