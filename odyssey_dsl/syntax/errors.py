"""Syntax errors in words a user knows: "expected a duration such as `3s` after `at`", not a
list of token names; a misspelled keyword gets a "did you mean" hint (E105)."""

from __future__ import annotations

import functools
import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from odyssey_dsl.syntax.grammar import keyword_terminals, statement_parser
from odyssey_dsl.syntax.statements import LineDiagnostic, LinePositions

_TERMINAL_WORDS: dict[str, str] = {
    "DURATION": "a duration such as `3s`",
    "NUMBER": "a number",
    "NAME": "a name",
    "STRING": 'a string in double quotes ("...")',
    "LONG_STRING": 'a string in double quotes ("...")',
    "COLON": "`:`",
    "EQUAL": "`=`",
    "COMMA": "`,`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "$END": "the end of the line",
}
_WORD_ORDER = [
    "COLON",
    "AT",
    "AFTER",
    "START",
    "INTERACT",
    "END",
    "REPEAT",
    "FOR",
    "LET",
    "SCRIPT",
    "PORTRAIT",
    "DURATION",
    "STRING",
    "NUMBER",
    "NAME",
]
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _describe(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    return f"`{terminal.lstrip('_').lower()}`"


def _expected_words(expected: set[str]) -> str:
    ordered = sorted(
        expected,
        key=lambda t: (
            _WORD_ORDER.index(t.lstrip("_")) if t.lstrip("_") in _WORD_ORDER else 99,
            t,
        ),
    )
    words: list[str] = []
    for terminal in ordered:
        word = _describe(terminal)
        if word not in words:
            words.append(word)
    if len(words) > 6:
        words = [*words[:5], "..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


@functools.cache
def _keywords() -> tuple[frozenset[str], frozenset[str]]:
    """(every keyword, the keywords that may start a statement), from the grammar."""
    words = keyword_terminals()
    starting: set[str] = statement_parser().parse_interactive("").accepts()  # type: ignore[no-untyped-call]
    return frozenset(words), frozenset(w for w, t in words.items() if t in starting)


def syntax_error(
    text: str, error: UnexpectedInput, base: int, positions: LinePositions
) -> LineDiagnostic:
    """The diagnostic of a statement `text` that Lark rejected; `text` starts at offset
    `base` of its line."""
    keywords_all, statement_keywords = _keywords()
    position = error.pos_in_stream if error.pos_in_stream is not None else len(text)
    if isinstance(error, UnexpectedToken):
        expected = set(error.expected)
        if error.token.type == "$END":
            position, length, found_text = len(text), 0, "the end of the line"
        else:
            position = error.token.start_pos or 0
            length = len(str(error.token))
            found_text = _quoted(_shorten(str(error.token)))
    elif isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed)
        bad_word = _WORD.match(text, position)
        length = len(bad_word.group()) if bad_word else 1
        found_text = _quoted(_shorten(text[position : position + length]))
    else:  # pragma: no cover - other UnexpectedInput kinds do not occur with LALR
        expected, length, found_text = set(), 1, "something unexpected"
    start = base + position
    span = positions.span(start, start + max(length, 1) if position < len(text) else start)
    expected.discard("LONG_STRING")
    before = text[:position].rstrip()
    previous = before.split()[-1] if before.split() else None
    word_match = _WORD.match(text, position)
    word = word_match.group() if word_match else None

    keywords = {t.lstrip("_").lower() for t in expected} & keywords_all
    if position == 0:
        keywords |= statement_keywords
    if word and word not in keywords_all and keywords:
        import difflib  # only on errors

        suggestion = difflib.get_close_matches(word, sorted(keywords), n=1, cutoff=0.6)
        if suggestion:
            return LineDiagnostic(
                "E105", f"unknown keyword `{word}`", span, f"did you mean `{suggestion[0]}`?"
            )

    help_text: str | None
    if position == 0:
        message = f"expected a statement, found {found_text}"
        help_text = (
            'a statement is a timed action (`at 3s: interact "..."`), `let`, a loop '
            "(`repeat`/`for`), `script`, or `portrait`"
        )
    else:
        where = f" after `{_shorten(previous)}`" if previous else ""
        message = f"expected {_expected_words(expected)}{where}, found {found_text}"
        help_text = _hint(expected, previous, text)
    return LineDiagnostic("E100", message, span, help_text)


def _hint(expected: set[str], previous: str | None, text: str) -> str | None:
    if "COLON" in expected and previous is not None:
        if text.lstrip().startswith(("at", "after")):
            return 'a timed action is written like `at 3s: interact "..."` (note the `:`)'
        return "a block header ends with `:`"
    if "DURATION" in expected:
        return "durations are numbers with units: `3s`, `250ms`, `1m30s`"
    if "STRING" in expected:
        return 'prompts are written in double quotes: `interact "The cat looks outside"`'
    return None


def _quoted(text: str) -> str:
    """`text` in backticks, or in quotes when it holds a backtick itself."""
    return f"'{text}'" if "`" in text else f"`{text}`"


def _shorten(text: str | None, limit: int = 30) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
