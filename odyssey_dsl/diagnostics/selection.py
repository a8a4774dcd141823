"""Which warnings are reported: the rule selection (`select` / `ignore`) as plain values.

Configuration files, the command line and the language server all end up here, so they can
never disagree about what a selection means. Only warnings can be selected or ignored: an
error means the compiled job would be wrong, or rejected by the API, so errors are always
reported.

A selection entry is a warning code (`W103`) or a prefix of codes (`W1`, `W`). When a code
matches both lists, the longer (more specific) entry wins; on a tie, `ignore` wins. So
`select = ["W"]`, `ignore = ["W1"]`, `select = ["W103"]` would enable W103 alone among the
W1xx warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from odyssey_dsl.diagnostics.catalogue import CATALOGUE, Diagnostic, Severity

ALL_WARNINGS = "W"
"""The prefix every warning code starts with (the default `select`)."""


class RuleSelection(NamedTuple):
    """The warnings to report: those matched by `select` and not overridden by `ignore`."""

    select: tuple[str, ...] = (ALL_WARNINGS,)
    ignore: tuple[str, ...] = ()

    def enables(self, code: str) -> bool:
        """Whether diagnostics of `code` are reported (errors always are)."""
        entry = CATALOGUE.get(code)
        if entry is None or entry.severity is Severity.ERROR:
            return True
        selected = _longest_match(code, self.select)
        ignored = _longest_match(code, self.ignore)
        return selected > ignored

    def filter(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """The diagnostics whose code this selection enables."""
        return [d for d in diagnostics if self.enables(d.code.code)]


DEFAULT_SELECTION = RuleSelection()


def _longest_match(code: str, entries: tuple[str, ...]) -> int:
    """The length of the longest entry that `code` starts with (0 when none does)."""
    return max((len(entry) for entry in entries if code.startswith(entry)), default=0)


def rule_entry_problem(entry: str) -> str | None:
    """Why `entry` cannot stand in `select` or `ignore`, or None when it can.

    A valid entry is a warning code or a prefix of at least one warning code. Error codes (or
    prefixes of error codes only) are refused with the reason.
    """
    if not entry:
        return "an empty code matches every code; write `W` for every warning"
    warnings = [c for c, e in CATALOGUE.items() if e.severity is Severity.WARNING]
    if any(code.startswith(entry) for code in warnings):
        return None
    errors = [c for c, e in CATALOGUE.items() if e.severity is Severity.ERROR]
    if any(code.startswith(entry) for code in errors):
        return (
            f"{entry} is an error code; only warnings (W...) can be selected or ignored, "
            "because an error means the compiled job would be wrong or rejected by the API"
        )
    return f"no warning code starts with {entry!r} (the warnings are {', '.join(warnings)})"
