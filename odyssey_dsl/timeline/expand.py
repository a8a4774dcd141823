"""Stage 2 — expand: the syntax tree → timelines (one list of entries per script).

Expansion evaluates `let`s, renders templates, embeds images, unrolls loops and resolves
every `at`/`after` to an absolute millisecond. It reports names, types, templates, images,
the placement of statements and the limits; the order and balance of the resulting entries
are checked by the rules (`timeline.rules`).

The pieces: `placement` (where statements may stand), `semantics.values.Evaluator`
(expressions and their diagnostics), `unroll.Unroller` (blocks, loops, times),
`limits.EntryBudget` (E509). This module puts them together per script.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.diagnostics.collector import DiagnosticCollector
from odyssey_dsl.semantics.scopes import Bindings, from_json
from odyssey_dsl.semantics.templates import template_globals
from odyssey_dsl.semantics.values import Evaluator
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.text import SourceFile, Span
from odyssey_dsl.timeline.entries import ExpandedScript, Expansion, TimelineEntry
from odyssey_dsl.timeline.limits import EntryBudget, LimitReached
from odyssey_dsl.timeline.placement import check_placement, is_batch
from odyssey_dsl.timeline.unroll import Unroller

if TYPE_CHECKING:
    from odyssey_dsl.semantics.images import ImageLoader
    from odyssey_dsl.timeline.limits import Limits


def expand(
    scene: n.Scene,
    source: SourceFile,
    overrides: Mapping[str, object],
    base_dir: Path,
    limits: Limits,
    broken_names: frozenset[str] = frozenset(),
    complete_parse: bool = True,
    images: ImageLoader | None = None,
) -> Expansion:
    """Expand a scene (see the module docstring).

    `overrides` are the `--var` values (see `read_overrides`); `base_dir` is where image
    paths are relative to; `images` reads them (a new loader when None).
    `complete_parse=False` (some lines could not be parsed) silences E508, which the
    missing lines would make misleading.
    When a limit stops expansion, the scripts hold what was expanded, marked incomplete.
    """
    report = DiagnosticCollector(source.name)
    placement = check_placement(scene)
    for code, message, span, help_text in placement.problems:
        report.report(code, message, span, help_text)
    batch = is_batch(scene)
    bindings = Bindings({**template_globals(), **overrides})
    evaluator = Evaluator(source, bindings, report, images, base_dir, broken_names)
    unroller = Unroller(evaluator, EntryBudget(limits.max_entries, report), overrides, batch)
    scripts: list[ExpandedScript] = []
    script_names: dict[str, Span] = {}

    def on_script(block: n.ScriptBlock) -> None:
        scripts.append(expand_script(block, unroller, report, script_names))

    main: list[TimelineEntry] = []
    try:
        complete = unroller.block(scene.statements, 0, "top", None, main, on_script)
    except LimitReached as stop:
        complete = False
        if isinstance(stop, _PartialScript):
            scripts.append(stop.script)  # what the script had expanded, incomplete
    if not batch:
        if not main and complete and complete_parse and not report.error_count:
            report.report(
                "E508",
                "there is nothing to compile: the file has no timed actions",
                source.line_span(1),
                help='add a stream, e.g.\nat 0s: start "A cat sitting by a window"\nat 5s: end',
            )
        scripts = [ExpandedScript(None, None, main, complete, scene.statements)]
    return Expansion(scripts, batch, placement.portrait, report.diagnostics)


def read_overrides(
    variables: Mapping[str, object], source: SourceFile
) -> tuple[dict[str, object], list[Diagnostic]]:
    """The `--var` values as scene values, and E901 for each value that cannot be one."""
    overrides: dict[str, object] = {}
    problems: list[Diagnostic] = []
    for name, value in variables.items():
        try:
            overrides[name] = from_json(value)
        except ValueError as error:
            problems.append(
                diag.make("E901", f"--var {name}: {error}", source.name, source.span(0, 0))
            )
    return overrides, problems


def expand_script(
    block: n.ScriptBlock,
    unroller: Unroller,
    report: DiagnosticCollector,
    script_names: dict[str, Span],
) -> ExpandedScript:
    """One `script "NAME":` block, with its own origin 0 and its own scope (E206 for a name
    used twice, E507 for a script without entries)."""
    name = unroller.evaluator.render(block.name)
    if name is not None:
        if name in script_names:
            report.report(
                "E206",
                f'there is already a script named "{name}"',
                block.name.span,
                help=f"the first is on line {script_names[name].line}; script names must be unique",
            )
        else:
            script_names[name] = block.name.span
    entries: list[TimelineEntry] = []
    errors_before = report.error_count
    bindings = unroller.evaluator.bindings
    bindings.open_block()
    try:
        complete = unroller.block(block.body, 0, "script", None, entries)
    except LimitReached:
        raise _PartialScript(ExpandedScript(name, block.span, entries, False, block.body)) from None
    finally:
        bindings.close_block()
    if not entries and report.error_count == errors_before:
        report.report(
            "E507",
            f'script "{name}" has no entries' if name is not None else "script has no entries",
            block.span,
            help="give it at least a `start` and an `end`",
        )
    return ExpandedScript(name, block.span, entries, complete, block.body)


class _PartialScript(LimitReached):
    """A limit stopped expansion inside a script: what it expanded so far."""

    def __init__(self, script: ExpandedScript) -> None:
        super().__init__()
        self.script = script
