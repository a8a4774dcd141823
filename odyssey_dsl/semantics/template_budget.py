"""The budget of template rendering: how much a template may print, make and do.

A scene is untrusted input, and Jinja2's sandbox keeps it from Python's internals but not
from asking for a terabyte (`{{ 'a' | center(10**9) }}`) or for 10^10 loop iterations. So
every render is metered:

- **output**: a render prints at most `MAX_RENDERED_CHARS` characters (E305), unless its
  caller allows more (an image may be a data URL of tens of megabytes);
- **values**: a string, list or number that a template makes holds at most
  `MAX_VALUE_SIZE` characters or items, and a number at most `MAX_INTEGER_DIGITS` digits
  (E307). Operations that could make one larger in a single step are refused before they
  allocate anything;
- **work**: each loop iteration, call or filter costs a step, and so does each KiB of text
  that one processes or prints; a render may take `MAX_STEPS_PER_RENDER` steps and all the
  renders of one compile `MAX_STEPS_PER_COMPILE` (E306).

Steps are counted, not timed, so a scene compiles the same way on every machine.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Collection
from typing import Final, cast

from jinja2.runtime import LoopContext, Macro, Undefined

from odyssey_dsl.syntax.durations import Duration

MAX_RENDERED_CHARS: Final = 100_000
"""What one template may print: a prompt, a `let` string, a script name, a list item."""

MAX_VALUE_SIZE: Final = 1_000_000
"""Characters of a string, or items of a list, that a template may make."""

MAX_INTEGER_DIGITS: Final = 4_300
"""Digits of a number a template may make (Python prints integers up to this many)."""

MAX_INTEGER_BITS: Final = int(MAX_INTEGER_DIGITS * 3.33)

MAX_STEPS_PER_RENDER: Final = 1_000_000
"""Work one render may do: loop iterations, calls and filters, plus one per KiB processed."""

MAX_STEPS_PER_COMPILE: Final = 3_000_000
"""Work all the renders of one compile may do together."""

CHARS_PER_STEP: Final = 1024
"""Processing this many characters of text costs a step."""

ITEMS_PER_STEP: Final = 4
"""Looking at this many items of a list costs a step."""

PYTHON_CHARS_PER_STEP: Final = 8
"""Going through this many characters in Python code costs a step."""


class TemplateLimitError(Exception):
    """A render went over its budget or tried something that cannot be shown.

    `code` is E305 (output), E306 (work), E307 (a value too large) or E308 (a value that is
    not text, such as a function). Raised inside Jinja2's generated code and turned into a
    `TemplateFailure` by the renderer."""

    def __init__(self, code: str, message: str, help: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


class TemplateBudget:
    """The work that the templates of one compile may still do. Pass the same budget to
    every render of a compile; a render without one gets a fresh budget of its own."""

    __slots__ = ("steps_left",)

    def __init__(self, steps: int = MAX_STEPS_PER_COMPILE) -> None:
        self.steps_left = steps


class RenderMeter:
    """The running account of one render: its steps and its output."""

    __slots__ = ("budget", "output_left", "output_limit", "per_render", "steps_left")

    def __init__(self, budget: TemplateBudget, output_limit: int) -> None:
        self.budget = budget
        self.per_render = budget.steps_left >= MAX_STEPS_PER_RENDER
        self.steps_left = min(MAX_STEPS_PER_RENDER, budget.steps_left)
        self.output_limit = output_limit
        self.output_left = output_limit

    def charge(self, steps: int) -> None:
        """Spend `steps`; raises `TemplateLimitError` (E306) when none are left."""
        self.steps_left -= steps
        if self.steps_left < 0:
            raise self.exhausted()

    def charge_size(self, size: int) -> None:
        """Spend the steps of processing `size` characters or items."""
        self.charge(1 + size // CHARS_PER_STEP)

    def charge_length(self, value: object, *, per_char: bool = False) -> None:
        """Spend the steps of going through `value` once: a step per KiB of text (per
        `PYTHON_CHARS_PER_STEP` characters when `per_char`: Python code reads it), per
        `ITEMS_PER_STEP` items of a collection; nothing for anything else."""
        if isinstance(value, str | bytes):
            rate = PYTHON_CHARS_PER_STEP if per_char else CHARS_PER_STEP
            self.charge(len(value) // rate)
        elif isinstance(value, _SIZED):
            self.charge(len(value) // ITEMS_PER_STEP)

    def settle(self, start: int) -> None:
        """Take this render's steps off its compile's budget (`start`: steps_left when the
        render began)."""
        self.budget.steps_left -= start - max(self.steps_left, 0)

    def emit(self, text: str) -> str:
        """Account for a piece of output; raises `TemplateLimitError` (E305) past the limit."""
        self.output_left -= len(text)
        if self.output_left < 0:
            raise output_too_long(self.output_limit)
        if len(text) >= CHARS_PER_STEP:
            self.charge_size(len(text))
        return text

    def exhausted(self) -> TemplateLimitError:
        if self.per_render:
            message = (
                f"this template does too much work: more than {MAX_STEPS_PER_RENDER:,} steps "
                "(loop iterations, calls and filters)"
            )
        else:
            message = (
                "the templates of this scene do too much work in all: more than "
                f"{MAX_STEPS_PER_COMPILE:,} steps (loop iterations, calls and filters)"
            )
        return TemplateLimitError(
            "E306",
            message,
            "a template may loop, call and filter within a budget that keeps every compile "
            "fast; write fewer or smaller loops",
        )


def output_too_long(limit: int) -> TemplateLimitError:
    return TemplateLimitError(
        "E305",
        f"this template renders more than {limit:,} characters",
        f"a prompt or other string may be at most {limit:,} characters long "
        "(an image's data URL may be longer)",
    )


def value_too_large(what: str) -> TemplateLimitError:
    return TemplateLimitError(
        "E307",
        f"this template makes {what}",
        f"a template may make strings and lists of at most {MAX_VALUE_SIZE:,} characters or "
        f"items, and numbers of at most {MAX_INTEGER_DIGITS:,} digits",
    )


def check_size(size: int) -> None:
    """Refuse a value of `size` characters or items (raises `TemplateLimitError`, E307)."""
    if size > MAX_VALUE_SIZE:
        raise value_too_large(f"a value of about {size:,} characters or items")


def check_integer(value: int) -> None:
    """Refuse a number of more than `MAX_INTEGER_DIGITS` digits (E307)."""
    if value.bit_length() > MAX_INTEGER_BITS:
        raise integer_too_large()


def integer_too_large() -> TemplateLimitError:
    return value_too_large(f"a number of more than {MAX_INTEGER_DIGITS:,} digits")


_SCALARS: Final = (str, bytes, bool, int, float, type(None))
_SIZED: Final = (list, tuple, dict, set, frozenset, range)
_CONTAINERS: Final[tuple[type, ...]] = (
    list,
    tuple,
    set,
    frozenset,
    type({}.keys()),
    type({}.values()),
    type({}.items()),
)


def measure(
    value: object,
    meter: RenderMeter | None,
    *,
    printing: bool,
    describe: Callable[[object], str],
) -> int:
    """About how many characters `value` takes when printed, nested values included: a list
    that holds one long string a thousand times is measured a thousand times over, without
    building that text. Charges `meter` (if any) the steps of looking at each item.

    With `printing`, anything that is not text, a number, a boolean, a duration or a
    container of those is refused (E308): printing a function or an object would put a
    Python repr with a memory address into a prompt. `describe` names it in the message."""
    total, items = 0, 0
    pending = [value]
    while pending:
        item = pending.pop()
        items += 1
        if isinstance(item, _SCALARS):
            total += _scalar_size(item)
        elif isinstance(item, Duration):
            total += len(item.text)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
            total += 2 + 4 * len(item)
        elif isinstance(item, _CONTAINERS):
            members = cast("Collection[object]", item)
            pending.extend(members)
            total += 2 + 2 * len(members)
        elif isinstance(item, range):
            total += 32
        elif isinstance(item, Undefined):
            str(item)  # StrictUndefined: raises the undefined-name error here
        elif printing:
            raise not_printable(item, describe)
        else:
            total += 64
        if items % ITEMS_PER_STEP == 0 and meter is not None:
            meter.charge(1)
    return total


def _scalar_size(item: object) -> int:
    if isinstance(item, str):
        return len(item)
    if isinstance(item, bytes):
        return 4 * len(item)
    if isinstance(item, bool) or item is None:
        return 5
    if isinstance(item, int):
        return item.bit_length() // 3 + 2
    return 24


def not_printable(value: object, describe: Callable[[object], str]) -> TemplateLimitError:
    kind = describe(value)
    if callable(value) and not isinstance(value, LoopContext):
        help = f"to use its result, call it: write `(...)` after `{_called_name(value)}`"
    elif isinstance(value, types.GeneratorType) or _is_iterator(value):
        help = 'add `| list` to print it as a list, or `| join(", ")` to print its items'
    else:
        help = "print one of its attributes instead (for `loop`: `loop.index`, `loop.length`)"
    return TemplateLimitError("E308", f"this template prints {kind}, which is not text", help)


def _called_name(value: object) -> str:
    if isinstance(value, Macro):
        return str(value.name)
    return callable_name(value) or str(getattr(value, "name", None) or "it")


_TEMPLATE_NAMES: Final = {"safe_range": "range"}
"""Jinja2's sandbox's own functions, by the name a template calls them."""


def callable_name(value: object) -> str | None:
    """The name a template knows `value` by (`range`, not the sandbox's `safe_range`)."""
    name = getattr(value, "__name__", None)
    if not isinstance(name, str):
        return None
    return _TEMPLATE_NAMES.get(name, name)


def _is_iterator(value: object) -> bool:
    return hasattr(value, "__next__") and hasattr(value, "__iter__")
