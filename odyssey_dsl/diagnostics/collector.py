"""Collecting the diagnostics of one file while a stage walks it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from odyssey_dsl.diagnostics.catalogue import Diagnostic, make

if TYPE_CHECKING:
    from odyssey_dsl.syntax.text import Span


class DiagnosticCollector:
    """The diagnostics of one file, each code once per place.

    A loop body is expanded once per iteration: the same problem at the same place is
    reported the first time only.
    """

    __slots__ = ("_places", "diagnostics", "error_count", "file")

    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.error_count = 0
        self._places: set[tuple[str, int, int]] = set()

    def report(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        """Report a catalogue code at `span`, unless it was reported there already."""
        place = (code, span.start_offset, span.end_offset)
        if place in self._places:
            return
        self._places.add(place)
        diagnostic = make(code, message, self.file, span, help)
        self.diagnostics.append(diagnostic)
        if diagnostic.is_error:
            self.error_count += 1
