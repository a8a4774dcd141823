"""Reading string literals: folding triple-quoted strings and applying escapes.

`"..."` and `\"\"\"...\"\"\"` both accept the escapes `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{1F408}`.
A triple-quoted string is folded first (prose may be wrapped without changing it): runs of
blank lines separate paragraphs, each paragraph's lines are stripped and joined with one
space, and paragraphs are joined with one newline. Escapes are applied after folding.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_NUMBER_DIGITS = 30
"""The most digits a number literal may have before its decimal point (E111)."""

_ESCAPE = re.compile(r"\\(u\{([0-9A-Fa-f]{1,6})\}|.|\n|$)", re.DOTALL)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class EscapeError(NamedTuple):
    """An invalid escape at `offset` (relative to the literal's content) of `length` chars."""

    offset: int
    length: int
    message: str
    help: str


def find_escape_errors(content: str) -> list[EscapeError]:
    """Every invalid escape sequence of a literal's raw content."""
    errors = []
    for match in _ESCAPE.finditer(content):
        body = match.group(1)
        if body in _SIMPLE_ESCAPES:
            continue
        if match.group(2) is not None:
            code_point = int(match.group(2), 16)
            if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
                errors.append(
                    EscapeError(
                        match.start(),
                        len(match.group(0)),
                        f"`{match.group(0)}` is not a valid Unicode character",
                        "use a code point from 0 to 10FFFF that is not a surrogate",
                    )
                )
            continue
        shown = match.group(0) if body not in ("", "\n") else "\\"
        hint = (
            "write `\\u{...}` with 1 to 6 hex digits, e.g. `\\u{1F408}`"
            if body == "u"
            else 'the escapes are \\", \\\\, \\n, \\t and \\u{...}; write `\\\\` for a backslash'
        )
        errors.append(
            EscapeError(match.start(), max(1, len(shown)), f"unknown escape `{shown}`", hint)
        )
    return errors


def unescape(content: str) -> str:
    """Apply the escapes of a literal whose escapes are valid (see `find_escape_errors`)."""
    if "\\" not in content:
        return content

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if match.group(2) is not None:
            code_point = int(match.group(2), 16)
            return chr(code_point) if code_point <= 0x10FFFF else match.group(0)
        return _SIMPLE_ESCAPES.get(body, match.group(0))

    return _ESCAPE.sub(replace, content)


def fold(content: str) -> str:
    """Fold the content of a triple-quoted string (see the module docstring)."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in content.split("\n"):
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return "\n".join(" ".join(lines) for lines in paragraphs)


def literal_content(token_text: str) -> tuple[str, int, bool]:
    """(raw content, length of the opening quotes, is triple-quoted) of a string token."""
    if token_text.startswith('"""'):
        return token_text[3:-3], 3, True
    return token_text[1:-1], 1, False


def read_literal(token_text: str) -> str:
    """The value of a string token: folded if triple-quoted, then unescaped."""
    content, _, triple = literal_content(token_text)
    return unescape(fold(content) if triple else content)


def integer_digits(number_text: str) -> int:
    """How many digits a number literal (`-12.5`) has before its decimal point."""
    point = number_text.find(".")
    whole = number_text if point == -1 else number_text[:point]
    return len(whole) - whole.startswith("-")
