"""Stage 2 — expand: the syntax tree → timelines (one list of entries per script).

Expansion evaluates `let`s, renders templates, embeds images, unrolls loops and resolves
every `at`/`after` to an absolute millisecond. It reports names, types, templates and
images; the order and balance of the resulting entries are checked by `check`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from odyssey_dsl import diagnostics as diag
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.semantics.scopes import Scope, describe, from_json
from odyssey_dsl.semantics.templates import (
    LoopInfo,
    TemplateFailure,
    compile_template,
    template_globals,
)
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import Duration, DurationError, parse_duration
from odyssey_dsl.syntax.text import SourceFile, Span
from odyssey_dsl.timeline.entries import ActionKind, ExpandedScript, Expansion, TimelineEntry
from odyssey_dsl.timeline.prediction import least_entries, referenced_names

if TYPE_CHECKING:
    from odyssey_dsl.timeline.limits import Limits


class _LimitReached(Exception):
    pass


_Context = Literal["top", "script", "loop"]
_MAX_ITERATIONS = 2_000_000


def expand(
    scene: n.Scene,
    source: SourceFile,
    variables: Mapping[str, object],
    base_dir: Path,
    limits: Limits,
    broken_names: frozenset[str] = frozenset(),
    complete_parse: bool = True,
) -> Expansion:
    """Expand a scene (see the module docstring).

    `complete_parse=False` (some lines could not be parsed) silences the findings that the
    missing lines would make misleading: unused names and an empty file.
    """
    expander = _Expander(source, variables, base_dir, limits, broken_names)
    return expander.run(scene, complete_parse)


class _Expander:
    def __init__(
        self,
        source: SourceFile,
        variables: Mapping[str, object],
        base_dir: Path,
        limits: Limits,
        broken_names: frozenset[str],
    ) -> None:
        self.source = source
        self.base_dir = base_dir
        self.limits = limits
        self.broken_names = broken_names
        self.found: list[Diagnostic] = []
        self.reported: set[tuple[str, int, int]] = set()
        self.overrides: dict[str, object] = {}
        for name, value in variables.items():
            try:
                self.overrides[name] = from_json(value)
            except ValueError as error:
                self.report("E901", f"--var {name}: {error}", source.span(0, 0))
        self.used: set[int] = set()
        self.bound: dict[int, n.Let] = {}
        self.entry_count = 0
        self.iterations = 0
        self.images: dict[str, str | None] = {}
        self.portrait: bool | None = None
        self.portrait_span: Span | None = None
        self.script_names: dict[str, Span] = {}
        self.iteration: tuple[int, int] | None = None
        self.incomplete = False

    # --- reporting --------------------------------------------------------------------------

    def report(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        """Report once per place: a loop body is expanded many times."""
        key = (code, span.start_offset, span.end_offset)
        if key in self.reported:
            return
        self.reported.add(key)
        self.found.append(diag.make(code, message, self.source.name, span, help))

    # --- top level --------------------------------------------------------------------------

    def run(self, scene: n.Scene, complete_parse: bool) -> Expansion:
        batch = any(isinstance(s, n.ScriptBlock) for s in scene.statements)
        scripts: list[ExpandedScript] = []
        main: list[TimelineEntry] = []
        top = Scope(Scope(Scope(None, template_globals()), dict(self.overrides)))
        try:
            self.block(scene.statements, top, 0, "top", main, scripts, batch)
        except _LimitReached:
            return Expansion(None, batch, self.portrait, self.found)
        if complete_parse:
            self.report_unused()
        if not batch:
            if not main and complete_parse and not any(d.is_error for d in self.found):
                self.report(
                    "E508",
                    "there is nothing to compile: the file has no timed actions",
                    self.source.line_span(1),
                    help='add a stream, e.g.\nat 0s: start "A cat sitting by a window"\nat 5s: end',
                )
            scripts = [ExpandedScript(None, None, main, not self.incomplete)]
        return Expansion(scripts, batch, self.portrait, self.found)

    def report_unused(self) -> None:
        for key, let in self.bound.items():
            if key not in self.used and not let.name.startswith("_"):
                self.report(
                    "W101",
                    f"`{let.name}` is defined but never used",
                    let.name_span,
                    help=f"remove the `let`, or name it `_{let.name}` to keep it unused",
                )

    # --- blocks -----------------------------------------------------------------------------

    def block(
        self,
        statements: tuple[n.Statement, ...],
        scope: Scope,
        origin: int,
        context: _Context,
        out: list[TimelineEntry],
        scripts: list[ExpandedScript] | None = None,
        batch: bool = False,
    ) -> None:
        last: int | None = None  # time of the previous timed statement of this block
        for statement in statements:
            if isinstance(statement, n.Let):
                self.let(statement, scope)
            elif isinstance(statement, n.ActionStmt):
                if batch and context == "top":
                    self.mixed_batch(statement.span)
                    continue
                time = self.action_time(statement, scope, origin, last, context)
                if time is None:
                    self.incomplete = True
                else:
                    self.emit(statement, time, scope, out)
                    last = time
            elif isinstance(statement, n.Repeat | n.ForLoop):
                if batch and context == "top":
                    self.mixed_batch(statement.span)
                    continue
                end = self.loop(statement, scope, origin, last, out)
                if end is None:
                    self.incomplete = True
                else:
                    last = end
            elif isinstance(statement, n.Portrait):
                self.portrait_statement(statement, context)
            else:
                self.script_block(statement, scope, context, scripts)

    def mixed_batch(self, span: Span) -> None:
        self.report(
            "E207",
            "a file with `script` blocks cannot also have timed actions at top level",
            span,
            help="move this line into one of the `script` blocks (indented under it)",
        )

    def portrait_statement(self, statement: n.Portrait, context: _Context) -> None:
        if context != "top":
            self.report(
                "E205",
                "`portrait` can only be set at the top level of the file",
                statement.span,
                help="move it to the top of the file, without indentation",
            )
        elif self.portrait_span is not None:
            self.report(
                "E204",
                "`portrait` is set more than once",
                statement.span,
                help=f"it is first set on line {self.portrait_span.line}; keep only one",
            )
        else:
            self.portrait = statement.value
            self.portrait_span = statement.span

    def script_block(
        self,
        statement: n.ScriptBlock,
        scope: Scope,
        context: _Context,
        scripts: list[ExpandedScript] | None,
    ) -> None:
        if context != "top" or scripts is None:
            self.report(
                "E205",
                "`script` blocks can only stand at the top level of the file",
                statement.span,
                help="un-indent this block, or merge its lines into the enclosing block",
            )
            return
        name = self.render(statement.name, scope)
        if name is not None:
            if name in self.script_names:
                self.report(
                    "E206",
                    f'there is already a script named "{name}"',
                    statement.name.span,
                    help=f"the first is on line {self.script_names[name].line}; "
                    "script names must be unique",
                )
            else:
                self.script_names[name] = statement.name.span
        entries: list[TimelineEntry] = []
        errors_before = self.error_count()
        outer_incomplete, self.incomplete = self.incomplete, False
        self.block(statement.body, Scope(scope), 0, "script", entries)
        complete = not self.incomplete
        self.incomplete = outer_incomplete
        if not entries and self.error_count() == errors_before:
            self.report(
                "E507",
                f'script "{name}" has no entries' if name is not None else "script has no entries",
                statement.span,
                help="give it at least a `start` and an `end`",
            )
        scripts.append(ExpandedScript(name, statement.span, entries, complete))

    def error_count(self) -> int:
        return sum(1 for d in self.found if d.is_error)

    # --- let ------------------------------------------------------------------------------------

    def let(self, statement: n.Let, scope: Scope) -> None:
        if statement.name in scope.values:
            earlier = scope.lets.get(statement.name)
            where = f" on line {earlier.name_span.line}" if earlier is not None else ""
            self.report(
                "E202",
                f"`{statement.name}` is already defined in this scope{where}",
                statement.name_span,
                help="choose another name; an inner block (a loop or script) may shadow it",
            )
            return
        if statement.name in self.overrides:
            value: object | None = self.overrides[statement.name]
        else:
            value = self.value(statement.value, scope)
        if value is None:
            return
        scope.bind(statement.name, value, statement)
        self.bound.setdefault(id(statement), statement)

    # --- values ---------------------------------------------------------------------------------

    def lookup(self, ref: n.NameRef, scope: Scope) -> object | None:
        found = scope.find(ref.name)
        if found is None:
            if ref.name not in self.broken_names:
                self.report(
                    "E201",
                    f"`{ref.name}` is not defined",
                    ref.span,
                    help=self.name_hint(ref.name, scope),
                )
            return None
        self.mark_used(ref.name, found)
        return found.values[ref.name]

    def mark_used(self, name: str, found: Scope) -> None:
        let = found.lets.get(name)
        if let is not None:
            self.used.add(id(let))

    def name_hint(self, name: str, scope: Scope) -> str:
        import difflib  # only on errors

        close = difflib.get_close_matches(name, scope.visible_names(), n=1)
        if close:
            return f"did you mean `{close[0]}`?"
        return f"define it earlier with `let {name} = ...`, or pass `--var {name}=...`"

    def value(self, expr: n.Expr, scope: Scope) -> object | None:
        if isinstance(expr, n.StringLit):
            return self.render(expr, scope)
        if isinstance(expr, n.NumberLit | n.BoolLit):
            return expr.value
        if isinstance(expr, n.DurationLit):
            return Duration(expr.ms, expr.text) if expr.ms >= 0 else None
        if isinstance(expr, n.ListLit):
            items = [self.value(item, scope) for item in expr.items]
            return None if any(item is None for item in items) else items
        return self.lookup(expr, scope)

    def render(self, literal: n.StringLit, scope: Scope) -> str | None:
        try:
            template = compile_template(literal.value)
        except TemplateFailure as failure:
            self.report(failure.code, failure.message, literal.span, failure.help)
            return None
        if template.template is None:
            return template.text
        for name in template.names:
            found = scope.find(name)
            if found is not None:
                self.mark_used(name, found)
        try:
            return template.render(scope.flat())
        except TemplateFailure as failure:
            if failure.name is not None and failure.name in self.broken_names:
                return None
            span = self.name_span(literal, failure.name) if failure.name else literal.span
            self.report(failure.code, failure.message, span, failure.help)
            return None

    def name_span(self, literal: n.StringLit, name: str) -> Span:
        """Where `name` appears inside a `{{ }}`/`{% %}` tag of `literal`, else the literal."""
        raw = self.source.text[literal.span.start_offset : literal.span.end_offset]
        pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        for tag in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}", raw, re.DOTALL):
            match = pattern.search(tag.group())
            if match:
                start = literal.span.start_offset + tag.start() + match.start()
                return self.source.span(start, start + len(name))
        return literal.span

    # --- times, counts and lists --------------------------------------------------------------

    def duration(self, expr: n.Expr, scope: Scope, what: str) -> int | None:
        if isinstance(expr, n.DurationLit):
            return expr.ms if expr.ms >= 0 else None  # < 0: invalid, already reported
        if not isinstance(expr, n.NameRef):  # pragma: no cover - the grammar allows no other
            return None
        value = self.lookup(expr, scope)
        if value is None:
            return None
        if isinstance(value, Duration):
            return value.ms
        if isinstance(value, str):
            try:
                return parse_duration(value.strip())
            except DurationError:
                pass
        hint = f"bind it to a duration, e.g. `let {expr.name} = 3s`"
        if isinstance(value, int | float) and not isinstance(value, bool):
            hint = f"durations need a unit: `let {expr.name} = {value}s` or `{value}ms`"
        self.report(
            "E203",
            f"`{expr.name}` is {describe(value)}, but {what} must be a duration",
            expr.span,
            help=hint,
        )
        return None

    def count(self, expr: n.Expr, scope: Scope) -> int | None:
        value: object = expr.value if isinstance(expr, n.NumberLit) else None
        if isinstance(expr, n.NameRef):
            value = self.lookup(expr, scope)
            if value is None:
                return None
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.report(
                    "E209",
                    f"a loop cannot repeat a negative number of times ({value})",
                    expr.span,
                    help="use 0 or more",
                )
                return None
            return value
        shown = (
            f"`{expr.name}` is {describe(value)}"
            if isinstance(expr, n.NameRef)
            else (f"{describe(value)}")
        )
        self.report(
            "E203",
            f"{shown}, but `repeat` needs a whole number",
            expr.span,
            help="write the number of repetitions, e.g. `repeat 4 every 2s:`",
        )
        return None

    def items(self, expr: n.Expr, scope: Scope) -> list[object] | None:
        value = self.value(expr, scope)
        if value is None:
            return None
        if isinstance(value, list):
            return value
        name = f"`{expr.name}` is " if isinstance(expr, n.NameRef) else ""
        self.report(
            "E203",
            f"{name}{describe(value)}, but `for` needs a list",
            expr.span,
            help='write a list, e.g. `for color in ["red", "blue"] every 2s:`',
        )
        return None

    def prefix_time(
        self, prefix: n.TimePrefix, scope: Scope, origin: int, last: int | None
    ) -> int | None:
        amount = self.duration(prefix.time, scope, "the time of `at`/`after`")
        if amount is None:
            return None
        if isinstance(prefix, n.At):
            return origin + amount
        return (origin if last is None else last) + amount

    def action_time(
        self,
        statement: n.ActionStmt,
        scope: Scope,
        origin: int,
        last: int | None,
        context: _Context,
    ) -> int | None:
        if statement.prefix is not None:
            return self.prefix_time(statement.prefix, scope, origin, last)
        if context == "loop":
            return origin
        self.report(
            "E208",
            "this action has no time",
            statement.span,
            help="outside loops every action needs a time: write `at 3s: ...` or `after 1s: ...`",
        )
        return None

    # --- actions --------------------------------------------------------------------------------

    def emit(
        self, statement: n.ActionStmt, time: int, scope: Scope, out: list[TimelineEntry]
    ) -> None:
        if self.entry_count >= self.limits.max_entries:
            self.report(
                "E509",
                f"the job has more than {self.limits.max_entries:,} entries",
                statement.span,
                help="raise the limit with `--max-entries`, or emit fewer entries",
            )
            raise _LimitReached
        action = statement.action
        prompt = image = None
        if isinstance(action, n.Start | n.Interact):
            # On an error the entry is kept with an empty value (the job is not emitted
            # anyway), so that the timeline checks do not report its absence as well.
            prompt = self.prompt(action.prompt, scope) or ""
            if isinstance(action, n.Start) and action.image is not None:
                image = self.image(action.image, scope) or ""
        kind: ActionKind = (
            "start"
            if isinstance(action, n.Start)
            else "interact"
            if isinstance(action, n.Interact)
            else "end"
        )
        self.entry_count += 1
        out.append(TimelineEntry(time, kind, prompt, image, statement, self.iteration))

    def prompt(self, literal: n.StringLit, scope: Scope) -> str | None:
        text = self.render(literal, scope)
        if text is None:
            return None
        if not text.strip():
            self.report(
                "E304",
                "this prompt is empty" if not text else "this prompt is only whitespace",
                literal.span,
                help="write what should happen; a template may render empty when a "
                "variable is empty",
            )
            return None
        return text

    def image(self, literal: n.StringLit, scope: Scope) -> str | None:
        value = self.render(literal, scope)
        if value is None:
            return None
        if value not in self.images:
            from odyssey_dsl.semantics.images import ImageError, resolve_image

            try:
                self.images[value] = resolve_image(value, self.base_dir)
            except ImageError as error:
                self.images[value] = None
                self.report(error.code, error.message, literal.span, error.help)
        return self.images[value]

    # --- loops ----------------------------------------------------------------------------------

    def loop(
        self,
        loop: n.Repeat | n.ForLoop,
        scope: Scope,
        origin: int,
        last: int | None,
        out: list[TimelineEntry],
    ) -> int | None:
        """Expand a loop; returns the time a following `after` counts from."""
        every = self.duration(loop.every, scope, "the period of `every`")
        if every is None:
            return None
        if loop.prefix is not None:
            start = self.prefix_time(loop.prefix, scope, origin, last)
            if start is None:
                return None
        else:
            start = (origin if last is None else last) + every
        values: list[object] | None
        if isinstance(loop, n.Repeat):
            count = self.count(loop.times, scope)
            values = None
        else:
            values = self.items(loop.items, scope)
            count = None if values is None else len(values)
        if count is None:
            return None
        predicted = count * least_entries(loop.body, scope)
        if self.entry_count + predicted > self.limits.max_entries:
            self.report(
                "E509",
                f"this loop would make the job {self.entry_count + predicted:,} entries long, "
                f"more than the limit of {self.limits.max_entries:,}",
                loop.span,
                help="raise the limit with `--max-entries N`, or repeat fewer times",
            )
            raise _LimitReached
        if count == 0:
            self.mark_static_uses(loop.body, scope)
        before = len(out)
        outer_iteration = self.iteration
        for index in range(count):
            self.iterations += 1
            if self.iterations > _MAX_ITERATIONS:
                self.report(
                    "E509",
                    f"the loops of this file run more than {_MAX_ITERATIONS:,} times",
                    loop.span,
                    help="repeat fewer times",
                )
                raise _LimitReached
            iteration_scope = Scope(scope)
            if isinstance(loop, n.ForLoop) and values is not None:
                iteration_scope.values[loop.var] = values[index]
            iteration_scope.values["loop"] = LoopInfo(index, count)
            self.iteration = (loop.span.line, index + 1)
            self.block(loop.body, iteration_scope, start + index * every, "loop", out)
        self.iteration = outer_iteration
        return out[-1].time_ms if len(out) > before else start

    def mark_static_uses(self, statements: tuple[n.Statement, ...], scope: Scope) -> None:
        """Count the names a body that never runs refers to as used (no false W101)."""
        for name in referenced_names(statements):
            found = scope.find(name)
            if found is not None:
                self.mark_used(name, found)
