"""What a block will do, known without expanding it: the least number of entries it emits
(so that a huge loop fails at once instead of running), and the names it reads (so that a
`let` used only in a loop that never runs is not reported as unused)."""

from __future__ import annotations

import contextlib

from odyssey_dsl.semantics.scopes import Scope
from odyssey_dsl.semantics.templates import TemplateFailure, compile_template
from odyssey_dsl.syntax import nodes as n


def least_entries(statements: tuple[n.Statement, ...], scope: Scope) -> int:
    """At least how many entries `statements` emit, from what `scope` already binds."""
    total = 0
    for statement in statements:
        if isinstance(statement, n.ActionStmt):
            total += 1
        elif isinstance(statement, n.Repeat):
            total += _known_count(statement.times, scope) * least_entries(statement.body, scope)
        elif isinstance(statement, n.ForLoop):
            total += _known_length(statement.items, scope) * least_entries(statement.body, scope)
    return total


def _known_count(expr: n.Expr, scope: Scope) -> int:
    value: object = expr.value if isinstance(expr, n.NumberLit) else None
    if isinstance(expr, n.NameRef):
        found = scope.find(expr.name)
        value = found.values[expr.name] if found is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return 0


def _known_length(expr: n.Expr, scope: Scope) -> int:
    if isinstance(expr, n.ListLit):
        return len(expr.items)
    if isinstance(expr, n.NameRef):
        found = scope.find(expr.name)
        value = found.values[expr.name] if found is not None else None
        if isinstance(value, list):
            return len(value)
    return 0


def referenced_names(statements: tuple[n.Statement, ...]) -> set[str]:
    """Every name that `statements` read, in expressions and in templates."""
    names: set[str] = set()

    def expr(value: n.Expr | None) -> None:
        if isinstance(value, n.NameRef):
            names.add(value.name)
        elif isinstance(value, n.ListLit):
            for item in value.items:
                expr(item)
        elif isinstance(value, n.StringLit):
            with contextlib.suppress(TemplateFailure):
                names.update(compile_template(value.value).names)

    for statement in statements:
        if isinstance(statement, n.Let):
            expr(statement.value)
        elif isinstance(statement, n.ActionStmt):
            if statement.prefix is not None:
                expr(statement.prefix.time)
            action = statement.action
            if isinstance(action, n.Start | n.Interact):
                expr(action.prompt)
            if isinstance(action, n.Start):
                expr(action.image)
        elif isinstance(statement, n.Repeat | n.ForLoop):
            if statement.prefix is not None:
                expr(statement.prefix.time)
            expr(statement.every)
            expr(statement.times if isinstance(statement, n.Repeat) else statement.items)
            names.update(referenced_names(statement.body))
        elif isinstance(statement, n.ScriptBlock):
            names.update(referenced_names(statement.body))
    return names
