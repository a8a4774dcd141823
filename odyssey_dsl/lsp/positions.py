"""Positions at the server's edge: character offsets <-> LSP `(line, character)`.

The compiler counts code points and breaks lines at `\\n` only; LSP breaks lines at `\\n`,
`\\r\\n` and `\\r` (never at `\\f` or U+2028) and counts characters in the negotiated
encoding: UTF-16 code units by default, or UTF-8 bytes, or UTF-32 (code points). This
module is the only place that converts, and it works from offsets into the document's text.
"""

from __future__ import annotations

import bisect
import re
from typing import Literal, NamedTuple

Encoding = Literal["utf-8", "utf-16", "utf-32"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "utf-16", "utf-32")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Position(NamedTuple):
    """An LSP position: 0-based line, character in the encoding's units."""

    line: int
    character: int


def units(text: str, encoding: Encoding) -> int:
    """How many units of `encoding` `text` takes."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
    return len(text.encode("utf-8", errors="surrogatepass"))


def _code_points(text: str, count: int, encoding: Encoding) -> int:
    """How many code points of `text` the first `count` units cover (a position inside a
    character moves past it; past the end, the end)."""
    if encoding == "utf-32" or text.isascii():
        return min(count, len(text))
    used = 0
    for index, char in enumerate(text):
        if used >= count:
            return index
        code = ord(char)
        if encoding == "utf-16":
            used += 2 if code > 0xFFFF else 1
        else:
            used += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return len(text)


class LineIndex:
    """Where each LSP line of a text starts and where its content ends."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        ends = []
        for match in _LINE_BREAK.finditer(text):
            ends.append(match.start())
            starts.append(match.end())
        ends.append(len(text))
        self.starts = starts
        self.ends = ends

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The 0-based LSP line of the character at `offset`."""
        return bisect.bisect_right(self.starts, max(0, offset)) - 1

    def line_text(self, line: int) -> str:
        """The content of a 0-based line, without its line break."""
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line] : self.ends[line]]

    def position(self, offset: int, encoding: Encoding) -> Position:
        """The LSP position of a character offset (clamped to the text; an offset inside a
        line break is the end of its line)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        start = self.starts[line]
        offset = min(offset, self.ends[line])
        return Position(line, units(self.text[start:offset], encoding))

    def offset(self, line: int, character: int, encoding: Encoding) -> int:
        """The character offset of an LSP position; a line past the end is the end of the
        text, a character past the end of its line is the end of the line."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.ends[line]
        return start + _code_points(self.text[start:end], max(0, character), encoding)


def apply_change(
    text: str,
    index: LineIndex,
    start: Position | None,
    end: Position | None,
    new_text: str,
    encoding: Encoding,
) -> str:
    """`text` after an LSP content change: `new_text` replaces the range from `start` to
    `end`, or the whole text when the change has no range."""
    if start is None or end is None:
        return new_text
    begin = index.offset(start.line, start.character, encoding)
    finish = index.offset(end.line, end.character, encoding)
    if finish < begin:
        begin, finish = finish, begin
    return text[:begin] + new_text + text[finish:]
