"""E506: no two entries on one millisecond, except an `end` and the next `start`."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from itertools import islice

from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, at, script_rule, where


@script_rule("E506")
def same_millisecond(facts: ScriptFacts) -> Iterator[Finding]:
    times = facts.times
    if not any(map(operator.eq, islice(times, 1, None), times)):
        return
    entries = facts.entries
    for index in range(1, len(times)):
        if times[index] != times[index - 1]:
            continue
        entry, previous = entries[index], entries[index - 1]
        if previous.kind == "end" and entry.kind == "start":
            continue
        yield Finding(
            "E506",
            f"two entries at {at(entry)}: this one and the one on {where(previous)}",
            entry.statement.span,
            "move one of them by at least a millisecond",
        )
