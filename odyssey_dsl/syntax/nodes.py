"""The Ody syntax tree. Every node carries the `Span` of the source it was read from.

A node keeps its span as a plain tuple (`where`), and `node.span` makes the `Span` of it when
asked: a plain tuple of numbers is one the garbage collector stops tracking, and a long scene
holds several spans per line, which otherwise made up half of what each full collection went
through (a named tuple is never untracked).

Nodes are immutable named tuples: cheap to create and to import (the tree is built on every
compile, and `odyc check` must start fast). Compare nodes by identity or by their fields, not
with `==` across node types (a tuple compares equal to any tuple with the same items).
"""

from __future__ import annotations

from typing import NamedTuple

from odyssey_dsl.syntax.text import RawSpan, Span, as_span

# --- values ------------------------------------------------------------------------------


class StringLit(NamedTuple):
    """A string literal, already folded (triple-quoted) and unescaped: a Jinja2 template."""

    where: RawSpan
    value: str
    content_offset: int
    """File offset of the first character after the opening quotes (maps template errors)."""

    @property
    def span(self) -> Span:
        return as_span(self.where)


class NumberLit(NamedTuple):
    where: RawSpan
    value: int | float
    text: str

    @property
    def span(self) -> Span:
        return as_span(self.where)


class BoolLit(NamedTuple):
    where: RawSpan
    value: bool

    @property
    def span(self) -> Span:
        return as_span(self.where)


class DurationLit(NamedTuple):
    where: RawSpan
    ms: int
    text: str

    @property
    def span(self) -> Span:
        return as_span(self.where)


class ListLit(NamedTuple):
    where: RawSpan
    items: tuple[Expr, ...]

    @property
    def span(self) -> Span:
        return as_span(self.where)


class NameRef(NamedTuple):
    """A variable used where a value, duration, count or list is expected."""

    where: RawSpan
    name: str

    @property
    def span(self) -> Span:
        return as_span(self.where)


Expr = StringLit | NumberLit | BoolLit | DurationLit | ListLit | NameRef

# --- actions and time prefixes --------------------------------------------------------------


class At(NamedTuple):
    """`at TIME`: TIME after the origin of the enclosing block."""

    where: RawSpan
    time: Expr

    @property
    def span(self) -> Span:
        return as_span(self.where)


class After(NamedTuple):
    """`after DURATION`: after the previous timed statement of the block (or its origin)."""

    where: RawSpan
    time: Expr

    @property
    def span(self) -> Span:
        return as_span(self.where)


TimePrefix = At | After


class Start(NamedTuple):
    where: RawSpan
    prompt: StringLit
    image: StringLit | None

    @property
    def span(self) -> Span:
        return as_span(self.where)


class Interact(NamedTuple):
    where: RawSpan
    prompt: StringLit

    @property
    def span(self) -> Span:
        return as_span(self.where)


class End(NamedTuple):
    where: RawSpan

    @property
    def span(self) -> Span:
        return as_span(self.where)


Action = Start | Interact | End

# --- statements ------------------------------------------------------------------------------


class ActionStmt(NamedTuple):
    """`[at|after TIME:] ACTION` — the prefix is optional only inside loop bodies."""

    where: RawSpan
    prefix: TimePrefix | None
    action: Action

    @property
    def span(self) -> Span:
        return as_span(self.where)


class Let(NamedTuple):
    where: RawSpan
    name: str
    name_span: Span
    value: Expr

    @property
    def span(self) -> Span:
        return as_span(self.where)


class Portrait(NamedTuple):
    where: RawSpan
    value: bool

    @property
    def span(self) -> Span:
        return as_span(self.where)


class Repeat(NamedTuple):
    """`[prefix] repeat COUNT every DURATION:` and its body. `span` is the header line."""

    where: RawSpan
    prefix: TimePrefix | None
    times: Expr
    every: Expr
    body: tuple[Statement, ...]

    @property
    def span(self) -> Span:
        return as_span(self.where)


class ForLoop(NamedTuple):
    """`[prefix] for NAME in LIST every DURATION:` and its body. `span` is the header line."""

    where: RawSpan
    prefix: TimePrefix | None
    var: str
    var_span: Span
    items: Expr
    every: Expr
    body: tuple[Statement, ...]

    @property
    def span(self) -> Span:
        return as_span(self.where)


Loop = Repeat | ForLoop


class ScriptBlock(NamedTuple):
    """`script "NAME":` and its body (batch files). `span` is the header line."""

    where: RawSpan
    name: StringLit
    body: tuple[Statement, ...]

    @property
    def span(self) -> Span:
        return as_span(self.where)


Statement = ActionStmt | Let | Portrait | Repeat | ForLoop | ScriptBlock


class Comment(NamedTuple):
    where: RawSpan
    text: str

    @property
    def span(self) -> Span:
        return as_span(self.where)


class Scene(NamedTuple):
    """A whole `.ody` file."""

    where: RawSpan
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()

    @property
    def span(self) -> Span:
        return as_span(self.where)
