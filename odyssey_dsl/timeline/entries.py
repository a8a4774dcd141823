"""Timelines: what expansion produces and the checks read — one entry per action, at its
absolute time within its script, linked to the statement and the loop iterations that
produced it."""

from __future__ import annotations

from typing import Literal, NamedTuple

from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.text import Span

ActionKind = Literal["start", "interact", "end"]


class Iteration(NamedTuple):
    """One iteration of a loop; the entries it emits share it (one object per iteration)."""

    loop: n.Repeat | n.ForLoop
    index0: int
    """Which iteration, from 0 (the `loop.index0` of its templates)."""
    outer: Iteration | None
    """The iteration of the enclosing loop, if this loop is nested in one."""
    origin_ms: int = 0
    """The iteration's origin: the loop's start + `index0` x its period (what an `at` in its
    body counts from; the time an editor shows on the loop's header)."""
    total: int = 0
    """How many iterations this run of the loop has."""


class TimelineEntry(NamedTuple):
    """One expanded action at its absolute time within its script."""

    time_ms: int
    kind: ActionKind
    prompt: str | None
    """The rendered prompt (None for `end`)."""
    image: str | None
    """The image's data URL, for a `start ... with image`."""
    statement: n.ActionStmt
    """The statement that produced the entry."""
    iteration: Iteration | None = None
    """The innermost loop iteration that produced it (None outside loops)."""

    @property
    def span(self) -> Span:
        """The statement that produced the entry."""
        return self.statement.span

    @property
    def has_image(self) -> bool:
        return self.image is not None

    @property
    def iteration_path(self) -> tuple[Iteration, ...]:
        """The iterations that produced the entry, outermost loop first."""
        path: list[Iteration] = []
        step = self.iteration
        while step is not None:
            path.append(step)
            step = step.outer
        return tuple(reversed(path))

    @property
    def iterations(self) -> tuple[int, ...]:
        """The 0-based index of each enclosing loop's iteration, outermost first."""
        return tuple(step.index0 for step in self.iteration_path)

    @property
    def loops(self) -> tuple[n.Repeat | n.ForLoop, ...]:
        """The enclosing loops, outermost first (one per item of `iterations`)."""
        return tuple(step.loop for step in self.iteration_path)


class ExpandedScript(NamedTuple):
    name: str | None
    """The name of a batch script; None for a file without `script` blocks."""
    header: Span | None
    """The `script "NAME":` line; None for a file without `script` blocks."""
    entries: list[TimelineEntry]
    complete: bool = True
    """False when an error dropped a timed statement: its timeline checks would be noise."""
    body: tuple[n.Statement, ...] = ()
    """The statements of the script (the file's for a file without `script` blocks)."""


class Expansion(NamedTuple):
    scripts: list[ExpandedScript]
    """Every script as far as it could be expanded (one for a file without `script` blocks)."""
    is_batch: bool
    portrait: bool | None
    diagnostics: list[Diagnostic]
