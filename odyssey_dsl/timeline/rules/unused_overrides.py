"""W105: a `--var`/`--vars` variable that the scene does not use (a misspelt name would
otherwise be ignored without a word)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, SceneFacts, scene_rule


@scene_rule("W105")
def unused_override(facts: SceneFacts) -> Iterator[Finding]:
    if not facts.complete_parse or not facts.variables:
        return  # a line that could not be read may be the one that uses it
    names = facts.names
    overridden = {d.name for d in names.definitions if d.kind == "let"}
    used = overridden | {
        d.name for d in names.definitions if d.kind == "variable" and names.is_used(d)
    }
    read = {
        use.name
        for use in names.uses
        if use.definition is None or use.definition.kind in ("let", "for", "variable")
    }
    given = set(facts.variables)
    candidates = sorted((overridden | read) - given)
    for variable in facts.variables:
        if variable in used:
            continue
        close = difflib.get_close_matches(variable, candidates, n=1)
        if close:
            hint = f"did you mean `{close[0]}`?"
        elif candidates:
            shown = ", ".join(f"`{name}`" for name in candidates[:8])
            more = ", …" if len(candidates) > 8 else ""
            hint = f"this scene's variables are {shown}{more}"
        else:
            hint = "check its spelling, or remove it"
        yield Finding(
            "W105",
            f"`{variable}` is set with --var/--vars, but this scene uses no variable of that name",
            facts.source.span(0, 0),
            hint,
        )
