"""W103: the same prompt sent twice in a row to one stream.

A prompt that could not be rendered (already reported) is kept as an empty text, which no
prompt that renders can be (E304): it is compared with nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule


@script_rule("W103")
def repeated_prompt(facts: ScriptFacts) -> Iterator[Finding]:
    entries = facts.entries
    for stream in facts.walk.streams:
        last = len(entries) if stream.end_index is None else stream.end_index
        prompt = stream.start.prompt
        for index in range(stream.start_index + 1, last):
            entry = entries[index]
            if entry.kind != "interact":
                continue  # a `start` while this stream runs is refused (E504)
            if entry.prompt and entry.prompt == prompt:
                action = entry.statement.action
                span = action.prompt.span if isinstance(action, n.Interact) else action.span
                yield Finding(
                    "W103",
                    "this prompt is the same as the previous one sent to this stream",
                    span,
                    "sending a prompt twice in a row does not change anything",
                )
            prompt = entry.prompt
