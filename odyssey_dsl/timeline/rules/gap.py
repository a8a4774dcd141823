"""W102: two entries of one stream closer than the minimum gap (`--min-gap`, 100ms)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule, where


@script_rule("W102")
def entries_too_close(facts: ScriptFacts) -> Iterator[Finding]:
    min_gap = facts.limits.min_gap_ms
    times = facts.times
    close = [i for i in range(1, len(times)) if 0 < times[i] - times[i - 1] < min_gap]
    if not close:
        return
    entries = facts.entries
    streams = facts.walk.streams
    starts = [stream.start_index for stream in streams]
    for index in close:
        found = bisect.bisect_left(starts, index) - 1  # the stream started before `index`
        if found < 0 or entries[index].kind == "start":
            continue
        end = streams[found].end_index
        if end is not None and index > end:
            continue  # between streams: E503 speaks of it
        previous = entries[index - 1]
        yield Finding(
            "W102",
            f"this entry comes only {times[index] - times[index - 1]}ms after the "
            f"previous one on {where(previous)} (the minimum gap is {min_gap}ms)",
            entries[index].statement.span,
            "the stream may not have time to react; space them out, or lower `--min-gap`",
        )
