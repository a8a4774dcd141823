"""The fast path: whole lines of the common shapes read with one regular expression each.

Lark's lexer and LALR parser cost about 100 microseconds a line, and most lines of real
scenes have one of a few shapes (`at 40500ms: interact "..."`). For those, one regular
expression reads the whole line, built from the grammar's own terminal patterns
(`grammar.terminals()`):

- a shape lists, slot by slot, the terminals the grammar accepts there, and the ignored
  terminal (whitespace) may stand between any two tokens, as in the grammar;
- each slot is an atomic group whose alternatives are tried in the lexer's priority order,
  so a slot takes the token that Lark's contextual lexer would take, never a shorter one;
- the line may be indented with spaces and end with blanks and a comment;
- a line that no shape matches is left to the layout pass and Lark.

A matched line keeps only the match's offsets (its tokens are found again when asked for).
Timed and bare actions, the commonest statements, are built in place straight from those
offsets (`Recipe`); other shapes give their tokens to `statements.py`, as Lark's do.
`tests/test_fast_path.py` checks, on lines built from the grammar's tokens and near misses,
that both paths agree on everything. `ODYC_NO_FAST_PATH=1` turns the fast path off.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.durations import DurationError, parse_duration
from odyssey_dsl.syntax.grammar import ignored_terminals, terminals
from odyssey_dsl.syntax.layout import TRAILING_BLANKS
from odyssey_dsl.syntax.literals import fold, unescape
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.tokens import kind_of_terminal

# `(A|B)` is a slot with alternatives, `[...]` an optional part, `STR` any string literal,
# `LIST` a list of such values (not of lists), `label=` names a slot for the recipe.
_ACTIONS = (
    "action=_INTERACT prompt=STR",
    "action=_START prompt=STR [_WITH _IMAGE image=STR]",
    "action=_END",
)
_PREFIX = "prefix=(_AT|_AFTER) time=(DURATION|NAME)"
_VALUE = "(STR|_TRUE|_FALSE|DURATION|NUMBER|NAME)"
_LOOPS = (
    "_REPEAT (NUMBER|NAME) _EVERY (DURATION|NAME) COLON",
    "_FOR NAME _IN NAME _EVERY (DURATION|NAME) COLON",
    "_FOR NAME _IN LIST _EVERY (DURATION|NAME) COLON",
)
SHAPES: tuple[str, ...] = (
    *(f"{_PREFIX} COLON {action}" for action in _ACTIONS),
    *_ACTIONS,
    f"_LET NAME EQUAL {_VALUE}",
    "_LET NAME EQUAL LIST",
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


class Shape(NamedTuple):
    pattern: re.Pattern[str]
    groups: tuple[tuple[int, str], ...]
    """(group index, token kind) of every slot alternative, in order."""
    labels: dict[str, tuple[tuple[int, str], ...]]
    """The alternatives of each labelled slot."""
    builds_actions: bool


def _split_shape(shape: str) -> list[str]:
    return shape.replace("[", " [ ").replace("]", " ] ").split()


def _alternatives(slot: str) -> list[str]:
    """The terminals of a slot `(A|B)`, in the order Lark's lexer tries them (by priority)."""
    found = terminals()
    choices: list[str] = []
    for item in slot.strip("()").split("|"):
        choices.extend(_ALIASES.get(item, (item,)))
    return sorted(choices, key=lambda name: -found[name].priority)


def _blank() -> str:
    found = terminals()
    return "(?:" + "|".join(found[name].pattern for name in ignored_terminals()) + ")?"


def _compile(shape: str) -> Shape:
    found = terminals()
    blank = _blank()
    parts: list[str] = ["(?P<indent> *)"]
    names: list[tuple[str, str]] = []
    labels: dict[str, list[tuple[str, str]]] = {}
    first = True
    for word in _split_shape(shape):
        if word == "[":
            parts.append("(?:")
            continue
        if word == "]":
            parts.append(")?")
            continue
        if not first:
            parts.append(blank)
        first = False
        label, _, slot = word.rpartition("=")
        if slot == "LIST":
            group = f"g{len(names)}"
            names.append((group, "LIST"))
            parts.append(f"(?P<{group}>{_list_pattern(blank)})")
            continue
        alternatives = []
        for name in _alternatives(slot):
            group = f"g{len(names)}"
            names.append((group, name))
            if label:
                labels.setdefault(label, []).append((group, name))
            alternatives.append(f"(?P<{group}>{found[name].pattern})")
        parts.append("(?>" + "|".join(alternatives) + ")")
    trailing = "[" + re.escape(TRAILING_BLANKS) + "]*"
    parts.append(f"(?P<end>){trailing}(?P<comment>#.*)?\\Z")
    pattern = re.compile("".join(parts))

    def indexed(pairs: list[tuple[str, str]]) -> tuple[tuple[int, str], ...]:
        return tuple((pattern.groupindex[g], kind_of_terminal(name)) for g, name in pairs)

    return Shape(
        pattern,
        indexed(names),
        {label: indexed(pairs) for label, pairs in labels.items()},
        "action" in labels,
    )


