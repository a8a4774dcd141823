"""Values as memo keys: two values with equal keys render, compare and count the same.

Python's `==` is not enough: `1 == 1.0 == True` and `-0.0 == 0.0`, which render differently.
A key therefore carries the value's type, a float its `repr`, a list its items' keys, and
`loop` its position. A value that has no key (`value_key` returns None) is never memoised.
"""

from __future__ import annotations

from odyssey_dsl.semantics.scopes import UNEVALUATED
from odyssey_dsl.semantics.templates import LoopInfo
from odyssey_dsl.syntax.durations import Duration

_EXACT = frozenset({str, int, bool, Duration})
"""Types whose values render the same whenever they compare equal (with their type)."""


def value_key(value: object) -> object | None:
    """The key of a scene value (see the module docstring), None when it has none."""
    kind = type(value)
    if kind in _EXACT:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))
    if kind is LoopInfo:
        assert isinstance(value, LoopInfo)
        return (kind, value.index0, value.length)
    if kind is list:
        assert isinstance(value, list)
        items = tuple(value_key(item) for item in value)
        return None if None in items else (kind, items)
    if value is UNEVALUATED:
        return (kind,)
    return None
