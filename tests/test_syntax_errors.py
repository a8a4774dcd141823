"""Syntax mistakes a new user makes: each is reported once, where it is, in words they know.

Every case asserts the line, column and code, the key words of the message or help, and that
it is the only error of the whole compile (no follow-on errors elsewhere).
"""

from __future__ import annotations

import pytest

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics import Diagnostic
from odyssey_dsl.syntax import parse

INTERNAL_NAMES = ("$END", "<end-of-file>", "END-OF-FILE", "_END", "STRING", "NAME", "LSQB")


def only_error(text: str) -> Diagnostic:
    result = compile_source(text, filename="t.ody")
    errors = result.errors
    assert len(errors) == 1, [(d.code.code, d.span.line, d.message) for d in errors]
    (error,) = errors
    shown = f"{error.message} {error.help or ''}"
    for name in INTERNAL_NAMES:
        assert name not in shown
    return error


def where(error: Diagnostic) -> tuple[str, int, int]:
    return error.code.code, error.span.line, error.span.column


def test_double_quotes_inside_a_template_end_the_string() -> None:
    error = only_error(
        'let name = "cat"\nat 0s: start "a"\n'
        'at 1s: interact "{{ name | replace("a", "b") }}"\nat 2s: end\n'
    )
    assert where(error) == ("E115", 3, 36)
    assert "ends the string" in error.message
    assert error.help is not None and "single quotes" in error.help
    assert "replace('a', 'b')" in error.help


@pytest.mark.parametrize(
    ("line", "column", "suggestion"),
    [
        ("at 3 sec: end", 4, "`3s`"),
        ("after 500 ms: end", 7, "`500ms`"),
        ("at 3 s: end", 4, "`3s`"),
        ("at 2 minutes: end", 4, "`2m`"),
    ],
)
def test_a_space_between_number_and_unit(line: str, column: int, suggestion: str) -> None:
    error = only_error(f'at 0s: start "a"\n{line}\n')
    assert where(error) == ("E107", 2, column)
    assert error.help is not None and suggestion in error.help


def test_a_unit_written_out_gets_the_short_form() -> None:
    error = only_error('at 0s: start "a"\nat 5sec: end\n')
    assert where(error) == ("E106", 2, 4)
    assert error.help is not None and "write it as `5s`" in error.help


@pytest.mark.parametrize(
    ("line", "column"),
    [('at 3s: end "bye"', 12), ("at 3s: end()", 11), ("end()", 4)],
)
def test_end_takes_no_prompt(line: str, column: int) -> None:
    indent = "  " if not line.startswith("at") else ""
    body = f"repeat 1 every 1s:\n{indent}{line}\n" if indent else f"{line}\n"
    error = only_error('at 0s: start "a"\n' + body)
    assert error.code.code == "E100"
    assert (error.span.column - len(indent)) == column
    assert "`end` takes no prompt" in error.message


def test_a_no_break_space_in_the_indentation_is_named() -> None:
    error = only_error('at 0s: start "a"\nrepeat 2 every 1s:\n\u00a0 interact "x"\nat 5s: end\n')
    assert where(error) == ("E113", 3, 1)
    assert "U+00A0" in error.message and "NO-BREAK SPACE" in error.message
    assert error.help is not None and "plain spaces" in error.help


def test_a_tab_is_reported_once_per_line() -> None:
    error = only_error('at 0s: start "a"\nrepeat 2 every 1s:\n\t\t  interact "x"\nat 5s: end\n')
    assert where(error) == ("E103", 3, 1)


def test_an_unclosed_triple_quote_is_one_error() -> None:
    error = only_error(
        'at 0s: start """\n    A long prompt\n    over lines\n\n    and more\nat 5s: end\n'
    )
    assert where(error) == ("E101", 1, 14)
    assert "never closed" in error.message


def test_a_loop_header_without_its_colon_is_one_error() -> None:
    error = only_error(
        'at 0s: start "a"\nrepeat 3 every 1s\n  interact "x"\n  after 1s: interact "y"\nat 9s: end\n'
    )
    assert where(error) == ("E100", 2, 18)
    assert error.help is not None and "`:`" in error.help


