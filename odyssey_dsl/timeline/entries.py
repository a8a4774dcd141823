"""Timelines: what expansion produces and the checks read — one entry per action, at its
absolute time within its script."""

from __future__ import annotations

from typing import Literal, NamedTuple

from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.text import Span

ActionKind = Literal["start", "interact", "end"]


class TimelineEntry(NamedTuple):
    """One expanded action at its absolute time within its script."""

    time_ms: int
    kind: ActionKind
    prompt: str | None
    image: str | None
    statement: n.ActionStmt
    iteration: tuple[int, int] | None = None
    """(line of the innermost loop's header, 1-based iteration), for messages."""


class ExpandedScript(NamedTuple):
    name: str | None
    header: Span | None
    entries: list[TimelineEntry]
    complete: bool = True
    """False when an error dropped a timed statement: its timeline checks would be noise."""


class Expansion(NamedTuple):
    scripts: list[ExpandedScript] | None
    """None when nothing could be expanded (no timeline to check)."""
    is_batch: bool
    portrait: bool | None
    diagnostics: list[Diagnostic]
