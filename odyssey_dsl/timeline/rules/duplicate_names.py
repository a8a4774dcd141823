"""E202: a `let` of a name that its block already defines (an inner block may shadow it)."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, SceneFacts, scene_rule


@scene_rule("E202")
def duplicate_variable(facts: SceneFacts) -> Iterator[Finding]:
    for earlier, duplicate in facts.names.duplicates:
        if duplicate.span is None or earlier.span is None:
            continue
        if earlier.kind == "for":
            where = f" (it is the variable of the loop on line {earlier.span.line})"
        elif earlier.kind == "loop":
            where = f" (`loop` describes the loop on line {earlier.span.line})"
        else:
            where = f" on line {earlier.span.line}"
        yield Finding(
            "E202",
            f"`{duplicate.name}` is already defined in this scope{where}",
            duplicate.span,
            "choose another name; an inner block (a loop or script) may shadow it",
        )