def test_an_expression_as_a_value_suggests_a_template() -> None:
    error = only_error(
        'at 0s: start "a"\nrepeat 2 every 1s:\n  let n = loop.index * 10\n'
        '  interact "{{ n }}"\nat 5s: end\n'
    )
    assert where(error) == ("E114", 3, 11)
    assert "literal" in error.message
    assert error.help is not None and '"{{ loop.index * 10 }}"' in error.help


def test_a_name_as_an_image_suggests_a_template() -> None:
    error = only_error('let img = "a.png"\nat 0s: start "a" with image img\nat 1s: end\n')
    assert where(error) == ("E114", 2, 29)
    assert error.help is not None and '"{{ img }}"' in error.help


def test_a_list_may_span_lines() -> None:
    text = (
        "let moods = [  # the moods, in order\n"
        '    "calm",\n'
        "\n"
        '    "windy",  # a comment inside the list\n'
        "]\n"
        'at 0s: start "a"\n'
        "for mood in [\n"
        '    "x", "y",\n'
        "] every 1s:\n"
        "    interact \"{{ mood }} {{ moods | join(', ') }}\"\n"
        "after 1s: end\n"
    )
    result = compile_source(text)
    assert result.ok, [(d.code.code, d.span.line, d.message) for d in result.diagnostics]
    assert result.job is not None and result.job.script is not None
    prompts = [entry.interact.prompt for entry in result.job.script if entry.interact]
    assert prompts == ["x calm, windy", "y calm, windy"]


def test_an_unclosed_list_is_one_error() -> None:
    error = only_error('let xs = [\n    "a",\n    "b",\nat 0s: start "{{ xs }}"\nat 1s: end\n')
    assert error.span.line == 3 and error.code.code == "E100"


@pytest.mark.parametrize(
    "line",
    [
        "at " + "9" * 5000 + 's: start "a"',
        "repeat " + "9" * 5000 + ' every 1s:\n  interact "a"',
        "let big = " + "9" * 5000,
        "let big = " + "9" * 5000 + ".5",
        "at " + "9" * 40 + 'h: start "a"',
        "at 1s" + "9" * 5000 + 'ms: start "a"',
        "at " + "9" * 5000 + ': start "a"',
    ],
)
def test_numbers_too_large_are_one_error(line: str) -> None:
    error = only_error(f"{line}\nat 1s: end\n")
    assert error.code.code == "E111" and error.span.line == 1
    assert "too large" in error.message


def test_deep_nesting_is_one_error() -> None:
    blocks = (
        'at 0s: start "a"\n'
        + "".join(" " * i + "repeat 1 every 1s:\n" for i in range(1000))
        + " " * 1000
        + 'interact "x"\nafter 1s: end\n'
    )
    brackets = "let x = " + "[" * 200 + "]" * 200 + '\nat 0s: start "{{ x }}"\nat 1s: end\n'
    for text, line in ((blocks, 102), (brackets, 1)):
        error = only_error(text)
        assert (error.code.code, error.span.line) == ("E112", line)
        assert "nested too deeply" in error.message
        assert error.help is not None and "bug" not in error.help


def test_a_file_with_carriage_returns_alone_as_line_breaks_is_one_clear_error() -> None:
    # Classic Mac OS line endings: before, `at` after the first CR was "expected `:`".
    text = 'at 0s: start "a"\rrepeat 2 every 1s:\r    interact "b"\rat 9s: end\r'
    tree = parse(text)
    assert [(d.code.code, d.span.line, d.span.column) for d in tree.diagnostics] == [
        ("E118", 1, 17)
    ]
    assert "carriage return alone" in tree.diagnostics[0].message
    assert "LF or CRLF" in (tree.diagnostics[0].help or "")
    assert tree.text == text and "".join(token.text for token in tree.tokens()) == text
    # A CR at the very end, CRLF files and a CR inside a file with LFs are not this error.
    for fine in ('at 0s: start "a"\r', 'at 0s: start "a"\r\nat 1s: end\r\n'):
        assert "E118" not in {d.code.code for d in parse(fine).diagnostics}
