"""The Ody syntax tree. Every node carries the `Span` of the source it was read from.

Nodes are immutable named tuples: cheap to create and to import (the tree is built on every
compile, and `odyc check` must start fast). Compare nodes by identity or by their fields, not
with `==` across node types (a tuple compares equal to any tuple with the same items).
"""

from __future__ import annotations

from typing import NamedTuple

from odyssey_dsl.syntax.text import Span

# --- values ------------------------------------------------------------------------------


class StringLit(NamedTuple):
    """A string literal, already folded (triple-quoted) and unescaped: a Jinja2 template."""

    span: Span
    value: str
    content_offset: int
    """File offset of the first character after the opening quotes (maps template errors)."""


class NumberLit(NamedTuple):
    span: Span
    value: int | float
    text: str


class BoolLit(NamedTuple):
    span: Span
    value: bool


class DurationLit(NamedTuple):
    span: Span
    ms: int
    text: str


class ListLit(NamedTuple):
    span: Span
    items: tuple[Expr, ...]


class NameRef(NamedTuple):
    """A variable used where a value, duration, count or list is expected."""

    span: Span
    name: str


Expr = StringLit | NumberLit | BoolLit | DurationLit | ListLit | NameRef

# --- actions and time prefixes --------------------------------------------------------------


class At(NamedTuple):
    """`at TIME`: TIME after the origin of the enclosing block."""

    span: Span
    time: Expr


class After(NamedTuple):
    """`after DURATION`: after the previous timed statement of the block (or its origin)."""

    span: Span
    time: Expr


TimePrefix = At | After


class Start(NamedTuple):
    span: Span
    prompt: StringLit
    image: StringLit | None


class Interact(NamedTuple):
    span: Span
    prompt: StringLit


class End(NamedTuple):
    span: Span


Action = Start | Interact | End

# --- statements ------------------------------------------------------------------------------


class ActionStmt(NamedTuple):
    """`[at|after TIME:] ACTION` — the prefix is optional only inside loop bodies."""

    span: Span
    prefix: TimePrefix | None
    action: Action


class Let(NamedTuple):
    span: Span
    name: str
    name_span: Span
    value: Expr


class Portrait(NamedTuple):
    span: Span
    value: bool


class Repeat(NamedTuple):
    """`[prefix] repeat COUNT every DURATION:` and its body. `span` is the header line."""

    span: Span
    prefix: TimePrefix | None
    times: Expr
    every: Expr
    body: tuple[Statement, ...]


class ForLoop(NamedTuple):
    """`[prefix] for NAME in LIST every DURATION:` and its body. `span` is the header line."""

    span: Span
    prefix: TimePrefix | None
    var: str
    var_span: Span
    items: Expr
    every: Expr
    body: tuple[Statement, ...]


Loop = Repeat | ForLoop


class ScriptBlock(NamedTuple):
    """`script "NAME":` and its body (batch files). `span` is the header line."""

    span: Span
    name: StringLit
    body: tuple[Statement, ...]


Statement = ActionStmt | Let | Portrait | Repeat | ForLoop | ScriptBlock


class Comment(NamedTuple):
    span: Span
    text: str


class Scene(NamedTuple):
    """A whole `.ody` file."""

    span: Span
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()
