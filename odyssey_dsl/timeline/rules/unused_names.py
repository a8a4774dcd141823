"""W101: a `let` that nothing reads (names starting with `_` are exempt)."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, SceneFacts, scene_rule


@scene_rule("W101")
def unused_variable(facts: SceneFacts) -> Iterator[Finding]:
    if not facts.complete_parse:
        return  # a line that could not be read may be the one that uses it
    for definition in facts.names.unused_lets():
        if definition.name.startswith("_") or definition.span is None:
            continue
        yield Finding(
            "W101",
            f"`{definition.name}` is defined but never used",
            definition.span,
            f"remove the `let`, or name it `_{definition.name}` to keep it unused",
        )
