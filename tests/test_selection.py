"""The rule selection (`select` / `ignore`) that the compiler applies to warnings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics import CATALOGUE, Severity
from odyssey_dsl.diagnostics.selection import RuleSelection, rule_entry_problem

WARNINGS = sorted(c for c, e in CATALOGUE.items() if e.severity is Severity.WARNING)
ERRORS = sorted(c for c, e in CATALOGUE.items() if e.severity is Severity.ERROR)

# W101 (line 1), W102 (line 4: 50ms after line 3) and W103 (line 4 repeats line 3's prompt).
THREE_WARNINGS = (
    'let unused = 1\nat 0s: start "a"\nat 1s: interact "b"\nat 1050ms: interact "b"\nat 3s: end\n'
)


def codes(selection: RuleSelection) -> list[str]:
    result = compile_source(THREE_WARNINGS, filename="s.ody", rules=selection)
    assert result.job is not None
    return [d.code.code for d in result.diagnostics]


def test_the_default_reports_every_warning() -> None:
    assert codes(RuleSelection()) == ["W101", "W102", "W103"]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (RuleSelection(ignore=("W103",)), ["W101", "W102"]),
        (RuleSelection(ignore=("W10",)), []),
        (RuleSelection(select=("W101", "W103")), ["W101", "W103"]),
        (RuleSelection(select=("W",), ignore=("W1",)), []),
        # the more specific entry wins: W102 is selected by its full code over `ignore = W1`
        (RuleSelection(select=("W102",), ignore=("W1",)), ["W102"]),
        # ... and a specific ignore beats a general select
        (RuleSelection(select=("W1",), ignore=("W102",)), ["W101", "W103"]),
        # on a tie, ignore wins
        (RuleSelection(select=("W101",), ignore=("W101",)), []),
    ],
)
def test_select_and_ignore(selection: RuleSelection, expected: list[str]) -> None:
    assert codes(selection) == expected


def test_errors_are_reported_whatever_the_selection() -> None:
    result = compile_source('at 0s: start "a"\n', rules=RuleSelection(select=("W101",)))
    assert [d.code.code for d in result.diagnostics] == ["E505"]
    assert RuleSelection(select=(), ignore=("W",)).enables("E505")


@settings(max_examples=60, deadline=None)
@given(
    select=st.lists(st.sampled_from(["W", "W1", "W10", *WARNINGS]), max_size=3),
    ignore=st.lists(st.sampled_from(["W", "W1", "W10", *WARNINGS]), max_size=3),
)
def test_enables_follows_the_longest_matching_entry(select: list[str], ignore: list[str]) -> None:
    selection = RuleSelection(tuple(select), tuple(ignore))
    for code in WARNINGS:
        best_select = max((len(s) for s in select if code.startswith(s)), default=0)
        best_ignore = max((len(i) for i in ignore if code.startswith(i)), default=0)
        assert selection.enables(code) == (best_select > best_ignore)
    assert all(selection.enables(code) for code in ERRORS)


def test_which_entries_are_allowed() -> None:
    assert rule_entry_problem("W103") is None
    assert rule_entry_problem("W1") is None
    assert rule_entry_problem("W") is None
    refused = rule_entry_problem("E501")
    assert refused is not None and "error" in refused and "rejected by the API" in refused
    assert "error" in (rule_entry_problem("E") or "")
    assert "no warning code starts with 'W9'" in (rule_entry_problem("W9") or "")
    assert rule_entry_problem("") is not None


def test_werror_promotes_only_the_reported_warnings() -> None:
    kept = compile_source(THREE_WARNINGS, werror=True, rules=RuleSelection(select=("W103",)))
    assert [(d.code.code, d.severity) for d in kept.diagnostics] == [("W103", Severity.ERROR)]
    assert kept.job is None
    none_left = compile_source(THREE_WARNINGS, werror=True, rules=RuleSelection(ignore=("W",)))
    assert none_left.diagnostics == [] and none_left.job is not None
