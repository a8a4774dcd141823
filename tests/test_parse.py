"""Stage 1: layout and parsing — the tree, spans, and syntax diagnostics with recovery."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.parser import parse
from odyssey_dsl.syntax.text import SourceFile


def parsed(text: str) -> tuple[tuple[n.Statement, ...], list[tuple[str, int, int]]]:
    result = parse(SourceFile("t.ody", text))
    assert result.scene is not None
    codes = [(d.code.code, d.span.line, d.span.column) for d in result.diagnostics]
    return result.scene.statements, codes


def test_statements_and_spans() -> None:
    statements, codes = parsed('let a = 3s\nat 1m30s: start "x" with image "i.png"\n')
    assert codes == []
    let, action = statements
    assert isinstance(let, n.Let) and isinstance(let.value, n.DurationLit)
    assert let.value.ms == 3000 and (let.name_span.line, let.name_span.column) == (1, 5)
    assert isinstance(action, n.ActionStmt) and isinstance(action.prefix, n.At)
    assert isinstance(action.action, n.Start) and action.action.image is not None
    assert action.action.image.value == "i.png"
    image_span = action.action.image.span
    assert (image_span.line, image_span.column, image_span.end_column) == (2, 32, 39)


def test_blocks_nest_by_indentation() -> None:
    text = (
        'script "a":\n'
        "  repeat 2 every 1s:\n"
        '      interact "x"\n'
        "      for c in [1, 2] every 1s:\n"
        '          interact "{{ c }}"\n'
        "  at 9s: end\n"
    )
    statements, codes = parsed(text)
    assert codes == []
    (script,) = statements
    assert isinstance(script, n.ScriptBlock)
    repeat, end = script.body
    assert isinstance(repeat, n.Repeat) and isinstance(end, n.ActionStmt)
    assert isinstance(repeat.body[1], n.ForLoop)
    assert len(repeat.body[1].body) == 1


def test_loop_header_with_time_prefix() -> None:
    statements, _ = parsed('at 3s repeat 4 every 2s:\n  interact "s"\n')
    (loop,) = statements
    assert isinstance(loop, n.Repeat) and isinstance(loop.prefix, n.At)
    assert isinstance(loop.times, n.NumberLit) and loop.times.value == 4


def test_triple_quoted_string_spans_lines_and_folds() -> None:
    statements, codes = parsed('at 0s: start """\n   A long\n   prompt\n"""  # note\nat 1s: end\n')
    assert codes == []
    first = statements[0]
    assert isinstance(first, n.ActionStmt) and isinstance(first.action, n.Start)
    assert first.action.prompt.value == "A long prompt"
    assert len(statements) == 2


def test_comments_are_kept_aside_and_hash_in_strings_is_text() -> None:
    result = parse(SourceFile("t.ody", 'at 0s: start "a # b"  # real comment\n'))
    assert result.scene is not None
    assert [c.text for c in result.scene.comments] == ["# real comment"]
    statement = result.scene.statements[0]
    assert isinstance(statement, n.ActionStmt) and isinstance(statement.action, n.Start)
    assert statement.action.prompt.value == "a # b"


def test_bom_crlf_and_missing_final_newline() -> None:
    from odyssey_dsl import compile_source

    result = compile_source('\ufeffat 0s: start "a"\r\nat 1s: end')
    assert result.ok


def test_one_bad_line_does_not_hide_the_others() -> None:
    text = 'at 0s: strat "a"\nat 1s interact "b"\nlet = 3\nat 2s: end\n'
    _, codes = parsed(text)
    assert codes == [("E105", 1, 8), ("E100", 2, 7), ("E100", 3, 5)]


def test_misspelled_statement_keyword_gets_did_you_mean() -> None:
    result = parse(SourceFile("t.ody", 'reapeat 3 every 1s:\n  interact "x"\n'))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code.code == "E105" and diagnostic.help == "did you mean `repeat`?"


def test_body_of_a_broken_header_is_not_reported_as_indented() -> None:
    _, codes = parsed('at 0s: start "a"\nrepaet 3 every 1s:\n  interact "x"\nat 9s: end\n')
    assert [code for code, *_ in codes] == ["E105"]


def test_expected_words_are_human() -> None:
    result = parse(SourceFile("t.ody", "at : end\n"))
    (diagnostic,) = result.diagnostics
    assert "a duration such as `3s`" in diagnostic.message
    assert "after `at`" in diagnostic.message
    assert "DURATION" not in diagnostic.message


def test_unterminated_and_tab_and_indentation() -> None:
    text = 'at 0s: start "a\nrepeat 2 every 1s:\n\tinteract "x"\n   at 9s: end\n'
    _, codes = parsed(text)
    assert ("E101", 1, 14) in codes
    assert ("E103", 3, 1) in codes


def test_dedent_to_unknown_level() -> None:
    _, codes = parsed('repeat 2 every 1s:\n    interact "x"\n  interact "y"\n')
    assert codes == [("E104", 3, 3)]


def test_header_without_body() -> None:
    _, codes = parsed("repeat 2 every 1s:\n")
    assert codes == [("E110", 1, 1)]


def test_bytes_that_are_not_utf8_point_at_the_bad_character() -> None:
    from odyssey_dsl.compiler import compile_bytes

    data = 'at 0s: start "é'.encode() + b"\xff" + b'"\nat 1s: end\n'
    result = compile_bytes(data, filename="bad.ody")
    (found,) = result.diagnostics
    assert found.code.code == "E109" and result.job is None
    # é is two bytes but one character: the column counts characters.
    assert (found.span.line, found.span.column) == (1, 16)
    assert "0xff" in found.message


def test_a_tab_is_reported_once_and_its_line_still_read() -> None:
    from odyssey_dsl import compile_source

    result = compile_source('at 0s: start "a"\n\tat 2s: end\n')
    assert [(d.code.code, d.span.line, d.span.column) for d in result.diagnostics] == [
        ("E103", 2, 1)
    ]


WHITESPACE = st.text(alphabet=" \t\f\v\u00a0\u2003\u3000", max_size=8)


@settings(max_examples=60, deadline=None)
@given(blanks=WHITESPACE, fast=st.booleans())
def test_a_line_of_blanks_only_is_never_an_error(blanks: str, fast: bool) -> None:
    # It indents nothing, whatever blanks it holds, inside a block or between blocks.
    from odyssey_dsl.syntax.line import read_line

    text = f'at 0s: start "a"\n{blanks}\nrepeat 2 every 1s:\n{blanks}\n    interact "x"\n'
    assert parsed(text)[1] == []
    assert read_line(blanks, fast).diagnostics == ()


def test_a_tab_before_a_comment_is_still_reported() -> None:
    assert parsed('at 0s: start "a"\n\t# a note\n')[1] == [("E103", 2, 1)]
