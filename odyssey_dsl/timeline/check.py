"""Stage 3 — check: run the rules (`timeline.rules`) over a scene and its expanded scripts.

Script rules run on each complete script (one whose every timed statement was placed);
scene rules once. A rule's finding at a place that loop iterations repeat is reported once,
with how many more times it occurred.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.timeline.rules import RULES, Finding, Rule, SceneFacts, ScriptFacts

if TYPE_CHECKING:
    from odyssey_dsl.syntax.text import SourceFile
    from odyssey_dsl.timeline.entries import ExpandedScript
    from odyssey_dsl.timeline.limits import Limits

CodeFilter = Callable[[str], bool]
"""Which codes to check (lint configuration); every code when None."""


def check_scene(facts: SceneFacts, selected: CodeFilter | None = None) -> list[Diagnostic]:
    """The scene rules' diagnostics."""
    return _diagnostics(
        facts.source,
        (finding for rule in _rules("scene", selected) for finding in rule.check(facts)),
    )


def check_timelines(
    scripts: Iterable[ExpandedScript],
    source: SourceFile,
    limits: Limits,
    selected: CodeFilter | None = None,
) -> list[Diagnostic]:
    """The script rules' diagnostics over every complete script."""
    rules = _rules("script", selected)

    def findings() -> Iterable[Finding]:
        for script in scripts:
            if script.complete and script.entries:
                facts = ScriptFacts(script, limits)
                for rule in rules:
                    yield from rule.check(facts)

    return _diagnostics(source, findings())


def _rules(target: str, selected: CodeFilter | None) -> list[Rule]:
    return [
        rule
        for rule in RULES.values()
        if rule.target == target and (selected is None or selected(rule.code))
    ]


def _diagnostics(source: SourceFile, findings: Iterable[Finding]) -> list[Diagnostic]:
    """One diagnostic per (code, place), counting the repeats that loops made."""
    first: dict[tuple[str, int, int], Finding] = {}
    repeats: dict[tuple[str, int, int], int] = {}
    for finding in findings:
        place = (finding.code, finding.span.start_offset, finding.span.end_offset)
        if place in first:
            repeats[place] = repeats.get(place, 0) + 1
        else:
            first[place] = finding
    result = []
    for place, finding in first.items():
        message = finding.message
        more = repeats.get(place, 0)
        if more:
            times = "time" if more == 1 else "times"
            message += f" (and {more} more {times} in later loop iterations)"
        result.append(diag.make(finding.code, message, source.name, finding.span, finding.help))
    return result
