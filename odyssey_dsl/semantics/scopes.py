"""Values and scopes of the expansion stage.

A value is what a `let`, a loop variable or a `--var` binds: a string, an integer, a float,
a boolean, a `Duration`, or a list of values. Scopes nest: command-line variables, the top
level, each `script` block, each loop iteration.
"""

from __future__ import annotations

from odyssey_dsl.syntax.durations import Duration
from odyssey_dsl.syntax.nodes import Let

Value = str | int | float | bool | Duration | list["Value"]


class Scope:
    """Names bound in one block, and the `let` that bound each (for the unused-name check)."""

    __slots__ = ("_flat", "lets", "parent", "values")

    def __init__(self, parent: Scope | None, values: dict[str, object] | None = None) -> None:
        self.parent = parent
        self.values: dict[str, object] = values if values is not None else {}
        self.lets: dict[str, Let] = {}
        self._flat: dict[str, object] | None = None

    def bind(self, name: str, value: object, let: Let | None = None) -> None:
        self.values[name] = value
        if let is not None:
            self.lets[name] = let
        self._flat = None

    def find(self, name: str) -> Scope | None:
        """The innermost scope that binds `name`."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.values:
                return scope
            scope = scope.parent
        return None

    def flat(self) -> dict[str, object]:
        """Every visible name with its value (inner names shadow outer ones)."""
        if self._flat is None:
            if self.parent is None:
                self._flat = dict(self.values)
            else:
                self._flat = {**self.parent.flat(), **self.values}
        return self._flat

    def visible_names(self) -> list[str]:
        return list(self.flat())


def describe(value: object) -> str:
    """A value's kind and text for messages: `the string "three"`, `the number 3`."""
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, Duration):
        return f"the duration {value.text}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:29] + "…"
        return f'the string "{shown}"'
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def from_json(value: object) -> Value:
    """A `--var`/`--vars` value (parsed JSON) as a scene value; raises ValueError."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [from_json(item) for item in value]
    kind = "null" if value is None else "an object" if isinstance(value, dict) else "this value"
    raise ValueError(f"{kind} cannot be a variable's value (use a string, number, boolean or list)")
