"""The open documents: their text as the client sent it, and their latest analysis.

The text is kept here, under LSP's line-break rules (`positions.LineIndex`), not in
pygls's workspace (which splits lines at `\\f` and U+2028 as well).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.lsp.analysis import DocumentText
from odyssey_dsl.lsp.positions import Encoding, LineIndex, Position, apply_change

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis

AnalysisKey = tuple[int | None, int]
"""(document version, configuration generation): what an analysis was made from."""


@dataclass(eq=False)
class OpenDocument:
    uri: str
    path: Path | None
    text: str
    version: int | None
    lines: LineIndex = field(init=False)
    analysis: Analysis | None = None
    analysed: AnalysisKey | None = None
    failed: AnalysisKey | None = None
    """The key whose analysis raised (so that requests do not wait for it forever)."""
    worker: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set (and replaced) each time an analysis of the current version is stored."""
    closed: bool = False
    settings_logged: str | None = None

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.text)

    def change(
        self,
        version: int | None,
        changes: list[tuple[Position | None, Position | None, str]],
        encoding: Encoding,
    ) -> None:
        """Apply content changes in order (a change without a range replaces the text)."""
        text, lines = self.text, self.lines
        for start, end, new_text in changes:
            text = apply_change(text, lines, start, end, new_text, encoding)
            lines = LineIndex(text)
        self.text, self.lines, self.version = text, lines, version

    def snapshot(self) -> DocumentText:
        return DocumentText(self.uri, self.version, self.text, self.path)

    def notify_ready(self) -> None:
        event, self.ready = self.ready, asyncio.Event()
        event.set()
