"""Tokens of a statement that could not be parsed, as far as the grammar's terminals go.

A line that Lark rejects still becomes an error node with tokens, so that tools can use what
was understood (the NAME of a broken `let`), and error messages can look at the tokens
before the mistake. Like Lark's basic lexer, each position takes the first terminal, in the
lexer's priority order, that matches there; text that none matches is an `error` token.

A run of text that no terminal matches (a megabyte of NUL bytes) is skipped in one scan for
the characters that can start a terminal, found from the terminals' own regular expressions
(`_starting_characters`), so reading it stays linear and fast.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre  # type: ignore[import-not-found]  # CPython 3.11+
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterable

from odyssey_dsl.syntax.grammar import ignored_terminals, terminals
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.tokens import ERROR, WHITESPACE, kind_of_terminal


@functools.cache
def _lexer() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str] | None]:
    """One pattern trying every terminal in the lexer's priority order (blanks first), the
    token kind of each of its groups, and a character class of every character that can
    start a terminal (None when that cannot be worked out)."""
    found = terminals()
    ignored = set(ignored_terminals())
    ordered = sorted(found.values(), key=lambda t: (t.name not in ignored, -t.priority, t.name))
    pattern = "|".join(f"(?P<t{index}>{t.pattern})" for index, t in enumerate(ordered))
    kinds = {
        f"t{index}": WHITESPACE if t.name in ignored else kind_of_terminal(t.name)
        for index, t in enumerate(ordered)
    }
    starts = _starting_characters(t.pattern for t in ordered)
    return re.compile(pattern), kinds, None if starts is None else re.compile(f"[{starts}]")


def best_effort_tokens(source: str, start: int, end: int) -> tuple[SignificantToken, ...]:
    """Tokens of a statement that could not be read, as far as the terminals match them;
    the rest is `error` tokens."""
    pattern, kinds, _ = _lexer()
    found: list[SignificantToken] = []
    position = start
    while position < end:
        match = pattern.match(source, position, end)
        if match is None or match.end() == position:
            error_end = _next_match(source, position + 1, end)
            if found and found[-1].kind == ERROR and found[-1].end == position:
                found[-1] = SignificantToken(ERROR, found[-1].start, error_end)
            else:
                found.append(SignificantToken(ERROR, position, error_end))
            position = error_end
            continue
        kind = kinds[match.lastgroup or ""]
        if kind != WHITESPACE:
            found.append(SignificantToken(kind, position, match.end()))
        position = match.end()
    return tuple(found)


def _next_match(source: str, position: int, end: int) -> int:
    """The first offset from `position` on where a terminal matches (`end` if none does)."""
    pattern, _, starts = _lexer()
    if starts is None:
        match = pattern.search(source, position, end)
        return end if match is None else match.start()
    while (candidate := starts.search(source, position, end)) is not None:
        position = candidate.start()
        match = pattern.match(source, position, end)
        if match is not None and match.end() > position:
            return position
        position += 1
    return end


_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}


def _starting_characters(patterns: Iterable[str]) -> str | None:
    """The inside of a character class holding every character that can be the first of a
    match of one of `patterns`; None when a pattern is too general to tell (a `.`, a negated
    class, a pattern that can match nothing at all)."""
    found: set[str] = set()
    for pattern in patterns:
        first = _first_of_sequence(sre_parse.parse(pattern).data)
        if first is None or first[1]:
            return None
        found |= first[0]
    return "".join(sorted(found))


_First = tuple[set[str], bool] | None
"""The characters that can start a match, and whether it can also be empty; None: unknown."""


def _first_of_sequence(items: list[tuple[object, object]]) -> _First:
    found: set[str] = set()
    for op, argument in items:
        first = _first_of_item(op, argument)
        if first is None:
            return None
        found |= first[0]
        if not first[1]:
            return found, False
    return found, True


def _first_of_item(op: object, argument: object) -> _First:
    if op is sre.LITERAL:
        assert isinstance(argument, int)
        return {re.escape(chr(argument))}, False
    if op is sre.IN:
        assert isinstance(argument, list)
        return _first_of_class(argument)
    if op in _ZERO_WIDTH:
        return set(), True
    if op is sre.SUBPATTERN:
        assert isinstance(argument, tuple)
        _, added, removed, inner = argument
        if (added | removed) & sre.SRE_FLAG_IGNORECASE:
            return None
        return _first_of_sequence(inner.data)
    if op in _REPEATS:
        assert isinstance(argument, tuple)
        least, _, inner = argument
        first = _first_of_sequence(inner.data)
        return None if first is None else (first[0], first[1] or least == 0)
    if op is sre.BRANCH:
        assert isinstance(argument, tuple)
        found: set[str] = set()
        empty = False
        for branch in argument[1]:
            first = _first_of_sequence(branch.data)
            if first is None:
                return None
            found |= first[0]
            empty = empty or first[1]
        return found, empty
    return None


def _first_of_class(members: list[tuple[object, object]]) -> _First:
    found: set[str] = set()
    for op, argument in members:
        if op is sre.LITERAL:
            assert isinstance(argument, int)
            found.add(re.escape(chr(argument)))
        elif op is sre.RANGE:
            assert isinstance(argument, tuple)
            low, high = argument
            found.add(f"{re.escape(chr(low))}-{re.escape(chr(high))}")
        elif op is sre.CATEGORY and argument in _CATEGORIES:
            found.add(_CATEGORIES[argument])
        else:
            return None
    return found, False
