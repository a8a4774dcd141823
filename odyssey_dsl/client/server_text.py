"""Text that came from a server, made safe to show to a human, and free of secrets.

A server (or anything pretending to be one) chooses its job ids, statuses, error messages,
stream ids and URLs. Printed raw, `\\x1b]0;…\\x07` retitles the terminal, `\\x1b[2J` clears it,
a newline forges a line of odyc's own output, and a bidi override reorders what is shown.
`printable` escapes all of these, and `scrub_secrets` removes the API key and bearer token
from anything parsed out of an answer before the rest of odyc sees it.

JSON output needs none of this: `json.dumps` already escapes control characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

REDACTED = "***"

MAX_SHOWN_CHARS = 2000
"""Server text longer than this is cut when shown to a human (`--json` keeps all of it)."""

_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0 controls (ESC, BEL, CR, LF, ...), DEL and the C1 controls (CSI)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (cannot even be encoded for the terminal)
    "]"
)
_UNSAFE_EXCEPT_NEWLINE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, max_chars: int | None = MAX_SHOWN_CHARS) -> str:
    """`text` with every control character escaped (`\\x1b`, `\\u202e`), on one line.

    Text longer than `max_chars` (None: no limit) is cut, saying how much was left out.
    """
    if max_chars is not None and len(text) > max_chars:
        left_out = len(text) - max_chars
        text = f"{text[:max_chars]}… ({left_out} more characters)"
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """`text` with control characters escaped except its line breaks (`\\n`).

    For messages odyc assembled itself over several lines; the server's parts in them
    should already have gone through `printable`, which escapes their line breaks too.
    """
    return _UNSAFE_EXCEPT_NEWLINE.sub(_escape, text)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def scrub_secrets(value: Any, secrets: Sequence[str]) -> Any:
    """`value` (parsed JSON) with each secret replaced by `***` in every string and key."""
    if not any(secrets):
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [scrub_secrets(item, secrets) for item in value]
    if isinstance(value, dict):
        return {
            redact(str(key), secrets): scrub_secrets(item, secrets) for key, item in value.items()
        }
    return value
