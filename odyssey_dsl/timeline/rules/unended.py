"""E505: every stream ends (reported at its `start`, with the line to add)."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule


@script_rule("E505")
def stream_never_ended(facts: ScriptFacts) -> Iterator[Finding]:
    streams = facts.walk.streams
    if not streams or streams[-1].end is not None:
        return
    last = facts.entries[-1].statement.span
    indent = " " * (last.column - 1)
    yield Finding(
        "E505",
        "this stream is never ended",
        streams[-1].start.statement.action.span,
        f"add a line such as\n{indent}after 1s: end\nafter line {last.line}",
    )
