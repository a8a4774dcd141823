"""The Ody syntax tree. Every node carries the `Span` of the source it was read from."""

from __future__ import annotations

from dataclasses import dataclass

from odyssey_dsl.source import Span

# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringLit:
    """A string literal, already folded (triple-quoted) and unescaped: a Jinja2 template."""

    span: Span
    value: str
    content_offset: int
    """File offset of the first character after the opening quotes (maps template errors)."""


@dataclass(frozen=True, slots=True)
class NumberLit:
    span: Span
    value: int | float
    text: str


@dataclass(frozen=True, slots=True)
class BoolLit:
    span: Span
    value: bool


@dataclass(frozen=True, slots=True)
class DurationLit:
    span: Span
    ms: int
    text: str


@dataclass(frozen=True, slots=True)
class ListLit:
    span: Span
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class NameRef:
    """A variable used where a value, duration, count or list is expected."""

    span: Span
    name: str


Expr = StringLit | NumberLit | BoolLit | DurationLit | ListLit | NameRef

# --- actions and time prefixes --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class At:
    """`at TIME`: TIME after the origin of the enclosing block."""

    span: Span
    time: Expr


@dataclass(frozen=True, slots=True)
class After:
    """`after DURATION`: after the previous timed statement of the block (or its origin)."""

    span: Span
    time: Expr


TimePrefix = At | After


@dataclass(frozen=True, slots=True)
class Start:
    span: Span
    prompt: StringLit
    image: StringLit | None


@dataclass(frozen=True, slots=True)
class Interact:
    span: Span
    prompt: StringLit


@dataclass(frozen=True, slots=True)
class End:
    span: Span


Action = Start | Interact | End

# --- statements ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionStmt:
    """`[at|after TIME:] ACTION` — the prefix is optional only inside loop bodies."""

    span: Span
    prefix: TimePrefix | None
    action: Action


@dataclass(frozen=True, slots=True)
class Let:
    span: Span
    name: str
    name_span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class Portrait:
    span: Span
    value: bool


@dataclass(frozen=True, slots=True)
class Repeat:
    """`[prefix] repeat COUNT every DURATION:` and its body. `span` is the header line."""

    span: Span
    prefix: TimePrefix | None
    count: Expr
    every: Expr
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class ForLoop:
    """`[prefix] for NAME in LIST every DURATION:` and its body. `span` is the header line."""

    span: Span
    prefix: TimePrefix | None
    var: str
    var_span: Span
    items: Expr
    every: Expr
    body: tuple[Statement, ...]


Loop = Repeat | ForLoop


@dataclass(frozen=True, slots=True)
class ScriptBlock:
    """`script "NAME":` and its body (batch files). `span` is the header line."""

    span: Span
    name: StringLit
    body: tuple[Statement, ...]


Statement = ActionStmt | Let | Portrait | Repeat | ForLoop | ScriptBlock


@dataclass(frozen=True, slots=True)
class Comment:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Scene:
    """A whole `.ody` file."""

    span: Span
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()
