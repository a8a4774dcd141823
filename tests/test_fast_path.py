"""The fast path agrees with Lark: differential tests on lines built from the grammar's tokens.

`read_line(text, fast=True)` takes common statements without Lark; `fast=False` parses every
statement with Lark. Both must give the same whole result: tokens, statement (spans
included), diagnostics, error node and the name of a broken `let`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odyssey_dsl.syntax import fast_path, parse
from odyssey_dsl.syntax.grammar import keyword_terminals
from odyssey_dsl.syntax.line import read_line

DIFF_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

KEYWORDS = tuple(sorted(keyword_terminals()))
NEAR_KEYWORDS = ("atx", "ending", "a", "interacts", "Start", "END", "afterwards", "lett", "ats")
DURATIONS = (
    "3s", "250ms", "1m30s", "2s500ms", "1h2m", "0s", "1.5s", "0.25m",
    "2s1m", "1.0005s", "0.0001s", "3sec", "1.5ms", "10ms0", "1s1s", "\u0663s", "1\u0660s",
    "9" * 35 + "s", "1." + "0" * 40 + "1s",
)  # fmt: skip
NUMBERS = ("3", "-1", "1.5", "0", "\u0663", "007", "-0.5", "9" * 35, "1.")
NAMES = ("x", "v_1", "_a", "loop", "beat", "Mist", "x1y")
STRINGS = (
    '"a"', '""', '"{{ x }}"', '"a \\"q\\" b"', '"\\q"', '"\\u{1F408}"', '"\\u{110000}"',
    '"tab\\tx"', '"# not a comment"', '"', '"unclosed', '"a"b"', '"\\"', '"\u00e9\U0001f408"',
    '"""long"""', '"""\n  folded\n\n  text\n"""', '"""', '""""""', '"""a""""',
)  # fmt: skip
PUNCTUATION = (":", "=", ",", "[", "]", "(", ")", "*", "{", "#")
BLANKS = (" ", " ", " ", "", "  ", "\t", "\f", "\r", "\v", "\u00a0")

TOKENS = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(NEAR_KEYWORDS),
    st.sampled_from(DURATIONS),
    st.sampled_from(NUMBERS),
    st.sampled_from(NAMES),
    st.sampled_from(STRINGS),
    st.sampled_from(PUNCTUATION),
)


@st.composite
def token_lines(draw: st.DrawFn) -> str:
    """Any sequence of the grammar's tokens and near misses, with blanks between."""
    words = draw(st.lists(TOKENS, min_size=1, max_size=10))
    parts = []
    for word in words:
        parts.append(word)
        parts.append(draw(st.sampled_from(BLANKS)))
    indent = draw(st.sampled_from(("", "  ", "    ", "\t", "\u00a0 ")))
    return indent + "".join(parts).rstrip("\n")


def one_of_each(*choices: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(c) for c in choices)).map(" ".join)


TIMES = DURATIONS + NAMES + NUMBERS[:3]
LISTS = (
    "[1, 2]", "[]", "[ ]", '["a", 3s, true, x]', "[1,]", "[1 2]", "[[1]]", "[1,,2]",
    '["a",\n  "b"]', "[trueish, falsey]", '["""a"""]', "[-1, 1.5, \u0663s]", "[", "]",
)  # fmt: skip
VALUES = DURATIONS + NUMBERS + NAMES + STRINGS + LISTS + ("true", "false", "at")
SHAPED = st.one_of(
    one_of_each(("at", "after", "atx"), TIMES, (":", ": ", " :"), ("end", "ending", "end()")),
    one_of_each(("at", "after"), TIMES, (":",), ("interact", "start"), STRINGS),
    one_of_each(("at",), TIMES, (":",), ("start",), STRINGS, ("with",), ("image",), STRINGS),
    one_of_each(("interact", "start", "end"), STRINGS),
    one_of_each(("let",), NAMES + KEYWORDS, ("=", "=="), VALUES),
    one_of_each(("", "at 1s", "after x"), ("repeat",), NUMBERS + NAMES, ("every",), TIMES, (":", "")),
    one_of_each(("", "at 2s"), ("for",), NAMES, ("in",), NAMES + LISTS, ("every",), TIMES, (":",)),
    one_of_each(("portrait",), (":", ""), ("true", "false", "yes")),
    one_of_each(("script",), STRINGS, (":",)),
)  # fmt: skip


def whole_result(text: str, fast: bool) -> tuple[object, ...]:
    """Everything a line's reading gives: tokens, statements placed at a few places in a
    file (spans included), diagnostics, error node, the name of a broken `let`, layout."""
    line = read_line(text, fast)
    placed = [line.placed(lines, offset) for lines, offset in ((0, 0), (4, 120), (99, 5000))]
    return (
        line.tokens(text),
        placed,
        line.diagnostics,
        line.broken,
        line.broken_name,
        line.indent,
        line.odd_indent,
        line.comments,
        line.content,
    )


def assert_paths_agree(text: str) -> None:
    assert whole_result(text, True) == whole_result(text, False), text


@DIFF_SETTINGS
@given(text=SHAPED)
def test_common_shapes_agree_with_lark(text: str) -> None:
    assert_paths_agree(text)


@DIFF_SETTINGS
@given(text=token_lines())
def test_token_soup_agrees_with_lark(text: str) -> None:
    assert_paths_agree(text)


@DIFF_SETTINGS
@given(text=SHAPED, blank=st.sampled_from(BLANKS[3:]), where=st.integers(0, 200))
def test_odd_blanks_agree_with_lark(text: str, blank: str, where: int) -> None:
    where = min(where, len(text))
    assert_paths_agree(text[:where] + blank + text[where:])


@pytest.mark.parametrize(
    "text",
    [
        'at 40500ms: interact "Wave {{ n }} hits"  # a comment',
        'after beat: start "a" with image "b.png"',
        "  end",
        'let subject = "cat"',
        "let pause = 1m30s",
        "at 3s repeat 4 every 2s:",
        "for mood in moods every pause:",
        'for mood in ["calm", "windy"] every 1s:',
        'let moods = ["calm", 3s, true, x,]',
        "portrait: false",
        'script "morning":',
    ],
)
def test_common_lines_take_the_fast_path(text: str) -> None:
    assert fast_path.match_line(text) is not None
    assert_paths_agree(text)


def test_the_environment_variable_turns_the_fast_path_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = 'at 0s: start "a"\nat 1s: end\n'
    fast = parse(text)
    fast_tokens = list(fast.tokens())
    fast_statements = [line.statement for line in fast.lines]
    read_line.cache_clear()
    monkeypatch.setenv("ODYC_NO_FAST_PATH", "1")

    def refuse(*args: object) -> None:
        raise AssertionError("the fast path ran with ODYC_NO_FAST_PATH=1")

    monkeypatch.setattr(fast_path, "match_line", refuse)
    assert not fast_path.enabled()
    slow = parse(text)
    assert list(slow.tokens()) == fast_tokens
    assert [line.statement for line in slow.lines] == fast_statements
    assert (slow.scene, slow.diagnostics) == (fast.scene, fast.diagnostics)
