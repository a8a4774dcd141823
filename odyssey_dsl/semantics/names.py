"""Names resolved without unrolling loops: every definition, every use, and which is which.

`resolve_names(scene, source, variables)` walks the syntax tree once, in the order expansion
reads it, with one scope per block (the top level, each `script` block, each loop body), and
returns a `NameTable`:

- a `Definition` for every `let`, every `for` variable, every loop (the `loop` of its body's
  templates), every `--var` override and every Jinja2 global (`range`, ...);
- a `Use` for every name the scene reads: a name where a value is expected
  (`after pause:`, `repeat n every 1s:`, `let b = a`) and every variable a template reads
  (`"{{ subject }}"`, `"{{ loop.index }}"`), with the exact span of the name inside the
  string, and the definition it resolves to (None when nothing defines it).

The scoping rules are the language's: a `let` is visible from its line to the end of its
block; inner blocks see outer names and may shadow them; a `let` of a name already defined
in the same block is a duplicate (error E202) and does not shadow anything; the `for`
variable and `loop` belong to the loop's body; top-level `let`s are visible in the `script`
blocks that follow them. A `--var` override is visible everywhere and replaces the value of
every `let` of its name (the `let` stays the definition its uses resolve to).

Hover, go to definition, find references, rename and the unused-name warning (W101) read
this table; expansion reads the same template scan (`template_names`) for the places of
undefined names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from odyssey_dsl.semantics.template_names import TemplateName, template_names
from odyssey_dsl.semantics.templates import environment
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.literals import fold, unescape
from odyssey_dsl.syntax.text import SourceFile, Span

DefinitionKind = Literal["let", "for", "loop", "variable", "global"]


@dataclass(frozen=True, eq=False, slots=True)
class Definition:
    """Where a name gets its value. Compared by identity: each is one place of the scene."""

    name: str
    kind: DefinitionKind
    """`let`; `for` (a loop variable); `loop` (the `loop` of a loop's templates); `variable`
    (a `--var` override); `global` (a Jinja2 global such as `range`)."""
    span: Span | None
    """The name where it is defined: the `let`'s or `for`'s name, or a loop's header line;
    None for `--var` overrides and Jinja2 globals, which have no place in the file."""
    statement: n.Let | n.Repeat | n.ForLoop | None = None
    """The `let` or loop that defines it."""


@dataclass(frozen=True, eq=False, slots=True)
class Use:
    """One place where the scene reads a name."""

    name: str
    span: Span
    """The name itself; inside a string, the characters of the name in the source."""
    definition: Definition | None
    """What it reads, by the scoping rules; None when nothing visible defines it."""
    literal: n.StringLit | None = None
    """The string whose template reads the name; None for a name written as a value."""
    attribute: str | None = None
    """The attribute read from it in a template (`index` in `loop.index`), if any."""

    @property
    def in_template(self) -> bool:
        return self.literal is not None


class NameTable:
    """Every definition and use of a scene (see the module docstring)."""

    __slots__ = ("_uses_of", "definitions", "duplicates", "uses")

    def __init__(
        self,
        definitions: tuple[Definition, ...],
        uses: tuple[Use, ...],
        duplicates: tuple[tuple[Definition, Definition], ...],
    ) -> None:
        self.definitions = definitions
        """Every definition, in the order of the file (overrides and globals first)."""
        self.uses = uses
        """Every use, in the order expansion reads them."""
        self.duplicates = duplicates
        """(earlier, duplicate) for each `let` of a name its block already defines (E202);
        the duplicate is in `definitions`, but no use resolves to it."""
        uses_of: dict[Definition, list[Use]] = {}
        for use in uses:
            if use.definition is not None:
                uses_of.setdefault(use.definition, []).append(use)
        self._uses_of = uses_of

    def uses_of(self, definition: Definition) -> tuple[Use, ...]:
        """The uses that resolve to `definition`, in reading order."""
        return tuple(self._uses_of.get(definition, ()))

    def is_used(self, definition: Definition) -> bool:
        return definition in self._uses_of

    def definition_at(self, offset: int) -> Definition | None:
        """The definition whose name covers the character at `offset` (for rename, hover)."""
        for definition in self.definitions:
            span = definition.span
            if span is not None and definition.kind != "loop" and _covers(span, offset):
                return definition
        return None

    def use_at(self, offset: int) -> Use | None:
        """The use whose name covers the character at `offset` (for go to definition)."""
        for use in self.uses:
            if _covers(use.span, offset):
                return use
        return None

    def unused_lets(self) -> Iterator[Definition]:
        """`let`s that nothing reads, except duplicates (E202 reports those)."""
        duplicated = {id(later) for _, later in self.duplicates}
        for definition in self.definitions:
            if (
                definition.kind == "let"
                and id(definition) not in duplicated
                and definition not in self._uses_of
            ):
                yield definition


def _covers(span: Span, offset: int) -> bool:
    return span.start_offset <= offset < span.end_offset


def resolve_names(scene: n.Scene, source: SourceFile, variables: Iterable[str] = ()) -> NameTable:
    """The `NameTable` of `scene`; `variables` are the names given with `--var`."""
    return _Resolver(source, variables).run(scene)


class _Scope:
    """The names one block defines so far, and the block around it."""

    __slots__ = ("names", "parent")

    def __init__(self, parent: _Scope | None) -> None:
        self.parent = parent
        self.names: dict[str, Definition] = {}

    def find(self, name: str) -> Definition | None:
        scope: _Scope | None = self
        while scope is not None:
            found = scope.names.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None


class _Resolver:
    def __init__(self, source: SourceFile, variables: Iterable[str]) -> None:
        self.source = source
        self.definitions: list[Definition] = []
        self.uses: list[Use] = []
        self.duplicates: list[tuple[Definition, Definition]] = []
        self.globals = _Scope(None)
        for name in environment().globals:
            self.define(self.globals, Definition(name, "global", None))
        self.overrides = _Scope(self.globals)
        for name in variables:
            self.define(self.overrides, Definition(name, "variable", None))

    def run(self, scene: n.Scene) -> NameTable:
        self.block(scene.statements, _Scope(self.overrides))
        return NameTable(tuple(self.definitions), tuple(self.uses), tuple(self.duplicates))

    def define(self, scope: _Scope, definition: Definition) -> None:
        self.definitions.append(definition)
        earlier = scope.names.get(definition.name)
        if earlier is not None:
            self.duplicates.append((earlier, definition))
        else:
            scope.names[definition.name] = definition

    def block(self, statements: tuple[n.Statement, ...], scope: _Scope) -> None:
        for statement in statements:
            if isinstance(statement, n.Let):
                self.expr(statement.value, scope)
                self.define(
                    scope, Definition(statement.name, "let", statement.name_span, statement)
                )
            elif isinstance(statement, n.ActionStmt):
                if statement.prefix is not None:
                    self.expr(statement.prefix.time, scope)
                action = statement.action
                if isinstance(action, n.Start | n.Interact):
                    self.expr(action.prompt, scope)
                if isinstance(action, n.Start) and action.image is not None:
                    self.expr(action.image, scope)
            elif isinstance(statement, n.Repeat | n.ForLoop):
                self.loop(statement, scope)
            elif isinstance(statement, n.ScriptBlock):
                self.expr(statement.name, scope)
                self.block(statement.body, _Scope(scope))

    def loop(self, loop: n.Repeat | n.ForLoop, scope: _Scope) -> None:
        if loop.prefix is not None:
            self.expr(loop.prefix.time, scope)
        self.expr(loop.every, scope)
        body = _Scope(scope)
        if isinstance(loop, n.Repeat):
            self.expr(loop.times, scope)
        else:
            self.expr(loop.items, scope)
            self.define(body, Definition(loop.var, "for", loop.var_span, loop))
        self.define(body, Definition("loop", "loop", loop.span, loop))
        self.block(loop.body, body)

    def expr(self, expr: n.Expr, scope: _Scope) -> None:
        if isinstance(expr, n.NameRef):
            self.uses.append(Use(expr.name, expr.span, scope.find(expr.name)))
        elif isinstance(expr, n.ListLit):
            for item in expr.items:
                self.expr(item, scope)
        elif isinstance(expr, n.StringLit) and "{" in expr.value:
            for found, span in literal_name_spans(expr, self.source):
                self.uses.append(
                    Use(found.name, span, scope.find(found.name), expr, found.attribute)
                )


def literal_name_spans(
    literal: n.StringLit, source: SourceFile
) -> Iterator[tuple[TemplateName, Span]]:
    """The variables the template `literal` reads, each with the span of its name in the
    source. Where escapes or folding leave no exact place for a name, its span is the
    literal's."""
    names = template_names(literal.value)
    if not names:
        return
    to_source = _source_offsets(literal, source.text)
    where = literal.where
    line = where[0] if where[0] == where[2] else 0
    for found in names:
        span = literal.span
        start = to_source(found.start)
        if start is not None and source.text.startswith(found.name, start):
            end = start + len(found.name)
            if line:  # on the literal's only line: no need to look the line up
                column = where[1] + start - where[4]
                span = Span(line, column, line, column + end - start, start, end)
            else:
                span = source.span(start, end)
        yield found, span


_ESCAPE_SEQUENCE = re.compile(r"\\(?:u\{[0-9A-Fa-f]{1,6}\}|[\s\S])")


def _source_offsets(literal: n.StringLit, text: str) -> _OffsetMap:
    """Maps an offset in the literal's value (folded, unescaped) to one in the source."""
    start = literal.content_offset
    if text.startswith(literal.value, start):
        return _OffsetMap(start, None)
    triple = text.startswith('"""', literal.span.start_offset)
    end = literal.span.end_offset - (3 if triple else 1)
    offsets = _value_offsets(text[start:end], triple)
    if offsets is not None and len(offsets) != len(literal.value):
        offsets = []  # not the value this reading gives: no exact places
    return _OffsetMap(start, offsets)


class _OffsetMap:
    __slots__ = ("offsets", "start")

    def __init__(self, start: int, offsets: list[int] | None) -> None:
        self.start = start
        self.offsets = offsets
        """Per character of the value, its offset in the raw content; None: the same."""

    def __call__(self, index: int) -> int | None:
        if self.offsets is None:
            return self.start + index
        if index < len(self.offsets):
            return self.start + self.offsets[index]
        return None


def _value_offsets(raw: str, folded: bool) -> list[int] | None:
    """For each character of the value read from `raw` (folded if triple-quoted, then
    unescaped, as `syntax.literals` reads it), the offset in `raw` it comes from."""
    text, offsets = _fold_offsets(raw) if folded else (raw, list(range(len(raw))))
    if "\\" not in text:
        return offsets
    mapped: list[int] = []
    position = 0
    for escape in _ESCAPE_SEQUENCE.finditer(text):
        mapped.extend(offsets[position : escape.start()])
        mapped.extend([offsets[escape.start()]] * len(unescape(escape.group())))
        position = escape.end()
    mapped.extend(offsets[position:])
    return mapped


def _fold_offsets(raw: str) -> tuple[str, list[int]]:
    """A triple-quoted string's folded text (see `syntax.literals.fold`) and, per character,
    its offset in `raw`: each kept line's stripped text, and one separator (a space, or a
    newline between paragraphs) placed where the previous line ended."""
    offsets: list[int] = []
    line_start = 0
    previous_end: int | None = None
    for line in raw.split("\n"):
        stripped = line.strip()
        if stripped:
            if previous_end is not None:
                offsets.append(previous_end)
            first = line_start + len(line) - len(line.lstrip())
            offsets.extend(range(first, first + len(stripped)))
            previous_end = first + len(stripped)
        line_start += len(line) + 1
    return fold(raw), offsets
