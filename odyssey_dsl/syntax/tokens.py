"""Tokens of the lossless syntax tree.

Every character of a scene belongs to exactly one token. The kinds of the grammar's
terminals are their names in lower case without the leading underscore (`at`, `let`,
`duration`, `string`, `long_string`, `colon`, `lsqb`, ...). Trivia have their own kinds:
"""

from __future__ import annotations

from typing import NamedTuple

INDENT = "indent"
"""The blanks at the start of a statement's line."""
WHITESPACE = "whitespace"
"""Blanks between or after tokens (and at the start of a line inside brackets)."""
NEWLINE = "newline"
"""A line break: `\\n` or `\\r\\n`."""
COMMENT = "comment"
"""`#` to the end of its line."""
BOM = "bom"
"""A byte-order mark at the start of the text."""
ERROR = "error"
"""Text that no terminal of the grammar matches, in a line that could not be read."""

TRIVIA = frozenset({INDENT, WHITESPACE, NEWLINE, COMMENT, BOM})


class Token(NamedTuple):
    """One token: `text == source[start:end]` (offsets into the parsed text, half-open)."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def is_trivia(self) -> bool:
        return self.kind in TRIVIA


def kind_of_terminal(name: str) -> str:
    """The token kind of a grammar terminal (`_AT` → `at`, `LONG_STRING` → `long_string`)."""
    return name.lstrip("_").lower()
