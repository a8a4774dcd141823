"""Tokens of a statement that could not be parsed, as far as the grammar's terminals go.

A line that Lark rejects still becomes an error node with tokens, so that tools can use what
was understood (the NAME of a broken `let`), and error messages can look at the tokens
before the mistake. Like Lark's basic lexer, each position takes the first terminal, in the
lexer's priority order, that matches there; text that none matches is an `error` token.
"""

from __future__ import annotations

import functools
import re

from odyssey_dsl.syntax.grammar import ignored_terminals, terminals
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.tokens import ERROR, WHITESPACE, kind_of_terminal


@functools.cache
def _lexer() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern trying every terminal in the lexer's priority order (blanks first), and
    the token kind of each of its groups."""
    found = terminals()
    ignored = set(ignored_terminals())
    ordered = sorted(found.values(), key=lambda t: (t.name not in ignored, -t.priority, t.name))
    pattern = "|".join(f"(?P<t{index}>{t.pattern})" for index, t in enumerate(ordered))
    kinds = {
        f"t{index}": WHITESPACE if t.name in ignored else kind_of_terminal(t.name)
        for index, t in enumerate(ordered)
    }
    return re.compile(pattern), kinds


def best_effort_tokens(source: str, start: int, end: int) -> tuple[SignificantToken, ...]:
    """Tokens of a statement that could not be read, as far as the terminals match them;
    the rest is `error` tokens."""
    pattern, kinds = _lexer()
    found: list[SignificantToken] = []
    position = start
    while position < end:
        match = pattern.match(source, position, end)
        if match is None or match.end() == position:
            if found and found[-1].kind == ERROR and found[-1].end == position:
                found[-1] = SignificantToken(ERROR, found[-1].start, position + 1)
            else:
                found.append(SignificantToken(ERROR, position, position + 1))
            position += 1
            continue
        kind = kinds[match.lastgroup or ""]
        if kind != WHITESPACE:
            found.append(SignificantToken(kind, position, match.end()))
        position = match.end()
    return tuple(found)
