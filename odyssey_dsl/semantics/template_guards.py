"""How large a result a filter, a method or a format would make, told before it is made.

Most operations make results no larger than a small multiple of their inputs, and the
budget checks those afterwards. The ones here can make an arbitrarily large result from
small inputs (`'a' | center(10**9)`, `'%0999999999d' | format(1)`, `'x'.ljust(10**9)`,
`xs | join(big)`), so their result's size is estimated from their arguments first, and an
estimate over the limit is refused before anything is allocated.
"""

from __future__ import annotations

import functools
import inspect
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from odyssey_dsl.semantics.template_budget import (
    CHARS_PER_STEP,
    ITEMS_PER_STEP,
    MAX_VALUE_SIZE,
    RenderMeter,
    check_size,
)

Measure = Callable[[object], int]
"""The printed size of a value (see `template_budget.measure`)."""

Arguments = Mapping[str, Any]
"""A call's arguments bound to the parameter names of the function called."""

_HUGE: Final = MAX_VALUE_SIZE + 1


def _number(value: object, default: int = 0) -> int:
    """An integer argument as a size (a width, a count); anything else as `default`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return max(value, 0)


def _text_size(value: object, measure: Measure) -> int:
    return len(value) if isinstance(value, str | bytes) else measure(value)


def _occurrences(text: str | bytes, old: object, count: object) -> int:
    if not isinstance(old, str if isinstance(text, str) else bytes):
        return 0  # the call itself fails
    found = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]
    limit = _number(count, -1) if count is not None else -1
    return found if limit < 0 else min(found, limit)


def replace_size(text: object, old: object, new: object, count: object, measure: Measure) -> int:
    """`text.replace(old, new, count)`: every occurrence of `old` grows by the difference."""
    if not isinstance(text, str | bytes):
        text = str(text) if isinstance(text, int | float) else ""
    growth = _text_size(new, measure) - _text_size(old, measure) if new is not None else 0
    return len(text) + max(growth, 0) * _occurrences(text, old, count)


_PERCENT_FIELD: Final = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?.")
_DIGITS: Final = re.compile(r"\d+")


def _width(digits: str) -> int:
    return int(digits) if len(digits) <= 7 else _HUGE


def format_values(arguments: object) -> list[object]:
    if isinstance(arguments, Mapping):
        return list(arguments.values())
    if isinstance(arguments, tuple):
        return list(arguments)
    return [arguments]


def _formatted_size(
    template: str, fields: int, widest: int, starred: bool, values: list[object], measure: Measure
) -> int:
    if starred:  # a width or precision taken from the arguments
        widest = max([widest, *(_number(v) for v in values)])
    biggest = max((measure(v) for v in values), default=0)
    return len(template) + fields * (widest + biggest)


def percent_size(template: str | bytes, arguments: object, measure: Measure) -> int:
    """`template % arguments`: each field is at most its width or precision, or its value."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    fields, widest, starred = 0, 0, False
    for match in _PERCENT_FIELD.finditer(text):
        fields += 1
        for part in match.groups():
            if part == "*":
                starred = True
            elif part:
                widest = max(widest, _width(part))
    return _formatted_size(text, fields, widest, starred, format_values(arguments), measure)


def format_size(
    template: str, args: Sequence[object], kwargs: Mapping[str, object], measure: Measure
) -> int:
    """`template.format(*args, **kwargs)`; a malformed template is left to fail as usual."""
    fields, widest, starred = 0, 0, False
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return len(template)
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        fields += 1
        spec = spec or ""
        starred = starred or "{" in spec
        for digits in _DIGITS.findall(spec):
            widest = max(widest, _width(digits))
    values = [*args, *kwargs.values()]
    return _formatted_size(template, fields, widest, starred, values, measure)


def _materialized(items: object) -> list[object] | None:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        return None
    return list(items)


def join_size(separator: object, items: list[object], measure: Measure) -> int:
    return _text_size(separator, measure) * len(items) + sum(measure(item) for item in items)


# --- filters ------------------------------------------------------------------------------


def _center(a: Arguments, measure: Measure) -> int:
    return max(_text_size(a["value"], measure), _number(a.get("width", 80)))


def _indent(a: Arguments, measure: Measure) -> int:
    text = a["s"] if isinstance(a["s"], str) else ""
    width = a.get("width", 4)
    step = _text_size(width, measure) if isinstance(width, str) else _number(width)
    return len(text) + (text.count("\n") + 1) * step


def _format(a: Arguments, measure: Measure) -> int:
    template = a["value"] if isinstance(a["value"], str) else ""
    return percent_size(template, a.get("kwargs") or a.get("args", ()), measure)


def _replace(a: Arguments, measure: Measure) -> int:
    return replace_size(a["s"], a["old"], a["new"], a.get("count"), measure)


def _batch(a: Arguments, measure: Measure) -> int:
    return _length(a["value"]) + _number(a["linecount"])


def _slice(a: Arguments, measure: Measure) -> int:
    return _length(a["value"]) + _number(a["slices"])


def _wordwrap(a: Arguments, measure: Measure) -> int:
    text = a["s"] if isinstance(a["s"], str) else ""
    breaks = len(text) // max(_number(a.get("width", 79), 1), 1) + text.count(" ") + 1
    wrap = a.get("wrapstring")
    return len(text) + breaks * (_text_size(wrap, measure) if wrap is not None else 1)


def _urlize(a: Arguments, measure: Measure) -> int:
    value = a["value"] if isinstance(a["value"], str) else ""
    extra = sum(_text_size(a.get(key) or "", measure) for key in ("target", "rel"))
    return 3 * len(value) + (value.count(" ") + 1) * (extra + 64)


