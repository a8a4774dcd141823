"""E510: entry times stay within 2^53-1 ms, which every JSON reader keeps exactly."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.syntax.durations import MAX_TIMESTAMP_MS
from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule


@script_rule("E510")
def time_out_of_range(facts: ScriptFacts) -> Iterator[Finding]:
    if not facts.times or max(facts.times) <= MAX_TIMESTAMP_MS:
        return
    for entry in facts.entries:
        if entry.time_ms > MAX_TIMESTAMP_MS:
            yield Finding(
                "E510",
                f"this entry's time ({entry.time_ms:,} ms) is too far in the future",
                entry.statement.span,
                f"times must be at most {MAX_TIMESTAMP_MS:,} ms, the largest whole number "
                "every JSON reader (such as JavaScript) keeps exactly",
            )
