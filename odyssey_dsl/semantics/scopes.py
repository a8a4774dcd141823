"""Values and the names bound to them while a scene is expanded.

A value is what a `let`, a loop variable or a `--var` binds: a string, an integer, a float,
a boolean, a `Duration`, or a list of values. Blocks nest: command-line variables (and
Jinja2's globals), the top level, each `script` block, each loop iteration.
"""

from __future__ import annotations

import math

from odyssey_dsl.syntax.durations import Duration
from odyssey_dsl.syntax.layout import MAX_NESTING

Value = str | int | float | bool | Duration | list["Value"]


class _Unevaluated:
    """The value of a `let` whose own value could not be evaluated (already reported)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unevaluated>"


UNEVALUATED = _Unevaluated()
"""Bound by a `let` whose value failed: reading it is not reported again."""

_ABSENT = object()


class Bindings:
    """The names visible at one point of expansion, as one dict, plus how to undo each block.

    Expansion walks the scene depth first, so one dict can hold every visible name: a block
    records what it overwrites and puts it back when it closes. Templates render with
    `visible` directly (no copy per entry), and a loop iteration costs one small dict.
    """

    __slots__ = ("_blocks", "visible")

    def __init__(self, outermost: dict[str, object]) -> None:
        self.visible: dict[str, object] = dict(outermost)
        """Every visible name with its value (inner names shadow outer ones)."""
        self._blocks: list[dict[str, object]] = [{}]

    def open_block(self) -> None:
        self._blocks.append({})

    def close_block(self) -> None:
        """Forget the names the innermost block bound, restoring what they shadowed."""
        visible = self.visible
        for name, shadowed in self._blocks.pop().items():
            if shadowed is _ABSENT:
                del visible[name]
            else:
                visible[name] = shadowed

    def bound_here(self, name: str) -> bool:
        """Whether the innermost block already binds `name`."""
        return name in self._blocks[-1]

    def bind(self, name: str, value: object) -> None:
        """Bind `name` in the innermost block (again, if it already binds it)."""
        block = self._blocks[-1]
        if name not in block:
            block[name] = self.visible.get(name, _ABSENT)
        self.visible[name] = value


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


def from_json(value: object, depth: int = 0) -> Value:
    """A `--var`/`--vars` value (parsed JSON) as a scene value; raises ValueError. Lists
    nest at most `MAX_NESTING` levels, as in a scene."""
    if depth >= MAX_NESTING:
        raise ValueError(
            f"it is nested too deeply: more than {MAX_NESTING} lists inside one another"
        )
    if isinstance(value, float) and not math.isfinite(value):
        kind = "not a number (NaN)" if math.isnan(value) else "infinite (too large for a number)"
        raise ValueError(f"{value!r} is {kind}; a variable's number must be finite")
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [from_json(item, depth + 1) for item in value]
    kind = "null" if value is None else "an object" if isinstance(value, dict) else "this value"
    raise ValueError(f"{kind} cannot be a variable's value (use a string, number, boolean or list)")
