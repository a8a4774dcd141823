"""What the timeline says about each statement of the source: the entries it emitted, the
iterations of each loop, the stream each `end` closed. Read from the compiler's expanded
timeline once per analysis, for inlay hints, hover, code lens and symbols."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odyssey_dsl.syntax import nodes as n
    from odyssey_dsl.timeline.entries import Iteration, TimelineEntry
    from odyssey_dsl.timeline.streams import Stream
    from odyssey_dsl.timeline.view import ExpandedTimeline, ScriptTimeline


@dataclass
class StatementFacts:
    """The entries one action statement emitted, in emission order."""

    statement: n.ActionStmt
    script: ScriptTimeline
    entries: list[TimelineEntry] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    """For an `end`: the streams it closed."""

    @property
    def times(self) -> list[int]:
        return [entry.time_ms for entry in self.entries]

    @property
    def in_loop(self) -> bool:
        return any(entry.iteration is not None for entry in self.entries)


@dataclass
class LoopFacts:
    """The iterations of one loop that emitted entries (of every run of it, for a loop
    inside another)."""

    loop: n.Repeat | n.ForLoop
    script: ScriptTimeline
    iterations: list[Iteration] = field(default_factory=list)

    @property
    def origins(self) -> list[int]:
        return sorted(step.origin_ms for step in self.iterations)

    @property
    def count(self) -> int:
        """Iterations per run of the loop."""
        return max((step.total for step in self.iterations), default=0)

    @property
    def runs(self) -> int:
        return len({id(step.outer) for step in self.iterations})

    @property
    def start_ms(self) -> int:
        return min(step.origin_ms for step in self.iterations)


@dataclass
class TimelineFacts:
    """Facts keyed by the start offset of their statement (the compiler's offsets)."""

    statements: dict[int, StatementFacts] = field(default_factory=dict)
    loops: dict[int, LoopFacts] = field(default_factory=dict)


def timeline_facts(timeline: ExpandedTimeline) -> TimelineFacts:
    facts = TimelineFacts()
    for script in timeline.scripts:
        seen_iterations: set[int] = set()
        for entry in script.entries:
            key = entry.statement.span.start_offset
            found = facts.statements.get(key)
            if found is None:
                found = facts.statements[key] = StatementFacts(entry.statement, script)
            found.entries.append(entry)
            step = entry.iteration
            while step is not None and id(step) not in seen_iterations:
                seen_iterations.add(id(step))
                loop_key = step.loop.span.start_offset
                loop = facts.loops.get(loop_key)
                if loop is None:
                    loop = facts.loops[loop_key] = LoopFacts(step.loop, script)
                loop.iterations.append(step)
                step = step.outer
        for stream in script.streams:
            if stream.end is not None:
                facts.statements[stream.end.statement.span.start_offset].streams.append(stream)
    return facts
