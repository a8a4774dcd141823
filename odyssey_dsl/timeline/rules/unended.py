"""E505: every stream ends (reported at its `start`, with the line to add)."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule


@script_rule("E505")
def stream_never_ended(facts: ScriptFacts) -> Iterator[Finding]:
    streams = facts.walk.streams
    if not streams or streams[-1].end is not None:
        return
    entry = facts.entries[-1]
    path = entry.iteration_path
    # After the last entry's statement, or after the whole loop that holds it (an `end` in
    # its body would end a stream in each iteration), on the statement's last line.
    last: n.Statement = path[0].loop if path else entry.statement
    indent = " " * (last.span.column - 1)
    while isinstance(last, n.Repeat | n.ForLoop) and last.body:
        last = last.body[-1]
    yield Finding(
        "E505",
        "this stream is never ended",
        streams[-1].start.statement.action.span,
        f"add a line such as\n{indent}after 1s: end\nafter line {last.span.end_line}",
    )
