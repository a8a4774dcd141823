"""What a rule is: a small unit, under its catalogue code, that reads facts and yields
findings.

A *script rule* reads one expanded script (`ScriptFacts`: its entries, their times, its
streams); a *scene rule* reads the whole scene's names (`SceneFacts`). Both are plain
functions wrapped by `script_rule(code)` / `scene_rule(code)`; `timeline.rules.RULES` lists
them all by code, and `timeline.check` runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from odyssey_dsl.syntax.durations import format_duration
from odyssey_dsl.timeline.streams import StreamWalk, walk_streams

if TYPE_CHECKING:
    from odyssey_dsl.semantics.names import NameTable
    from odyssey_dsl.syntax.text import SourceFile, Span
    from odyssey_dsl.timeline.entries import ExpandedScript, TimelineEntry
    from odyssey_dsl.timeline.limits import Limits


class Finding(NamedTuple):
    """A problem a rule found: its code, message, place and help."""

    code: str
    message: str
    span: Span
    help: str | None = None


class ScriptFacts:
    """One complete expanded script, as the script rules read it."""

    __slots__ = ("entries", "limits", "script", "times", "walk")

    def __init__(self, script: ExpandedScript, limits: Limits) -> None:
        self.script = script
        self.entries = script.entries
        self.times = [entry.time_ms for entry in script.entries]
        self.limits = limits
        self.walk: StreamWalk = walk_streams(script.entries)


class SceneFacts(NamedTuple):
    """The whole scene, as the scene rules read it."""

    source: SourceFile
    names: NameTable
    variables: tuple[str, ...]
    """The names given with `--var`/`--vars`."""
    complete_parse: bool
    """False when some lines could not be read: what they use is unknown."""


Target = Literal["script", "scene"]


class Rule(NamedTuple):
    """One check, registered under its catalogue code."""

    code: str
    target: Target
    check: Callable[..., Iterator[Finding]]
    """`check(ScriptFacts)` for a script rule, `check(SceneFacts)` for a scene rule."""


def script_rule(code: str) -> Callable[[Callable[[ScriptFacts], Iterator[Finding]]], Rule]:
    """Make a function of `ScriptFacts` the rule of `code`."""

    def wrap(check: Callable[[ScriptFacts], Iterator[Finding]]) -> Rule:
        return Rule(code, "script", check)

    return wrap


def scene_rule(code: str) -> Callable[[Callable[[SceneFacts], Iterator[Finding]]], Rule]:
    """Make a function of `SceneFacts` the rule of `code`."""

    def wrap(check: Callable[[SceneFacts], Iterator[Finding]]) -> Rule:
        return Rule(code, "scene", check)

    return wrap


# --- words the messages share -----------------------------------------------------------------


def at(entry: TimelineEntry) -> str:
    """The entry's time as a duration (`5s`, `1m30s`)."""
    return format_duration(entry.time_ms)


def in_iteration(entry: TimelineEntry) -> str:
    """` (iteration 2 of the loop on line 4)` for an entry made in a loop, else ``."""
    step = entry.iteration
    if step is None:
        return ""
    return f" (iteration {step.index0 + 1} of the loop on line {step.loop.span.line})"


def where(entry: TimelineEntry) -> str:
    """`line 3`, with the iteration for an entry made in a loop."""
    return f"line {entry.statement.span.line}{in_iteration(entry)}"
