"""What the formatter can be told: the `[format]` table of the configuration."""

from __future__ import annotations

from typing import Literal, NamedTuple

LineEnding = Literal["auto", "lf", "crlf"]


class FormatSettings(NamedTuple):
    """`[format]`: what the formatter needs."""

    indent_width: int = 4
    line_ending: LineEnding = "auto"
    """`auto` keeps each file's own line endings (LF or CRLF)."""


def line_break(text: str, line_ending: LineEnding) -> str:
    """The line break the formatted text uses: the configured one, or (`auto`) the text's
    first line break, LF when it has none."""
    if line_ending == "lf":
        return "\n"
    if line_ending == "crlf":
        return "\r\n"
    newline = text.find("\n")
    return "\r\n" if newline > 0 and text[newline - 1] == "\r" else "\n"