def _tojson(a: Arguments, measure: Measure) -> int:
    size = measure(a["value"])
    return size + size * _number(a.get("indent"))


def _length(value: object) -> int:
    try:
        return len(value)  # type: ignore[arg-type]
    except TypeError:
        return 0


FILTER_SIZES: Final[dict[str, Callable[[Arguments, Measure], int]]] = {
    "batch": _batch,
    "center": _center,
    "format": _format,
    "indent": _indent,
    "replace": _replace,
    "slice": _slice,
    "tojson": _tojson,
    "urlize": _urlize,
    "wordwrap": _wordwrap,
}
"""Filters whose result can be far larger than their inputs, and its estimated size."""


def bind(
    function: Callable[..., Any],
    leading: Sequence[object],
    args: Sequence[object],
    kwargs: Mapping[str, object],
) -> dict[str, Any]:
    """The arguments of a call of the filter `function` (`leading`: the context, eval
    context or environment Jinja2 passes first) by their parameter names, `*args` and
    `**kwargs` under their own names. Arguments that do not fit are left out (the call
    itself fails on them). A filter that Jinja2 wraps for async use takes the leading
    argument only in its wrapper, not in the function its signature describes."""
    inner = inspect.unwrap(function)
    if getattr(inner, "jinja_pass_arg", None) is None:
        leading = ()
    names, rest, keywords = _parameters(inner)
    values = (*leading, *args)
    bound: dict[str, Any] = dict(zip(names, values, strict=False))
    if rest is not None:
        bound[rest] = tuple(values[len(names) :])
    if keywords is not None:
        bound[keywords] = {key: value for key, value in kwargs.items() if key not in names}
    bound.update((key, value) for key, value in kwargs.items() if key in names)
    return bound


@functools.cache
def _parameters(function: Callable[..., Any]) -> tuple[tuple[str, ...], str | None, str | None]:
    """A function's positional parameter names, and the names of its `*args` and
    `**kwargs` (None when it has none)."""
    parameters = inspect.signature(function).parameters.values()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = tuple(p.name for p in parameters if p.kind in positional)
    rest = next((p.name for p in parameters if p.kind is inspect.Parameter.VAR_POSITIONAL), None)
    keywords = next((p.name for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD), None)
    return names, rest, keywords


def check_filter(name: str, arguments: Arguments, measure: Measure, meter: RenderMeter) -> None:
    """Refuse (E307) a call of the filter `name` with `arguments` (see `bind`) whose result
    would be too large; charge the ones whose work grows faster than their input for it."""
    estimate = FILTER_SIZES.get(name)
    if estimate is not None:
        check_size(estimate(arguments, measure))
    steps = FILTER_STEPS.get(name)
    if steps is not None:
        meter.charge(steps(arguments))


def _wordwrap_steps(a: Arguments) -> int:
    """Python's `textwrap` cuts a word longer than the width a slice at a time: the work
    grows with the square of that word's length."""
    text = a["s"] if isinstance(a["s"], str) else ""
    longest = max(map(len, text.split()), default=0)
    return longest * longest // (max(_number(a.get("width", 79), 1), 1) * CHARS_PER_STEP)


def _sorting_steps(a: Arguments) -> int:
    return _length(a.get("value", a.get("iterable")))


def _sum_steps(a: Arguments) -> int:
    """Adding up lists copies the growing total once per item."""
    items = a.get("iterable")
    if not isinstance(items, list | tuple):
        return 0
    total = sum(_length(item) for item in items) + _length(a.get("start"))
    return len(items) + len(items) * total // (ITEMS_PER_STEP * CHARS_PER_STEP // 8)


FILTER_STEPS: Final[dict[str, Callable[[Arguments], int]]] = {
    "dictsort": _sorting_steps,
    "groupby": _sorting_steps,
    "max": _sorting_steps,
    "min": _sorting_steps,
    "sort": _sorting_steps,
    "sum": _sum_steps,
    "unique": _sorting_steps,
    "wordwrap": _wordwrap_steps,
}
"""Filters whose work grows faster than their input, and the steps it takes."""


# --- methods of strings, bytes and numbers --------------------------------------------------


def method_size(owner: object, name: str, args: Sequence[object], measure: Measure) -> int:
    """The estimated size of `owner.name(*args)` for the methods that can grow their owner
    without bound; 0 for the others (their result is checked afterwards)."""
    if isinstance(owner, str | bytes):
        first = args[0] if args else None
        if name in ("center", "ljust", "rjust", "zfill"):
            return max(len(owner), _number(first))
        if name == "expandtabs":
            tab = b"\t" if isinstance(owner, bytes) else "\t"
            return len(owner) + owner.count(tab) * _number(first, 8)  # type: ignore[arg-type]
        if name == "replace" and len(args) >= 2:
            count = args[2] if len(args) > 2 else None
            return replace_size(owner, args[0], args[1], count, measure)
        if name == "translate" and isinstance(first, Mapping):
            widest = max((_text_size(v, measure) for v in first.values()), default=1)
            return len(owner) * max(widest, 1)
    if isinstance(owner, int) and name == "to_bytes":
        return _number(args[0] if args else 1)
    return 0


def materialize_join_argument(
    owner: object, name: str, args: tuple[object, ...]
) -> tuple[object, ...]:
    """`sep.join(items)` reads `items` once: make it a list so that it can be measured first."""
    if name == "join" and isinstance(owner, str | bytes) and args:
        items = _materialized(args[0])
        if items is not None:
            return (items, *args[1:])
    return args
