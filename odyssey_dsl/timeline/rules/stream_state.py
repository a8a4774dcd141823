"""E503 and E504: `interact`/`end` only while a stream runs, `start` only when none does."""

from __future__ import annotations

from collections.abc import Iterator

from odyssey_dsl.timeline.rules.base import Finding, ScriptFacts, script_rule, where


@script_rule("E503")
def no_running_stream(facts: ScriptFacts) -> Iterator[Finding]:
    for rejection in facts.walk.rejections:
        if rejection.reason == "no-stream" and rejection.last_end is not None:
            entry = rejection.entry
            yield Finding(
                "E503",
                f"`{entry.kind}` comes when no stream is running",
                entry.statement.action.span,
                f"the previous stream ended on {where(rejection.last_end)}; start a new one first",
            )


@script_rule("E504")
def stream_already_running(facts: ScriptFacts) -> Iterator[Finding]:
    for rejection in facts.walk.rejections:
        if rejection.reason == "already-running" and rejection.running is not None:
            yield Finding(
                "E504",
                f"a stream is already running (started on {where(rejection.running)})",
                rejection.entry.statement.action.span,
                "one stream runs at a time: add an `end` before this `start`",
            )
