"""Moving what `read_line` found (relative to a line) to the line's place in the file.

A line read at line 1, offset 0 is moved `lines` lines down and `offset` characters on:
every span, and the content offset of every string literal. Columns do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.text import RawSpan, as_span

_new = tuple.__new__


def span(s: RawSpan, lines: int, offset: int) -> RawSpan:
    """`s` moved, as a plain tuple (see `odyssey_dsl.syntax.nodes`)."""
    return (s[0] + lines, s[1], s[2] + lines, s[3], s[4] + offset, s[5] + offset)


def statement(node: n.Statement, lines: int, offset: int) -> n.Statement:
    """`node` (a statement without a body, as `read_line` returns it) moved into place."""
    if not lines and not offset:
        return node
    mover: Callable[[Any, int, int], Any] = _MOVERS[type(node)]
    moved: n.Statement = mover(node, lines, offset)
    return moved


def _expr(node: n.Expr, lines: int, offset: int) -> n.Expr:
    moved: n.Expr = _MOVERS[type(node)](node, lines, offset)
    return moved


def _string(node: n.StringLit, lines: int, offset: int) -> n.StringLit:
    return _new(n.StringLit, (span(node[0], lines, offset), node[1], node[2] + offset))


def _leaf(node: Any, lines: int, offset: int) -> Any:
    """A node whose only position is its span (numbers, booleans, durations, names, `end`)."""
    return _new(type(node), (span(node[0], lines, offset), *node[1:]))


def _list(node: n.ListLit, lines: int, offset: int) -> n.ListLit:
    items = tuple(_expr(item, lines, offset) for item in node.items)
    return _new(n.ListLit, (span(node[0], lines, offset), items))


def _prefix(node: n.TimePrefix | None, lines: int, offset: int) -> n.TimePrefix | None:
    if node is None:
        return None
    return _new(type(node), (span(node[0], lines, offset), _expr(node.time, lines, offset)))


def _start(node: n.Start, lines: int, offset: int) -> n.Start:
    image = node.image
    return _new(
        n.Start,
        (
            span(node[0], lines, offset),
            _string(node.prompt, lines, offset),
            None if image is None else _string(image, lines, offset),
        ),
    )


def _interact(node: n.Interact, lines: int, offset: int) -> n.Interact:
    return _new(n.Interact, (span(node[0], lines, offset), _string(node.prompt, lines, offset)))


def _action_statement(node: n.ActionStmt, lines: int, offset: int) -> n.ActionStmt:
    action = node.action
    moved_action: n.Action = _MOVERS[type(action)](action, lines, offset)
    return _new(
        n.ActionStmt,
        (span(node[0], lines, offset), _prefix(node.prefix, lines, offset), moved_action),
    )


def _let(node: n.Let, lines: int, offset: int) -> n.Let:
    return _new(
        n.Let,
        (
            span(node[0], lines, offset),
            node.name,
            as_span(span(node.name_span, lines, offset)),
            _expr(node.value, lines, offset),
        ),
    )


def _repeat(node: n.Repeat, lines: int, offset: int) -> n.Repeat:
    return _new(
        n.Repeat,
        (
            span(node[0], lines, offset),
            _prefix(node.prefix, lines, offset),
            _expr(node.times, lines, offset),
            _expr(node.every, lines, offset),
            node.body,
        ),
    )


def _for_loop(node: n.ForLoop, lines: int, offset: int) -> n.ForLoop:
    return _new(
        n.ForLoop,
        (
            span(node[0], lines, offset),
            _prefix(node.prefix, lines, offset),
            node.var,
            as_span(span(node.var_span, lines, offset)),
            _expr(node.items, lines, offset),
            _expr(node.every, lines, offset),
            node.body,
        ),
    )


def _script(node: n.ScriptBlock, lines: int, offset: int) -> n.ScriptBlock:
    return _new(
        n.ScriptBlock,
        (span(node[0], lines, offset), _string(node.name, lines, offset), node.body),
    )


_MOVERS: dict[type, Callable[[Any, int, int], Any]] = {
    n.StringLit: _string,
    n.NumberLit: _leaf,
    n.BoolLit: _leaf,
    n.DurationLit: _leaf,
    n.NameRef: _leaf,
    n.ListLit: _list,
    n.Start: _start,
    n.Interact: _interact,
    n.End: _leaf,
    n.ActionStmt: _action_statement,
    n.Let: _let,
    n.Portrait: _leaf,
    n.Repeat: _repeat,
    n.ForLoop: _for_loop,
    n.ScriptBlock: _script,
}
