"""Duration literals: `3s`, `250ms`, `1m30s`, `2s500ms`, `1.5s`, `1h2m` → integer milliseconds."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from odyssey_dsl.syntax.literals import MAX_NUMBER_DIGITS

MAX_TIMESTAMP_MS = 2**53 - 1
"""The latest time a script entry may have: the largest integer that every JSON reader keeps
exactly (JavaScript numbers, as in the official SDK, are doubles). About 285,000 years."""

UNITS_MS: dict[str, int] = {"h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
"""Units in the order a duration must use them (decreasing)."""

_PART = re.compile(r"(\d+)(?:\.(\d+))?(ms|h|m|s)")
_UNIT_INDEX = {unit: index for index, unit in enumerate(UNITS_MS)}


class DurationError(ValueError):
    """A malformed duration; `code` is the catalogue code to report (E106, E108 or E111)."""

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
    """Milliseconds of a duration literal; raises `DurationError` when malformed.

    Exact integer arithmetic: a fraction is whole milliseconds only when it has at most 7
    digits after its trailing zeros are dropped (every unit's size divides 2^7 * 5^5).
    """
    simple = _simple(text)
    if simple is not None:
        return simple
    position = 0
    total = 0
    whole_ms = True
    too_long = False
    last_unit = -1
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        whole, fraction, unit = match.groups()
        index = _UNIT_INDEX[unit]
        if index <= last_unit:
            raise DurationError(
                "E106",
                f"invalid duration `{text}`: the units must come in the order h, m, s, ms, "
                "each at most once",
                help=f"write it as `{_suggest(text)}`" if _suggest(text) else None,
            )
        last_unit = index
        position = match.end()
        if len(whole) > MAX_NUMBER_DIGITS:
            too_long = True
            continue
        size = UNITS_MS[unit]
        total += int(whole) * size
        if fraction is not None:
            digits = _ascii_digits(fraction).rstrip("0")
            if len(digits) > 7:
                whole_ms = False
            elif digits:
                part, rest = divmod(int(digits) * size, 10 ** len(digits))
                total += part
                whole_ms = whole_ms and not rest
    if position == 0 or position != len(text):
        raise DurationError("E106", f"invalid duration `{text}`", help=_malformed_help(text))
    if too_long:
        raise DurationError(
            "E111",
            f"the duration `{_shorten(text)}` is too large",
            help=f"a number in a scene has at most {MAX_NUMBER_DIGITS} digits before its "
            "decimal point; no time needs more",
        )
    if not whole_ms:
        exact = _decimal_total(text)
        # Decimal keeps 28 digits: a longer duration's value would be shown rounded.
        value = f" ({exact.normalize():f}ms)" if len(text) <= _SHOWN_CHARS else ""
        raise DurationError(
            "E108",
            f"the duration `{_shorten(text)}` is not a whole number of milliseconds{value}",
            help="the API counts time in whole milliseconds; round it, e.g. "
            f"`{format_duration(int(exact.to_integral_value()))}`",
        )
    return total


def _simple(text: str) -> int | None:
    """The milliseconds of a duration of one whole number and one unit (`40500ms`, `3s`), the
    commonest form, read without a regular expression; None for any other form."""
    if text.endswith("ms"):
        digits, size = text[:-2], 1
    else:
        size = UNITS_MS.get(text[-1:], 0)
        digits = text[:-1]
        if not size:
            return None
    if digits.isdecimal() and len(digits) <= MAX_NUMBER_DIGITS:
        return int(digits) * size
    return None


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
    position = 0
    for match in _PART.finditer(text):
        if match.start() != position or len(match.group(1)) > MAX_NUMBER_DIGITS:
            return None
        position = match.end()
    total = _decimal_total(text)
    if position != len(text) or total != total.to_integral_value():
        return None
    return format_duration(int(total))


_WORD_UNIT = re.compile(r"(\d+(?:\.\d+)?)([A-Za-z]+)")
_UNIT_WORDS = {
    "ms": ("ms", "msec", "msecs", "millisecond", "milliseconds", "millis"),
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
}
UNIT_OF_WORD = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
"""Ways people write a time unit, and the unit Ody writes for it."""


def _malformed_help(text: str) -> str:
    spelled = _WORD_UNIT.fullmatch(text)
    if spelled and spelled.group(2).lower() in UNIT_OF_WORD:
        return f"write it as `{spelled.group(1)}{UNIT_OF_WORD[spelled.group(2).lower()]}`"
    return "a duration is numbers with units h, m, s or ms, e.g. `3s`, `250ms`, `1m30s`"


def _decimal_total(text: str) -> Decimal:
    """The value of well-formed parts in milliseconds, as messages show it."""
    total = Decimal(0)
    for match in _PART.finditer(text):
        whole, fraction, unit = match.groups()
        number = whole if fraction is None else f"{whole}.{fraction}"
        total += Decimal(number) * UNITS_MS[unit]
    return total


def _ascii_digits(digits: str) -> str:
    """`digits` with any Unicode decimal digits (`٣`) written as ASCII ones."""
    if digits.isascii():
        return digits
    return "".join(str(unicodedata.decimal(char)) for char in digits)


_SHOWN_CHARS = 24


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[:12] + "…" + text[-8:]
