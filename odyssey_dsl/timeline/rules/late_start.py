"""W104: a script whose first statement is a loop without `at`/`after` starts one period
late (the loop begins one period after the origin), so nothing happens before it."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, at, script_rule

_TIMED = (n.ActionStmt, n.Repeat, n.ForLoop)


@script_rule("W104")
def first_loop_starts_late(facts: ScriptFacts) -> Iterator[Finding]:
    if not facts.entries:
        return
    first = facts.entries[0]
    if first.time_ms <= 0 or first.iteration is None:
        return
    outermost = first.iteration
    while outermost.outer is not None:
        outermost = outermost.outer
    loop = outermost.loop
    first_timed = next((s for s in facts.script.body if isinstance(s, _TIMED)), None)
    if loop.prefix is not None or first_timed is not loop:
        return
    keyword = "for" if isinstance(loop, n.ForLoop) else "repeat"
    yield Finding(
        "W104",
        f"the first entry of this script is at {at(first)}; nothing happens before it",
        loop.span,
        f"a loop without `at` or `after` starts one period after the script's start: "
        f"write `at 0s {keyword} …` to start at once",
    )
