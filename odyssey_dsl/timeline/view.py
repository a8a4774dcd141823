"""The expanded timeline as tools read it: scripts, their streams and entries, each entry
linked to the statement and the loop iterations that produced it.

`odyssey_dsl.expand_timeline(text)` returns an `ExpandedTimeline`. It is what the language
server shows (inlay hints with each statement's times, hover, the timeline view) and what
a user's tests can assert on. Its entries are the ones the compiled job is made of, in the
same order and at the same times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.timeline.entries import Expansion, TimelineEntry
from odyssey_dsl.timeline.streams import Stream, walk_streams

if TYPE_CHECKING:
    from odyssey_dsl.diagnostics import Diagnostic
    from odyssey_dsl.syntax.text import SourceFile, Span


class ScriptTimeline(NamedTuple):
    """One script: its entries in emission order and its streams."""

    name: str | None
    """The name of a batch's script; None for a file without `script` blocks."""
    header: Span | None
    """The `script "NAME":` line; None for a file without `script` blocks."""
    entries: tuple[TimelineEntry, ...]
    """Each with `time_ms`, `kind`, `prompt` (rendered), `has_image`, `span` (of the
    statement that produced it) and `iterations` (0-based, outermost loop first)."""
    streams: tuple[Stream, ...]
    """Each with its `start` entry, `start_ms`, and `end`/`end_ms` (None if never ended)."""
    complete: bool
    """False when an error left out some of the script's entries."""

    def as_json(self) -> dict[str, object]:
        """The script as JSON values (spans as 1-based lines and columns, `end_column`
        exclusive, as in `odyc --format json`), for a language server or a tool."""
        positions = {id(entry): index for index, entry in enumerate(self.entries)}
        return {
            "name": self.name,
            "header": None if self.header is None else span_json(self.header),
            "complete": self.complete,
            "streams": [
                {
                    "start_ms": stream.start_ms,
                    "end_ms": stream.end_ms,
                    "start_entry": positions[id(stream.start)],
                    "end_entry": None if stream.end is None else positions[id(stream.end)],
                }
                for stream in self.streams
            ],
            "entries": [
                {
                    "time_ms": entry.time_ms,
                    "kind": entry.kind,
                    "prompt": entry.prompt,
                    "has_image": entry.has_image,
                    "span": span_json(entry.span),
                    "iterations": list(entry.iterations),
                    "loops": [span_json(loop.span) for loop in entry.loops],
                }
                for entry in self.entries
            ],
        }


class ExpandedTimeline(NamedTuple):
    """Every script of a scene as far as it could be expanded, and every diagnostic."""

    scripts: tuple[ScriptTimeline, ...]
    is_batch: bool
    diagnostics: tuple[Diagnostic, ...]
    source: SourceFile

    @property
    def ok(self) -> bool:
        """No errors: the timeline is exactly the compiled job's."""
        return not any(d.is_error for d in self.diagnostics)

    def as_json(self) -> dict[str, object]:
        """The timeline as JSON values: `{"file", "is_batch", "scripts": [...],
        "diagnostics": [...]}` (see `ScriptTimeline.as_json` and `Diagnostic.as_json`)."""
        return {
            "file": self.source.name,
            "is_batch": self.is_batch,
            "scripts": [script.as_json() for script in self.scripts],
            "diagnostics": [diagnostic.as_json() for diagnostic in self.diagnostics],
        }


def span_json(span: Span) -> dict[str, int]:
    """A span as JSON: 1-based `line`, `column`, `end_line`, `end_column` (exclusive)."""
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def timeline_of(
    expansion: Expansion | None, diagnostics: list[Diagnostic], source: SourceFile
) -> ExpandedTimeline:
    """The view of an expansion (None: nothing could be expanded)."""
    scripts: list[ScriptTimeline] = []
    for script in expansion.scripts if expansion is not None else ():
        scripts.append(
            ScriptTimeline(
                script.name,
                script.header,
                tuple(script.entries),
                tuple(walk_streams(script.entries).streams),
                script.complete,
            )
        )
    is_batch = expansion is not None and expansion.is_batch
    return ExpandedTimeline(tuple(scripts), is_batch, tuple(diagnostics), source)
