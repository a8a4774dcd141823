"""Duration literals → milliseconds, and back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from odyssey_dsl.syntax.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("0s", 0),
        ("3s", 3000),
        ("1.5s", 1500),
        ("250ms", 250),
        ("1m30s", 90_000),
        ("2s500ms", 2500),
        ("1h2m", 3_720_000),
        ("1h", 3_600_000),
        ("0.25m", 15_000),
    ],
)
def test_parses_documented_forms(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2s1m", "E106"),
        ("1s1s", "E106"),
        ("3sec", "E106"),
        ("3", "E106"),
        ("", "E106"),
        ("0.0001s", "E108"),
        ("1.5ms", "E108"),
    ],
)
def test_rejects_malformed(text: str, code: str) -> None:
    with pytest.raises(DurationError) as raised:
        parse_duration(text)
    assert raised.value.code == code


def test_out_of_order_suggests_the_canonical_form() -> None:
    with pytest.raises(DurationError) as raised:
        parse_duration("2s1m")
    assert raised.value.help is not None and "`1m2s`" in raised.value.help


@given(st.integers(min_value=0, max_value=10**10))
def test_round_trip_ms_text_ms(ms: int) -> None:
    text = format_duration(ms)
    assert parse_duration(text) == ms


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["h", "m", "s", "ms"]))
def test_single_unit_scales(amount: int, unit: str) -> None:
    scale = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}[unit]
    assert parse_duration(f"{amount}{unit}") == amount * scale


def decimal_reference(text: str) -> int | str:
    """The former Decimal reading of a duration: milliseconds, or the error code."""
    position, total, last_unit = 0, Decimal(0), -1
    for match in re.finditer(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text):
        if match.start() != position:
            break
        index = ["h", "m", "s", "ms"].index(match.group(2))
        if index <= last_unit:
            return "E106"
        last_unit = index
        size = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}[match.group(2)]
        total += Decimal(match.group(1)) * size
        position = match.end()
    if position == 0 or position != len(text):
        return "E106"
    if total != total.to_integral_value():
        return "E108"
    return int(total)


DURATION_PARTS = st.tuples(
    st.text(alphabet="0123456789\u0663", min_size=1, max_size=12),
    st.one_of(
        st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=9).map(".{}".format)
    ),
    st.sampled_from(["h", "m", "s", "ms", "sec", ""]),
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(DURATION_PARTS, min_size=1, max_size=4).map("".join))
def test_integer_reading_agrees_with_the_decimal_one(text: str) -> None:
    """Durations are read with integers (fast); the former Decimal reading is the reference
    (where Decimal is exact: at most 28 significant digits, so numbers of at most 15)."""
    assume(all(len(run) <= 15 for run in re.findall(r"\d+", text)))
    expected = decimal_reference(text)
    try:
        got: int | str = parse_duration(text)
    except DurationError as error:
        got = error.code
    assert got == expected, text
