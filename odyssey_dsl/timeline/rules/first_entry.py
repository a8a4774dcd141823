"""E502: a script begins with `start`."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule


@script_rule("E502")
def first_entry_is_not_start(facts: ScriptFacts) -> Iterator[Finding]:
    # Later entries that come before any `start` are part of the same mistake: one report.
    for rejection in facts.walk.rejections:
        if rejection.position == 0 and rejection.reason == "before-first-start":
            entry = rejection.entry
            yield Finding(
                "E502",
                f"the script must begin with `start`, not `{entry.kind}`",
                entry.statement.action.span,
                'open a stream first, e.g. `at 0s: start "..."`',
            )
