"""Duration literals: `3s`, `250ms`, `1m30s`, `2s500ms`, `1.5s`, `1h2m` → integer milliseconds."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

MAX_TIMESTAMP_MS = 2**53 - 1
"""The latest time a script entry may have: the largest integer that every JSON reader keeps
exactly (JavaScript numbers, as in the official SDK, are doubles). About 285,000 years."""

UNITS_MS: dict[str, int] = {"h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
"""Units in the order a duration must use them (decreasing)."""

_UNIT_ORDER = list(UNITS_MS)
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


class DurationError(ValueError):
    """A malformed duration; `code` is the catalogue code to report (E106 or E108)."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


class Duration(NamedTuple):
    """A resolved duration. It renders in templates as written in the source (`1m30s`)."""

    ms: int
    text: str

    def __str__(self) -> str:
        return self.text


def parse_duration(text: str) -> int:
    """Milliseconds of a duration literal; raises `DurationError` when malformed."""
    position = 0
    total = Decimal(0)
    last_unit = -1
    seen = False
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        unit = match.group(2)
        index = _UNIT_ORDER.index(unit)
        if index <= last_unit:
            raise DurationError(
                "E106",
                f"invalid duration `{text}`: the units must come in the order h, m, s, ms, "
                "each at most once",
                help=f"write it as `{_suggest(text)}`" if _suggest(text) else None,
            )
        last_unit = index
        try:
            total += Decimal(match.group(1)) * UNITS_MS[unit]
        except InvalidOperation:  # pragma: no cover - the regex only admits decimals
            break
        position = match.end()
        seen = True
    if not seen or position != len(text):
        raise DurationError(
            "E106",
            f"invalid duration `{text}`",
            help="a duration is numbers with units h, m, s or ms, e.g. `3s`, `250ms`, `1m30s`",
        )
    if total != total.to_integral_value():
        raise DurationError(
            "E108",
            f"the duration `{text}` is not a whole number of milliseconds "
            f"({total.normalize():f}ms)",
            help="the API counts time in whole milliseconds; round it, e.g. "
            f"`{format_duration(int(total.to_integral_value()))}`",
        )
    return int(total)


def format_duration(ms: int) -> str:
    """The canonical literal of a number of milliseconds: `1m30s`, `250ms`, `0s`."""
    if ms < 0:
        raise ValueError("durations are never negative")
    if ms == 0:
        return "0s"
    parts = []
    for unit, size in UNITS_MS.items():
        amount, ms = divmod(ms, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def _suggest(text: str) -> str | None:
    """The canonical form of a duration whose parts are only out of order (`2s1m` → `1m2s`)."""
    total = Decimal(0)
    position = 0
    for match in _PART.finditer(text):
        if match.start() != position:
            return None
        total += Decimal(match.group(1)) * UNITS_MS[match.group(2)]
        position = match.end()
    if position != len(text) or total != total.to_integral_value():
        return None
    return format_duration(int(total))
