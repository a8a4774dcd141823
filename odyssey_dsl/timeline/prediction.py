"""What a block will emit, known without expanding it: the least number of entries (so that
a huge loop fails at once instead of running)."""

from __future__ import annotations

from collections.abc import Mapping

from odyssey_dsl.syntax import nodes as n


def least_entries(statements: tuple[n.Statement, ...], visible: Mapping[str, object]) -> int:
    """At least how many entries `statements` emit, from the names `visible` already binds."""
    total = 0
    for statement in statements:
        if isinstance(statement, n.ActionStmt):
            total += 1
        elif isinstance(statement, n.Repeat):
            count = _known_count(statement.times, visible)
            if count:
                total += count * least_entries(statement.body, visible)
        elif isinstance(statement, n.ForLoop):
            length = _known_length(statement.items, visible)
            if length:
                total += length * least_entries(statement.body, visible)
    return total


def _known_count(expr: n.Expr, visible: Mapping[str, object]) -> int:
    value: object = expr.value if isinstance(expr, n.NumberLit) else None
    if isinstance(expr, n.NameRef):
        value = visible.get(expr.name)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return 0


def _known_length(expr: n.Expr, visible: Mapping[str, object]) -> int:
    if isinstance(expr, n.ListLit):
        return len(expr.items)
    if isinstance(expr, n.NameRef):
        value = visible.get(expr.name)
        if isinstance(value, list):
            return len(value)
    return 0
