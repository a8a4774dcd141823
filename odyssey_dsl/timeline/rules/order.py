"""E501: times never go backwards — each entry is at or after the one emitted before it."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from itertools import islice

from odyssey_dsl.timeline.entries import TimelineEntry
from odyssey_dsl.timeline.rules.base import (
    Finding,
    ScriptFacts,
    at,
    in_iteration,
    script_rule,
    where,
)


@script_rule("E501")
def time_goes_backwards(facts: ScriptFacts) -> Iterator[Finding]:
    times = facts.times
    if not any(map(operator.lt, islice(times, 1, None), times)):
        return
    entries = facts.entries
    for index in range(1, len(times)):
        if times[index] < times[index - 1]:
            entry, previous = entries[index], entries[index - 1]
            yield Finding(
                "E501",
                f"this entry at {at(entry)}{in_iteration(entry)} comes before the entry "
                f"at {at(previous)} on {where(previous)}",
                entry.statement.span,
                order_help(entry, previous),
            )


def order_help(entry: TimelineEntry, previous: TimelineEntry) -> str:
    """What to change, naming a loop only when one is involved."""
    ours, theirs = entry.iteration_path, previous.iteration_path
    depth = 0
    while depth < min(len(ours), len(theirs)) and ours[depth] is theirs[depth]:
        depth += 1  # iterations both entries were made in
    mine = ours[depth] if depth < len(ours) else None
    other = theirs[depth] if depth < len(theirs) else None
    if mine is not None and other is not None and mine.loop is other.loop:
        return (
            "entries must be in time order; the body of the loop on line "
            f"{mine.loop.span.line} lasts longer than its `every` period, so one iteration "
            "overlaps the next: make the period longer or the body shorter"
        )
    if other is not None:
        return (
            f"entries must be in time order; the loop on line {other.loop.span.line} still "
            f"emits entries at {at(previous)}: give this entry a later time, or make the "
            "loop end sooner"
        )
    if mine is not None:
        return (
            f"entries must be in time order; the loop on line {mine.loop.span.line} starts "
            f"before {at(previous)}: start it later"
        )
    return f"entries must be in time order: give this entry a time after {at(previous)}"
