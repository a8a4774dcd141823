"""Inline suppressions: `# odyc: ignore[W103]` silences that warning on that line.

A suppression comment names one or more warning codes in brackets
(`# odyc: ignore[W101, W103]`). It silences those warnings on its own line: a diagnostic is
silenced when the comment's line is one of the lines its span covers (the last line of a
triple-quoted prompt, say). Errors are never silenced.

A suppression that silences nothing is reported (W106 `unused-suppression`) when the code it
names is enabled by the rule selection; a malformed one, or one that names an unknown code or
an error, is reported as W107 `invalid-suppression`. Both can themselves be silenced by the
same comment (`# odyc: ignore[W103, W106]`) or by the selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from odyssey_dsl.diagnostics.catalogue import CATALOGUE, Diagnostic, Severity, make
from odyssey_dsl.diagnostics.selection import RuleSelection

if TYPE_CHECKING:
    from odyssey_dsl.syntax.nodes import Comment
    from odyssey_dsl.syntax.text import SourceFile, Span

_DIRECTIVE = re.compile(r"#\s*odyc:\s*ignore\b")
_CODE_LIST = re.compile(r"\[([^\]]*)\]")
_CODE = re.compile(r"[^,\s]+")
_SELF_CODES = frozenset({"W106", "W107"})
"""The codes of this module's own findings: naming them never counts as unused."""

SYNTAX_HELP = "write `# odyc: ignore[W103]`, or several codes: `# odyc: ignore[W101, W103]`"


class Suppression(NamedTuple):
    """One `# odyc: ignore[...]` comment: its line and each code it names, with its span."""

    comment: Span
    codes: tuple[tuple[str, Span], ...]

    def covers(self, diagnostic: Diagnostic) -> bool:
        """Whether this comment silences `diagnostic` (its code, on one of its lines)."""
        span = diagnostic.span
        line = self.comment.line
        return span.line <= line <= span.end_line and any(
            code == diagnostic.code.code for code, _ in self.codes
        )


class SuppressedDiagnostic(NamedTuple):
    """A warning that a suppression comment silenced, and that comment's span."""

    diagnostic: Diagnostic
    comment: Span


class SuppressionOutcome(NamedTuple):
    reported: list[Diagnostic]
    suppressed: list[SuppressedDiagnostic]


def is_suppression(comment: str) -> bool:
    """Whether the comment text `comment` is a suppression comment (maybe a malformed one)."""
    return _DIRECTIVE.match(comment) is not None


def apply_suppressions(
    diagnostics: Sequence[Diagnostic],
    comments: Iterable[Comment],
    source: SourceFile,
    selection: RuleSelection,
) -> SuppressionOutcome:
    """Split `diagnostics` into those still reported and those a comment silences, adding
    the findings about the suppression comments themselves (W106, W107)."""
    suppressions, problems = read_suppressions(comments, source)
    if not suppressions and not problems:
        return SuppressionOutcome(list(diagnostics), [])
    reported, suppressed, used = _silence(diagnostics, suppressions)
    problems += _unused(suppressions, used, source, selection)
    own_reported, own_suppressed, _ = _silence(selection.filter(problems), suppressions)
    return SuppressionOutcome(reported + own_reported, suppressed + own_suppressed)


def read_suppressions(
    comments: Iterable[Comment], source: SourceFile
) -> tuple[list[Suppression], list[Diagnostic]]:
    """The suppression comments among `comments`, and W107 for each malformed one."""
    found: list[Suppression] = []
    problems: list[Diagnostic] = []
    for comment in comments:
        directive = _DIRECTIVE.match(comment.text)
        if directive is None:
            continue
        start = comment.span.start_offset
        listed = _CODE_LIST.match(comment.text, directive.end())
        if listed is None or not listed.group(1).strip():
            problems.append(
                make(
                    "W107",
                    "a suppression comment must name its codes in brackets",
                    source.name,
                    source.span(start, start + directive.end()),
                    help=SYNTAX_HELP,
                )
            )
            continue
        codes = []
        for match in _CODE.finditer(comment.text, listed.start(1), listed.end(1)):
            span = source.span(start + match.start(), start + match.end())
            problem = _code_problem(match.group())
            if problem is None:
                codes.append((match.group(), span))
            else:
                message, help_text = problem
                problems.append(make("W107", message, source.name, span, help=help_text))
        if codes:
            found.append(Suppression(comment.span, tuple(codes)))
    return found, problems


def _code_problem(code: str) -> tuple[str, str] | None:
    entry = CATALOGUE.get(code)
    if entry is None:
        return (
            f"`{code}` is not an odyc diagnostic code",
            "the codes are listed by `odyc rule --all` and in docs/diagnostics.md",
        )
    if entry.severity is Severity.ERROR:
        return (
            f"`{code}` is an error, and errors cannot be silenced",
            "an error means the compiled job would be wrong or rejected by the API: "
            "fix the scene instead",
        )
    return None


def _silence(
    diagnostics: Iterable[Diagnostic], suppressions: Sequence[Suppression]
) -> tuple[list[Diagnostic], list[SuppressedDiagnostic], set[tuple[int, str]]]:
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.comment.line, []).append(suppression)
    reported: list[Diagnostic] = []
    suppressed: list[SuppressedDiagnostic] = []
    used: set[tuple[int, str]] = set()
    for diagnostic in diagnostics:
        covering = None if diagnostic.is_error else _covering(diagnostic, by_line)
        if covering is None:
            reported.append(diagnostic)
        else:
            suppressed.append(SuppressedDiagnostic(diagnostic, covering.comment))
            used.add((covering.comment.start_offset, diagnostic.code.code))
    return reported, suppressed, used


def _covering(diagnostic: Diagnostic, by_line: dict[int, list[Suppression]]) -> Suppression | None:
    span = diagnostic.span
    lines = range(span.line, span.end_line + 1)
    candidates = by_line if len(by_line) < len(lines) else {n: by_line.get(n, []) for n in lines}
    for suppressions in candidates.values():
        for suppression in suppressions:
            if suppression.covers(diagnostic):
                return suppression
    return None


def _unused(
    suppressions: Sequence[Suppression],
    used: set[tuple[int, str]],
    source: SourceFile,
    selection: RuleSelection,
) -> list[Diagnostic]:
    found = []
    for suppression in suppressions:
        for code, span in suppression.codes:
            if code in _SELF_CODES or not selection.enables(code):
                continue
            if (suppression.comment.start_offset, code) in used:
                continue
            found.append(
                make(
                    "W106",
                    f"`{code}` is not reported on this line: the suppression silences nothing",
                    source.name,
                    span,
                    help=f"remove `{code}` from the comment (and the comment, if it names "
                    "nothing else)",
                )
            )
    return found
