"""The server's edge: compiler spans <-> LSP ranges in the negotiated encoding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.lsp.positions import Encoding

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.syntax.text import Span


class Edge:
    """Converts the positions of one analysis for one client."""

    __slots__ = ("analysis", "encoding")

    def __init__(self, analysis: Analysis, encoding: Encoding) -> None:
        self.analysis = analysis
        self.encoding = encoding

    def position(self, offset: int) -> types.Position:
        """The LSP position of a compiler offset."""
        line, character = self.analysis.lines.position(offset + self.analysis.shift, self.encoding)
        return types.Position(line=line, character=character)

    def range(self, span: Span) -> types.Range:
        return self.offsets(span.start_offset, span.end_offset)

    def offsets(self, start: int, end: int) -> types.Range:
        """The LSP range of the compiler offsets [start, end)."""
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        """The compiler offset of an LSP position."""
        at = self.analysis.lines.offset(position.line, position.character, self.encoding)
        return max(0, at - self.analysis.shift)

    def line_range(self, line: int) -> types.Range:
        """The content of a 0-based LSP line."""
        lines = self.analysis.lines
        start, end = lines.starts[line], lines.ends[line]
        shift = self.analysis.shift
        return self.offsets(max(0, start - shift), max(0, end - shift))
