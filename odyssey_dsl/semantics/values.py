"""Evaluating expressions: names, literals, templates, durations, counts, lists and images.

An `Evaluator` reads expressions in the names currently bound (`Bindings`) and reports what
is wrong with them (E201 undefined name, E203 wrong type, E209 negative count, E3xx
templates, E4xx images) to a `DiagnosticCollector`; each method returns the value, or None
after reporting why there is none. A name whose own definition already failed (its `let`
was reported, or its line could not be read) is not reported again where it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.diagnostics.collector import DiagnosticCollector
from odyssey_dsl.semantics.names import literal_name_spans
from odyssey_dsl.semantics.scopes import UNEVALUATED, Bindings, describe
from odyssey_dsl.semantics.template_names import template_names
from odyssey_dsl.semantics.templates import (
    MAX_RENDERED_CHARS,
    TemplateBudget,
    TemplateFailure,
    compile_template,
)
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import Duration, DurationError, parse_duration
from odyssey_dsl.syntax.text import SourceFile, Span

if TYPE_CHECKING:  # images load when a scene has one: `odyc check` starts lean
    from odyssey_dsl.semantics.images import ImageError, ImageLoader


class Evaluator:
    """Reads the expressions of one scene (see the module docstring)."""

    __slots__ = (
        "_failed_images",
        "base_dir",
        "bindings",
        "broken_names",
        "images",
        "report",
        "source",
        "template_budget",
        "unevaluated",
    )

    def __init__(
        self,
        source: SourceFile,
        bindings: Bindings,
        report: DiagnosticCollector,
        images: ImageLoader | None,
        base_dir: Path,
        broken_names: frozenset[str],
    ) -> None:
        self.source = source
        self.bindings = bindings
        self.report = report
        self.images = images
        """Reads image files (made at the first image when None)."""
        self.base_dir = base_dir
        self.broken_names = broken_names
        """Names of `let`s on lines that could not be read: their uses are not reported."""
        self.unevaluated = 0
        """How many `let`s were bound to `UNEVALUATED` (templates check only when some were)."""
        self._failed_images: dict[str, ImageError] = {}
        self.template_budget = TemplateBudget()
        """The work all the templates of this scene may still do."""

    # --- names and values -------------------------------------------------------------------

    def lookup(self, ref: n.NameRef) -> object | None:
        """The value bound to a name, or None (reported as E201 unless already explained)."""
        value = self.bindings.visible.get(ref.name, _UNBOUND)
        if value is _UNBOUND:
            if ref.name not in self.broken_names:
                self.report.report(
                    "E201",
                    f"`{ref.name}` is not defined",
                    ref.span,
                    help=self._name_hint(ref.name),
                )
            return None
        if value is UNEVALUATED:
            return None
        return value

    def _name_hint(self, name: str) -> str:
        import difflib  # only on errors

        close = difflib.get_close_matches(name, list(self.bindings.visible), n=1)
        if close:
            return f"did you mean `{close[0]}`?"
        return f"define it earlier with `let {name} = ...`, or pass `--var {name}=...`"

    def value(self, expr: n.Expr) -> object | None:
        """The value of any expression (a `let`'s value, a list item)."""
        if isinstance(expr, n.StringLit):
            return self.render(expr)
        if isinstance(expr, n.NumberLit | n.BoolLit):
            return expr.value
        if isinstance(expr, n.DurationLit):
            return Duration(expr.ms, expr.text) if expr.ms >= 0 else None
        if isinstance(expr, n.ListLit):
            items = [self.value(item) for item in expr.items]
            return None if any(item is None for item in items) else items
        return self.lookup(expr)

    # --- templates --------------------------------------------------------------------------

    def render(self, literal: n.StringLit, max_chars: int = MAX_RENDERED_CHARS) -> str | None:
        """The text of a string literal, its template rendered with the bound names (at
        most `max_chars` characters of it)."""
        try:
            template = compile_template(literal.value)
        except TemplateFailure as failure:
            self.report.report(failure.code, failure.message, literal.span, failure.help)
            return None
        if template.is_plain:
            return template.text
        if self.unevaluated and self._reads_unevaluated(literal):
            return None
        try:
            return template.render(self.bindings.visible, self.template_budget, max_chars=max_chars)
        except TemplateFailure as failure:
            if failure.name is not None and failure.name in self.broken_names:
                return None
            span = self._name_span(literal, failure.name) if failure.name else literal.span
            self.report.report(failure.code, failure.message, span, failure.help)
            return None

    def _reads_unevaluated(self, literal: n.StringLit) -> bool:
        visible = self.bindings.visible
        return any(
            visible.get(found.name) is UNEVALUATED for found in template_names(literal.value)
        )

    def _name_span(self, literal: n.StringLit, name: str) -> Span:
        """Where `name` is read in the template `literal`, else the whole literal."""
        for found, span in literal_name_spans(literal, self.source):
            if found.name == name:
                return span
        return literal.span

    def prompt(self, literal: n.StringLit) -> str | None:
        """A rendered prompt; an empty one is E304, one over the length limit E305."""
        text = self.render(literal)
        if text is None:
            return None
        if len(text) > MAX_RENDERED_CHARS:
            self.report.report(
                "E305",
                f"this prompt is {len(text):,} characters long",
                literal.span,
                help=f"a prompt may be at most {MAX_RENDERED_CHARS:,} characters long",
            )
            return None
        if not text.strip():
            self.report.report(
                "E304",
                "this prompt is empty" if not text else "this prompt is only whitespace",
                literal.span,
                help="write what should happen; a template may render empty when a "
                "variable is empty",
            )
            return None
        return text

    def image(self, literal: n.StringLit) -> str | None:
        """The data URL of a `with image` value (E401-E404 when it cannot be used)."""
        from odyssey_dsl.semantics.images import MAX_IMAGE_BYTES

        # The string may render to the data URL of the largest image.
        value = self.render(literal, 4 * (MAX_IMAGE_BYTES // 3 + 1) + 100)
        if value is None:
            return None
        failure = self._failed_images.get(value)
        if failure is None:
            from odyssey_dsl.semantics.images import ImageError, ImageLoader

            if self.images is None:
                self.images = ImageLoader()
            try:
                return self.images.data_url(value, self.base_dir)
            except ImageError as error:
                failure = self._failed_images[value] = error
        self.report.report(failure.code, failure.message, literal.span, failure.help)
        return None

    # --- durations, counts and lists --------------------------------------------------------

    def duration(self, expr: n.Expr, what: str) -> int | None:
        """Milliseconds of a duration literal or of a name bound to a duration (or to a
        string such as "3s", as `--var delay=3s` gives)."""
        if isinstance(expr, n.DurationLit):
            return expr.ms if expr.ms >= 0 else None  # < 0: invalid, already reported
        if not isinstance(expr, n.NameRef):  # pragma: no cover - the grammar allows no other
            return None
        value = self.lookup(expr)
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
        self.report.report(
            "E203",
            f"`{expr.name}` is {describe(value)}, but {what} must be a duration",
            expr.span,
            help=hint,
        )
        return None

    def count(self, expr: n.Expr) -> int | None:
        """The number of iterations of `repeat`: a whole number, 0 or more."""
        value: object = expr.value if isinstance(expr, n.NumberLit) else None
        if isinstance(expr, n.NameRef):
            value = self.lookup(expr)
            if value is None:
                return None
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.report.report(
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
            else describe(value)
        )
        self.report.report(
            "E203",
            f"{shown}, but `repeat` needs a whole number",
            expr.span,
            help="write the number of repetitions, e.g. `repeat 4 every 2s:`",
        )
        return None

    def items(self, expr: n.Expr) -> list[object] | None:
        """The list a `for` loop walks through."""
        value = self.value(expr)
        if value is None:
            return None
        if isinstance(value, list):
            return value
        name = f"`{expr.name}` is " if isinstance(expr, n.NameRef) else ""
        self.report.report(
            "E203",
            f"{name}{describe(value)}, but `for` needs a list",
            expr.span,
            help='write a list, e.g. `for color in ["red", "blue"] every 2s:`',
        )
        return None


_UNBOUND = object()
