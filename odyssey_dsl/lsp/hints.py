"""Inlay hints: the time where it happens, in four kinds that a client turns on and off.

- `resolvedTimes`: after every `after …` prefix and loop header, the absolute time (`= 13.5s`);
- `loopIterations`: on a loop header, its iteration count and first/last start (`×4: 3s … 9s`);
- `loopBodyTimes`: inside a loop body, the first and last times of each line;
- `streamDurations`: at an `end`, the length of the stream it closes.

Times are Ody durations (`format_duration`), as `odyc` parses them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, NamedTuple

from lsprotocol import types

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import format_duration

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge


@dataclass(frozen=True)
class HintSettings:
    """Which kinds are on (the `inlayHints` object of docs/lsp.md; a missing key is on)."""

    resolvedTimes: bool = True
    loopIterations: bool = True
    loopBodyTimes: bool = True
    streamDurations: bool = True

    @classmethod
    def read(cls, options: object) -> HintSettings:
        """The settings in `{"inlayHints": {...}}`; a missing or malformed key is on."""
        hints = options.get("inlayHints") if isinstance(options, Mapping) else None
        if not isinstance(hints, Mapping):
            return cls()
        changes = {
            f.name: hints[f.name] for f in fields(cls) if isinstance(hints.get(f.name), bool)
        }
        return replace(cls(), **changes)


class Hint(NamedTuple):
    offset: int
    """Where (a compiler offset): the hint is drawn after the character before it."""
    label: str
    kind: str
    """The `HintSettings` field that turns it on."""


def ms(value: int) -> str:
    return format_duration(value)


def span_of_times(times: list[int]) -> str:
    """`3s` for one time, `3s … 9s` for several."""
    first, last = min(times), max(times)
    return ms(first) if first == last else f"{ms(first)} … {ms(last)}"


def all_hints(analysis: Analysis) -> list[Hint]:
    """Every hint of the analysis, in the order of the text."""
    found = list(_statement_hints(analysis)) + list(_loop_hints(analysis))
    found.sort(key=lambda hint: hint.offset)
    return found


def _statement_hints(analysis: Analysis) -> Iterator[Hint]:
    for facts in analysis.facts.statements.values():
        statement = facts.statement
        times = facts.times
        if facts.in_loop:
            yield Hint(statement.span.end_offset, span_of_times(times), "loopBodyTimes")
        elif isinstance(statement.prefix, n.After):
            yield Hint(statement.prefix.span.end_offset, f"= {ms(times[0])}", "resolvedTimes")
        if isinstance(statement.action, n.End) and facts.streams:
            lengths = sorted({s.end_ms - s.start_ms for s in facts.streams if s.end_ms is not None})
            label = ms(lengths[0]) if len(lengths) == 1 else f"{ms(lengths[0])} … {ms(lengths[-1])}"
            yield Hint(statement.span.end_offset, f"stream: {label}", "streamDurations")


def _loop_hints(analysis: Analysis) -> Iterator[Hint]:
    for facts in analysis.facts.loops.values():
        loop = facts.loop
        origins = facts.origins
        if loop.prefix is not None:
            at = loop.prefix.span.end_offset
            yield Hint(at, f"= {ms(facts.start_ms)}", "resolvedTimes")
        else:
            yield Hint(loop.span.end_offset, f"= {ms(facts.start_ms)}", "resolvedTimes")
        label = f"×{facts.count}: {span_of_times(origins)}"
        if facts.runs > 1:
            label += f" ({facts.runs} runs)"
        yield Hint(loop.span.end_offset, label, "loopIterations")


def inlay_hints(edge: Edge, span: types.Range, settings: HintSettings) -> list[types.InlayHint]:
    """The hints of the kinds that are on, inside `span`."""
    start, end = edge.offset(span.start), edge.offset(span.end)
    return [
        types.InlayHint(
            position=edge.position(hint.offset),
            label=hint.label,
            kind=types.InlayHintKind.Type,
            padding_left=True,
        )
        for hint in edge.analysis.hints
        if getattr(settings, hint.kind) and start <= hint.offset <= end
    ]
