"""Duration literals → milliseconds, and back."""

from __future__ import annotations

import pytest
from hypothesis import given
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