def _list_pattern(blank: str) -> str:
    """`[ VALUE (, VALUE)* ,? ]` or `[ ]`, each value an atomic slot of `_VALUE`."""
    found = terminals()
    value = "(?>" + "|".join(found[name].pattern for name in _alternatives(_VALUE)) + ")"
    comma, opening, closing = (found[name].pattern for name in ("COMMA", "LSQB", "RSQB"))
    items = f"{value}(?:{blank}{comma}{blank}{value})*(?:{blank}{comma})?"
    return f"{opening}{blank}(?:{items}{blank})?{closing}"


@functools.cache
def _list_scanner() -> tuple[re.Pattern[str], dict[str, str]]:
    """The tokens inside a list that a shape matched, tried in the lexer's order."""
    found = terminals()
    ignored = ignored_terminals()
    names = [*_alternatives(_VALUE), "COMMA", "LSQB", "RSQB", *ignored]
    pattern = "|".join(f"(?P<t{index}>{found[name].pattern})" for index, name in enumerate(names))
    kinds = {
        f"t{index}": "" if name in ignored else kind_of_terminal(name)
        for index, name in enumerate(names)
    }
    return re.compile(pattern), kinds


def _list_tokens(text: str, start: int, end: int) -> list[SignificantToken]:
    pattern, kinds = _list_scanner()
    found = []
    for match in pattern.finditer(text, start, end):
        kind = kinds[match.lastgroup or ""]
        if kind:
            found.append(SignificantToken(kind, match.start(), match.end()))
    return found


_compiled = functools.cache(_compile)


@functools.cache
def _shapes() -> dict[str, list[Shape | str]]:
    """The shapes, by the first two characters of their first keyword; each is compiled the
    first time a line is tried against it (`odyc check` on a small scene needs few)."""
    found = terminals()
    by_start: dict[str, list[Shape | str]] = {}
    for shape in SHAPES:
        first = _split_shape(shape)[0].rpartition("=")[2]
        for keyword in first.strip("()").split("|"):
            word = found[keyword].pattern.removesuffix("\\b")
            by_start.setdefault(word[:2], []).append(shape)
    return by_start


def match_line(text: str) -> tuple[Shape, re.Match[str]] | None:
    """The shape and match of a whole logical line, if it has a common shape."""
    start = len(text) - len(text.lstrip(" "))
    shapes = _shapes().get(text[start : start + 2])
    if shapes is None:
        return None
    for index, shape in enumerate(shapes):
        if isinstance(shape, str):
            shape = shapes[index] = _compiled(shape)
        match = shape.pattern.match(text)
        if match is not None:
            return shape, match
    return None


def significant_tokens(shape: Shape, match: re.Match[str]) -> tuple[SignificantToken, ...]:
    spans = match.regs
    found: list[SignificantToken] = []
    for index, kind in shape.groups:
        start, end = spans[index]
        if start < 0:
            continue
        if kind == "list":
            found += _list_tokens(match.string, start, end)
        else:
            found.append(SignificantToken(kind, start, end))
    return tuple(found)


# --- actions built in place ---------------------------------------------------------------

Recipe = tuple[Callable[[Any, int, int], n.Statement], tuple[Any, ...]]
"""A function that builds the statement at (lines below the first, offset), and its data."""

_new = tuple.__new__
_PREFIXES = {"at": n.At, "after": n.After}


