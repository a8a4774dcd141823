"""Syntax errors in words a user knows: "expected a duration such as `3s` after `at`", not a
list of token names; a misspelled keyword gets a "did you mean" hint (E105)."""

from __future__ import annotations

import functools
import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from odyssey_dsl.syntax.durations import UNIT_OF_WORD
from odyssey_dsl.syntax.grammar import keyword_terminals, statement_parser
from odyssey_dsl.syntax.statements import LineDiagnostic, LinePositions, SignificantToken

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
    known = _known_mistake(text, position)
    if known is not None:
        code, what, first, last, advice = known
        return LineDiagnostic(code, what, positions.span(base + first, base + last), advice)
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


_EXPRESSION = re.compile(r"[.()+*/%|~<>!=-]")

Mistake = tuple[str, str, int, int, str]
"""code, message, start and end offsets in the statement, help."""


def _known_mistake(text: str, position: int) -> Mistake | None:
    """A message for the mistakes new users make most, at the place Lark stopped."""
    from odyssey_dsl.syntax.lexer import best_effort_tokens

    before = best_effort_tokens(text, 0, position)
    if not before:
        return None
    previous = before[-1]
    previous_text = text[previous.start : previous.end]
    word = _WORD.match(text, position)
    if previous.kind == "string" and _open_template(previous_text[1:-1]):
        return _quote_in_template(text, previous.start, previous.end)
    if previous.kind == "number" and word and len(before) >= 2:
        unit = UNIT_OF_WORD.get(word.group().lower())
        if unit is not None and before[-2].kind in ("at", "after", "every"):
            written = f"{previous_text}{unit}"
            return (
                "E107",
                f"expected a duration, found `{text[previous.start : word.end()]}`",
                previous.start,
                word.end(),
                f"write `{written}`: a duration has no space between its number and its unit",
            )
    if previous.kind == "end":
        return (
            "E100",
            "`end` takes no prompt",
            position,
            len(text),
            "a stream ends without a prompt: write the line as `end` alone, e.g. `at 3s: end`",
        )
    if previous.kind in ("interact", "start", "image") and word:
        what = "an image" if previous.kind == "image" else "a prompt"
        return (
            "E114",
            f"expected {what} in double quotes after `{previous_text}`, found the name "
            f"`{word.group()}`",
            position,
            word.end(),
            f"to use the value of `{word.group()}`, write it in a template: "
            f'`"{{{{ {word.group()} }}}}"`',
        )
    return _expression_value(text, before)


def _open_template(content: str) -> bool:
    return content.count("{{") > content.count("}}") or content.count("{%") > content.count("%}")


def _quote_in_template(text: str, start: int, end: int) -> Mistake:
    """The string `text[start:end]` stops inside `{{ }}`: a double quote there ended it."""
    rest = text[start:]
    close = max(rest.rfind("}}"), rest.rfind("%}"))
    template = rest[: close + 2] if close != -1 else rest
    inner = template[1:]
    suggestion = '"' + inner[: inner.find("{")] + inner[inner.find("{") :].replace('"', "'")
    if not suggestion.endswith('"'):
        suggestion += '"'
    return (
        "E115",
        'this `"` ends the string: a double quote inside `{{ }}` closes the prompt',
        end - 1,
        end,
        "write the strings inside `{{ }}` with single quotes: " + _quoted(_shorten(suggestion, 60)),
    )


def _expression_value(text: str, before: tuple[SignificantToken, ...]) -> Mistake | None:
    """`let n = loop.index * 10`: a value is a literal; an expression belongs in a template."""
    if len(before) < 3 or before[0].kind != "let" or before[2].kind != "equal":
        return None
    start = before[2].end
    value = text[start:].strip()
    if not value or value[0] in '"[' or not _EXPRESSION.search(value):
        return None
    start = text.index(value[0], start)
    name = text[before[1].start : before[1].end]
    return (
        "E114",
        f"a value is a literal (a string, number, duration, list or name), not the expression "
        f"`{_shorten(value)}`",
        start,
        len(text),
        f'to compute it, write a template: `let {name} = "{{{{ {_shorten(value, 60)} }}}}"`',
    )


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
