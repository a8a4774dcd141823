"""The knobs of expansion and the timeline checks, and the budget that enforces the limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from odyssey_dsl.diagnostics.collector import DiagnosticCollector
    from odyssey_dsl.syntax.text import Span

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MIN_GAP_MS = 100
MAX_ITERATIONS = 2_000_000
"""Loop iterations per file, whatever they emit (loops of loops that emit nothing)."""


class Limits(NamedTuple):
    """Knobs of the checks (`--max-entries`, `--min-gap`, `--werror`, `--portrait`)."""

    max_entries: int = DEFAULT_MAX_ENTRIES
    min_gap_ms: int = DEFAULT_MIN_GAP_MS
    werror: bool = False
    portrait: bool | None = None
    """Overrides the file's `portrait:` when not None."""
    emit_job: bool = True
    """False for lint-only runs: every check runs, but no `Job` is built."""


class LimitReached(Exception):
    """Expansion stops: a limit was exceeded (and reported as E509)."""


class EntryBudget:
    """Counts entries and loop iterations against the limits; E509 and `LimitReached` when
    one is exceeded."""

    __slots__ = ("entries", "iterations", "max_entries", "report")

    def __init__(self, max_entries: int, report: DiagnosticCollector) -> None:
        self.max_entries = max_entries
        self.report = report
        self.entries = 0
        self.iterations = 0

    def take_entry(self, span: Span) -> None:
        if self.entries >= self.max_entries:
            self.report.report(
                "E509",
                f"the job has more than {self.max_entries:,} entries",
                span,
                help="raise the limit with `--max-entries`, or emit fewer entries",
            )
            raise LimitReached
        self.entries += 1

    def expect_entries(self, count: int, span: Span) -> None:
        """Fail at once when a loop will emit at least `count` entries beyond the limit."""
        if self.entries + count > self.max_entries:
            self.report.report(
                "E509",
                f"this loop would make the job {self.entries + count:,} entries long, "
                f"more than the limit of {self.max_entries:,}",
                span,
                help="raise the limit with `--max-entries N`, or repeat fewer times",
            )
            raise LimitReached

    def take_iterations(self, count: int, span: Span) -> None:
        self.iterations += count
        if self.iterations > MAX_ITERATIONS:
            self.report.report(
                "E509",
                f"the loops of this file run more than {MAX_ITERATIONS:,} times",
                span,
                help="repeat fewer times",
            )
            raise LimitReached