def recipe(shape: Shape, match: re.Match[str], text: str) -> Recipe | None:
    """The recipe of a timed or bare action on one physical line without problems, else None
    (the statement is then read from the tokens, which reports any problem)."""
    if not shape.builds_actions or "\n" in text:
        return None
    spans = match.regs
    labels = shape.labels
    first = match.end("indent")
    last = match.start("end")
    prefix: tuple[Any, ...] | None = None
    if "prefix" in labels:
        kind, _ = _slot(spans, labels["prefix"])
        time_kind, (time_start, time_end) = _slot(spans, labels["time"])
        time_text = text[time_start:time_end]
        is_duration = time_kind == "duration"
        time_value: object = time_text
        if is_duration:
            try:
                time_value = parse_duration(time_text)
            except DurationError:
                return None
        prefix = (_PREFIXES[kind], is_duration, time_start, time_end, time_value, time_text)
    action_kind, (action_start, action_end) = _slot(spans, labels["action"])
    if action_kind == "end":
        return _build_end, (first, last, prefix, action_start, action_end)
    prompt = _string(spans, labels["prompt"], text)
    if prompt is None:
        return None
    image = None
    image_slot = labels.get("image")
    if image_slot is not None and any(spans[index][0] >= 0 for index, _ in image_slot):
        image = _string(spans, image_slot, text)
        if image is None:
            return None
    cls = n.Start if action_kind == "start" else n.Interact
    return _build_prompted, (first, last, prefix, cls, action_start, prompt, image)


def _slot(spans: Any, alternatives: tuple[tuple[int, str], ...]) -> tuple[str, tuple[int, int]]:
    """The kind and span of the alternative of a slot that matched."""
    for index, kind in alternatives:
        if spans[index][0] >= 0:
            return kind, spans[index]
    raise AssertionError("no alternative of the slot matched")  # pragma: no cover


def _string(
    spans: Any, alternatives: tuple[tuple[int, str], ...], text: str
) -> tuple[int, int, str, int] | None:
    """(start, end, value, content offset) of a string without escape errors, else None."""
    kind, (start, end) = _slot(spans, alternatives)
    quotes = 3 if kind == "long_string" else 1
    raw = text[start + quotes : end - quotes]
    content = fold(raw) if quotes == 3 else raw
    if "\\" in content:
        from odyssey_dsl.syntax.literals import find_escape_errors

        if find_escape_errors(raw):
            return None
        content = unescape(content)
    return start, end, content, start + quotes


# The builders compute each file offset once and share it between the spans that start or
# end there: a long scene holds several spans per line, and an offset is an object of its own.


def _prefix(data: tuple[Any, ...] | None, start: int, line: int, offset: int, first: int) -> Any:
    """The time prefix; `first` is the file offset of `start` (the statement's start)."""
    if data is None:
        return None
    cls, is_duration, time_start, time_end, value, text = data
    end = offset + time_end
    time_span = (line, time_start + 1, line, time_end + 1, offset + time_start, end)
    if is_duration:
        time: n.Expr = _new(n.DurationLit, (time_span, value, text))
    else:
        time = _new(n.NameRef, (time_span, value))
    span = (line, start + 1, line, time_end + 1, first, end)
    return _new(cls, (span, time))


def _literal(
    data: tuple[int, int, str, int] | None, line: int, offset: int, last: int, stop: int
) -> Any:
    """A string literal; `stop` is the file offset of `last` (shared when it ends there)."""
    if data is None:
        return None
    start, end, value, content = data
    finish = stop if end == last else offset + end
    span = (line, start + 1, line, end + 1, offset + start, finish)
    return _new(n.StringLit, (span, value, offset + content))


def _build_end(data: tuple[Any, ...], lines: int, offset: int) -> n.Statement:
    first, last, prefix, action_start, action_end = data
    line = lines + 1
    begin = offset + first
    stop = offset + last
    action_span = (
        line,
        action_start + 1,
        line,
        action_end + 1,
        offset + action_start,
        stop if action_end == last else offset + action_end,
    )
    span = (line, first + 1, line, last + 1, begin, stop)
    action = _new(n.End, (action_span,))
    return _new(n.ActionStmt, (span, _prefix(prefix, first, line, offset, begin), action))


def _build_prompted(data: tuple[Any, ...], lines: int, offset: int) -> n.Statement:
    first, last, prefix, cls, action_start, prompt, image = data
    line = lines + 1
    begin = offset + first
    stop = offset + last
    action_span = (line, action_start + 1, line, last + 1, offset + action_start, stop)
    action: n.Action
    if cls is n.Interact:
        action = _new(n.Interact, (action_span, _literal(prompt, line, offset, last, stop)))
    else:
        action = _new(
            n.Start,
            (
                action_span,
                _literal(prompt, line, offset, last, stop),
                _literal(image, line, offset, last, stop),
            ),
        )
    span = (line, first + 1, line, last + 1, begin, stop)
    return _new(n.ActionStmt, (span, _prefix(prefix, first, line, offset, begin), action))
