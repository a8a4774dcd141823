"""Stage 3 — check: the timing and structure rules of expanded timelines.

Per script, in emission order: times never go backwards; the first entry is a `start`;
`interact` and `end` only while a stream runs; one stream at a time; every stream ends; no
two entries on the same millisecond (except an `end` and the next `start`). Warnings: two
entries of one stream closer than the minimum gap, and one prompt sent twice in a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax.durations import MAX_TIMESTAMP_MS, format_duration
from odyssey_dsl.syntax.nodes import End
from odyssey_dsl.syntax.text import SourceFile, Span
from odyssey_dsl.timeline.entries import ExpandedScript, TimelineEntry

if TYPE_CHECKING:
    from odyssey_dsl.timeline.limits import Limits


class _Finding:
    """A problem and how many more times loops repeated it at the same place."""

    __slots__ = ("code", "help", "message", "repeats", "span")

    def __init__(self, code: str, message: str, span: Span, help: str | None) -> None:
        self.code = code
        self.message = message
        self.span = span
        self.help = help
        self.repeats = 0


def check_timelines(
    scripts: list[ExpandedScript], source: SourceFile, limits: Limits
) -> list[Diagnostic]:
    """Every rule over every script; one diagnostic per place (loops repeat places)."""
    findings: dict[tuple[str, int, int], _Finding] = {}
    for script in scripts:
        if not script.complete:
            continue
        for code, message, span, help_text in _check_script(script, limits):
            key = (code, span.start_offset, span.end_offset)
            if key in findings:
                findings[key].repeats += 1
            else:
                findings[key] = _Finding(code, message, span, help_text)
    result = []
    for finding in findings.values():
        message = finding.message
        if finding.repeats:
            times = "time" if finding.repeats == 1 else "times"
            message += f" (and {finding.repeats} more {times} in later loop iterations)"
        result.append(diag.make(finding.code, message, source.name, finding.span, finding.help))
    return result


_Problem = tuple[str, str, Span, str | None]


def _where(entry: TimelineEntry) -> str:
    return f"line {entry.statement.span.line}{_in_iteration(entry)}"


def _in_iteration(entry: TimelineEntry) -> str:
    if entry.iteration is None:
        return ""
    return f" (iteration {entry.iteration[1]} of the loop on line {entry.iteration[0]})"


def _at(entry: TimelineEntry) -> str:
    return format_duration(entry.time_ms)


def _check_script(script: ExpandedScript, limits: Limits) -> Iterator[_Problem]:
    entries = script.entries
    if not entries:
        return
    running: TimelineEntry | None = None  # the `start` of the running stream
    previous: TimelineEntry | None = None
    last_prompt: str | None = None
    for entry in entries:
        statement_span = entry.statement.span
        action_span = entry.statement.action.span
        if entry.time_ms > MAX_TIMESTAMP_MS:
            yield (
                "E510",
                f"this entry's time ({entry.time_ms:,} ms) is too far in the future",
                statement_span,
                f"times must be at most {MAX_TIMESTAMP_MS:,} ms, the largest whole number "
                "every JSON reader (such as JavaScript) keeps exactly",
            )
        if previous is not None:
            if entry.time_ms < previous.time_ms:
                yield (
                    "E501",
                    f"this entry at {_at(entry)}{_in_iteration(entry)} comes before the entry "
                    f"at {_at(previous)} on {_where(previous)}",
                    statement_span,
                    "entries must be in time order; a loop whose body lasts longer than its "
                    "`every` period overlaps its next iteration",
                )
            elif entry.time_ms == previous.time_ms and not (
                previous.kind == "end" and entry.kind == "start"
            ):
                yield (
                    "E506",
                    f"two entries at {_at(entry)}: this one and the one on {_where(previous)}",
                    statement_span,
                    "move one of them by at least a millisecond",
                )
            elif (
                running is not None
                and entry.kind != "start"
                and entry.time_ms - previous.time_ms < limits.min_gap_ms
            ):
                gap = entry.time_ms - previous.time_ms
                yield (
                    "W102",
                    f"this entry comes only {gap}ms after the previous one on "
                    f"{_where(previous)} (the minimum gap is {limits.min_gap_ms}ms)",
                    statement_span,
                    "the stream may not have time to react; space them out, or lower `--min-gap`",
                )
        if entry.kind == "start":
            if running is not None:
                yield (
                    "E504",
                    f"a stream is already running (started on {_where(running)})",
                    action_span,
                    "one stream runs at a time: add an `end` before this `start`",
                )
            running = entry
            last_prompt = entry.prompt
        else:
            if previous is None:
                yield (
                    "E502",
                    f"the script must begin with `start`, not `{entry.kind}`",
                    action_span,
                    'open a stream first, e.g. `at 0s: start "..."`',
                )
                running = entry  # as if it had started one: no follow-on errors
            elif running is None:
                yield (
                    "E503",
                    f"`{entry.kind}` comes when no stream is running",
                    action_span,
                    f"the previous stream ended on {_where(previous)}; start a new one first",
                )
            if entry.kind == "interact" and running is not None:
                if entry.prompt == last_prompt:
                    yield (
                        "W103",
                        "this prompt is the same as the previous one sent to this stream",
                        _prompt_span(entry),
                        "sending a prompt twice in a row does not change anything",
                    )
                last_prompt = entry.prompt
            if entry.kind == "end":
                running = None
                last_prompt = None
        previous = entry
    if running is not None:
        last = entries[-1]
        indent = " " * (last.statement.span.column - 1)
        yield (
            "E505",
            "this stream is never ended",
            running.statement.action.span,
            f"add a line such as\n{indent}after 1s: end\nafter line {last.statement.span.line}",
        )


def _prompt_span(entry: TimelineEntry) -> Span:
    action = entry.statement.action
    return action.span if isinstance(action, End) else action.prompt.span
