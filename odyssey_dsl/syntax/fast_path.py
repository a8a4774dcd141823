"""The fast path: common statement shapes read with one regular expression each.

Lark's lexer and LALR parser cost about 100 microseconds a line; most lines of real scenes
have one of a few shapes (`at 40500ms: interact "..."`). For those, one regular expression
decides the tokens, built from the grammar's own terminal patterns (`grammar.terminals()`):

- a shape lists, slot by slot, the terminals the grammar accepts there, and the ignored
  terminal (whitespace) may stand between any two tokens, as in the grammar;
- each slot is an atomic group whose alternatives are tried in the lexer's priority order,
  so a slot takes the token that Lark's contextual lexer would take, never a shorter one;
- a line that no shape matches is left to Lark.

Only the tokens come from here; the statement is read from them by `statements.py`, as for
a line that Lark parsed. `tests/test_fast_path.py` checks, on lines built from the grammar's
tokens and near misses, that both paths agree on everything. `ODYC_NO_FAST_PATH=1` turns
the fast path off.
"""

from __future__ import annotations

import functools
import os
import re
from typing import NamedTuple

from odyssey_dsl.syntax.grammar import ignored_terminals, terminals
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.tokens import kind_of_terminal

# `(A|B)` is a slot with alternatives, `[...]` an optional part, `STR` any string literal.
_ACTIONS = (
    "_START STR [_WITH _IMAGE STR]",
    "_INTERACT STR",
    "_END",
)
_TIME = "(DURATION|NAME)"
_PREFIX = f"(_AT|_AFTER) {_TIME}"
_LOOPS = (
    f"_REPEAT (NUMBER|NAME) _EVERY {_TIME} COLON",
    f"_FOR NAME _IN NAME _EVERY {_TIME} COLON",
)
SHAPES: tuple[str, ...] = (
    *(f"{_PREFIX} COLON {action}" for action in _ACTIONS),
    *_ACTIONS,
    "_LET NAME EQUAL (STR|_TRUE|_FALSE|DURATION|NUMBER|NAME)",
    *(f"{_PREFIX} {loop}" for loop in _LOOPS),
    *_LOOPS,
    "_PORTRAIT COLON (_TRUE|_FALSE)",
    "_SCRIPT STR COLON",
)
"""The statement shapes taken without Lark, most common first."""

_ALIASES = {"STR": ("LONG_STRING", "STRING")}


def enabled() -> bool:
    """False when `ODYC_NO_FAST_PATH=1`: every line then goes through Lark."""
    return os.environ.get("ODYC_NO_FAST_PATH", "") != "1"


class _Shape(NamedTuple):
    pattern: re.Pattern[str]
    groups: tuple[tuple[int, str], ...]
    """(group index, token kind) of every slot alternative, in order."""


def _split_shape(shape: str) -> list[str]:
    return shape.replace("[", " [ ").replace("]", " ] ").split()


@functools.cache
def _compiled() -> dict[str, tuple[_Shape, ...]]:
    """The shapes, by the first two characters of their first keyword."""
    found = terminals()
    blank = "(?:" + "|".join(found[name].pattern for name in ignored_terminals()) + ")?"
    by_start: dict[str, list[_Shape]] = {}
    for shape in SHAPES:
        parts: list[str] = [blank]
        names: list[tuple[str, str]] = []
        for word in _split_shape(shape):
            if word == "[":
                parts.append("(?:")
                continue
            if word == "]":
                parts.append(")?")
                continue
            choices: list[str] = []
            for item in word.strip("()").split("|"):
                choices.extend(_ALIASES.get(item, (item,)))
            # Lark's lexer tries the terminals of higher priority first.
            choices.sort(key=lambda name: -found[name].priority)
            alternatives = []
            for name in choices:
                group = f"g{len(names)}"
                names.append((group, name))
                alternatives.append(f"(?P<{group}>{found[name].pattern})")
            parts.append("(?>" + "|".join(alternatives) + ")" + blank)
        pattern = re.compile("".join(parts) + r"\Z")
        groups = tuple((pattern.groupindex[group], kind_of_terminal(n)) for group, n in names)
        first = _split_shape(shape)[0].strip("()").split("|")
        for keyword in first:
            word = found[keyword].pattern.removesuffix("\\b")
            by_start.setdefault(word[:2], []).append(_Shape(pattern, groups))
    return {start: tuple(shapes) for start, shapes in by_start.items()}


def statement_tokens(text: str, start: int, end: int) -> tuple[SignificantToken, ...] | None:
    """The tokens of the statement `text[start:end]` if it has a common shape, else None."""
    shapes = _compiled().get(text[start : start + 2])
    if shapes is None:
        return None
    for shape in shapes:
        match = shape.pattern.match(text, start, end)
        if match is not None:
            spans = match.regs
            return tuple(
                SignificantToken(kind, spans[index][0], spans[index][1])
                for index, kind in shape.groups
                if spans[index][0] >= 0
            )
    return None
