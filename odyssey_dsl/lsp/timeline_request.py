"""`ody/timeline`: the compiled timeline with each entry's source range (docs/lsp.md).

Built from `ExpandedTimeline.as_json()` (snake_case, 0-based iterations, spans as 1-based
lines and columns) and turned into the camelCase shape the clients read, with LSP ranges
in the negotiated encoding and 1-based iteration numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odyssey_dsl.syntax.durations import format_duration

if TYPE_CHECKING:
    from odyssey_dsl.lsp.edge import Edge

TIMELINE_METHOD = "ody/timeline"


def timeline_result(edge: Edge) -> dict[str, Any]:
    """The `TimelineResult` of the analysed document."""
    analysis = edge.analysis
    timeline = analysis.timeline
    scripts = [_script(script.as_json(), edge) for script in timeline.scripts]
    return {
        "uri": analysis.document.uri,
        "version": analysis.version,
        "scripts": scripts,
        "errors": analysis.errors,
        "warnings": analysis.warnings,
    }


def _script(script: dict[str, Any], edge: Edge) -> dict[str, Any]:
    entries = script["entries"]
    owners: list[int | None] = [None] * len(entries)
    streams = []
    for index, stream in enumerate(script["streams"]):
        first = stream["start_entry"]
        last = stream["end_entry"] if stream["end_entry"] is not None else len(entries) - 1
        for position in range(first, last + 1):
            owners[position] = index
        start = entries[first]
        streams.append(
            {
                "index": index,
                "startMs": stream["start_ms"],
                "endMs": stream["end_ms"],
                "prompt": start["prompt"],
                "range": _range(start["span"], edge),
            }
        )
    return {
        "name": script["name"],
        "range": None if script["header"] is None else _range(script["header"], edge),
        "durationMs": max((entry["time_ms"] for entry in entries), default=0),
        "streams": streams,
        "entries": [
            {
                "timeMs": entry["time_ms"],
                "time": format_duration(entry["time_ms"]),
                "kind": entry["kind"],
                "prompt": entry["prompt"],
                "stream": owners[position],
                "range": _range(entry["span"], edge),
                "iterations": [index0 + 1 for index0 in entry["iterations"]],
            }
            for position, entry in enumerate(entries)
        ],
    }


def _range(span: dict[str, int], edge: Edge) -> dict[str, Any]:
    """An `as_json` span (1-based lines and code-point columns of the compiler's text) as an
    LSP range."""
    source = edge.analysis.timeline.source
    start = source.offset(span["line"], span["column"])
    end = source.offset(span["end_line"], span["end_column"])
    lsp = edge.offsets(start, end)
    return {
        "start": {"line": lsp.start.line, "character": lsp.start.character},
        "end": {"line": lsp.end.line, "character": lsp.end.character},
    }
