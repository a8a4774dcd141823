"""The formatter (odyssey_dsl.fmt): the canonical style, line by line, and its API."""

from __future__ import annotations

import pytest

import odyssey_dsl
from odyssey_dsl.fmt import FormatError, FormatSettings, TextEdit, format_range, format_source


def fmt(text: str, **settings: object) -> str:
    return format_source(text, options=FormatSettings(**settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # spacing in statements and headers
        ("let   x=1\n", "let x = 1\n"),
        ('at 3s:start  "a"\n', 'at 3s: start "a"\n'),
        ('at 0s: start "a"\nafter   2s :  end\n', 'at 0s: start "a"\nafter 2s: end\n'),
        ("at 3s  repeat 4 every 2s :\n  end\n", "at 3s repeat 4 every 2s:\n    end\n"),
        ("portrait :true\n", "portrait: true\n"),
        ('script "a" :\n  at 0s: end\n', 'script "a":\n    at 0s: end\n'),
        ('at 0s: start "a"  with   image "b.png"\n', 'at 0s: start "a" with image "b.png"\n'),
        # lists on one line
        ("let x = [ 1 ,2,  3 ]\n", "let x = [1, 2, 3]\n"),
        ("let x = [1, 2,]\n", "let x = [1, 2]\n"),
        ("let x = [ [1 ,2], [ ] ]\n", "let x = [[1, 2], []]\n"),
        ("let x = [\n\n]\n", "let x = []\n"),
        ("let x = [  # why\n\n]\n", "let x = [  # why\n]\n"),
        # numbers and durations, each in its unit
        ("let x = 03\n", "let x = 3\n"),
        ("let x = 1.50\n", "let x = 1.5\n"),
        ("let x = 1.00\n", "let x = 1.0\n"),
        ("let x = -007\n", "let x = -7\n"),
        ("at 1.50s: end\n", "at 1.5s: end\n"),
        ("at 03s: end\n", "at 3s: end\n"),
        ("at 1.0s: end\n", "at 1s: end\n"),
        ("at 3000ms: end\n", "at 3000ms: end\n"),
        ("at 01m030s: end\n", "at 1m30s: end\n"),
        ("repeat 02 every 1.50s:\n  end\n", "repeat 2 every 1.5s:\n    end\n"),
        # a duration that a template could print keeps its text
        ("let d = 1.50s\n", "let d = 1.50s\n"),
        ("let d = [03s]\n", "let d = [03s]\n"),
        # blank lines and trailing whitespace
        ("let x = 1   \n", "let x = 1\n"),
        ("\n\nlet x = 1\n", "let x = 1\n"),
        ("let x = 1\n\n\n\nlet y = 2\n", "let x = 1\n\nlet y = 2\n"),
        ("let x = 1\n\n\n", "let x = 1\n"),
        ("let x = 1", "let x = 1\n"),
        ("repeat 2 every 1s:\n\n  end\n", "repeat 2 every 1s:\n    end\n"),
        ("", ""),
        ("\n\n", ""),
        # comments
        ("let x = 1 # one\n", "let x = 1  # one\n"),
        ("let x = 1      # one   \n", "let x = 1  # one\n"),
        ("#a\n  # b\nlet x = 1\n", "#a\n# b\nlet x = 1\n"),
        (
            "repeat 2 every 1s:\n# in the body\n  end\n# after\n",
            "repeat 2 every 1s:\n    # in the body\n    end\n# after\n",
        ),
        # line endings and the byte-order mark
        ("let x=1\r\nlet y=2\r\n", "let x = 1\r\nlet y = 2\r\n"),
        ("\ufefflet x=1\n", "\ufefflet x = 1\n"),
    ],
)
def test_the_canonical_style(before: str, after: str) -> None:
    assert fmt(before) == after
    assert fmt(after) == after


def test_indent_width_and_line_ending_settings() -> None:
    text = "repeat 2 every 1s:\n    repeat 2 every 1s:\n        end\n"
    assert fmt(text, indent_width=2) == "repeat 2 every 1s:\n  repeat 2 every 1s:\n    end\n"
    assert fmt(text, line_ending="crlf") == text.replace("\n", "\r\n")
    assert fmt(text.replace("\n", "\r\n"), line_ending="lf") == text


def test_a_list_spread_over_lines_keeps_one_item_per_line_and_its_comments() -> None:
    text = (
        "let shots = [  # the shots\n"
        '  "a",   # first\n'
        '  "b"\n'
        "  ,\n\n"
        "  # before c\n"
        '  "c", [1,\n   2]]\n'
        "after 1s for x in [\n"
        " 1,\n"
        "] every 2s:   # loop\n"
        "  end\n"
    )
    assert fmt(text) == (
        "let shots = [  # the shots\n"
        '    "a",  # first\n'
        '    "b",\n'
        "\n"
        "    # before c\n"
        '    "c",\n'
        "    [\n"
        "        1,\n"
        "        2,\n"
        "    ],\n"
        "]\n"
        "after 1s for x in [\n"
        "    1,\n"
        "] every 2s:  # loop\n"
        "    end\n"
    )


def test_a_triple_quoted_prompt_moves_as_a_whole() -> None:
    text = (
        'script "a":\n'
        '  at 0s: start """   \n'
        "          First line,\n"
        "            indented more.\n"
        "       \n"
        "          Second paragraph.\n"
        '          """ with image "x.png"\n'
    )
    assert fmt(text) == (
        'script "a":\n'
        '    at 0s: start """\n'
        "        First line,\n"
        "          indented more.\n"
        "\n"
        "        Second paragraph.\n"
        '        """ with image "x.png"\n'
    )


def test_fmt_off_regions_are_copied_as_they_are() -> None:
    text = "let a=1\n# odyc: fmt: off\nlet   b=[1,2]   \n\n\n\n# odyc: fmt: on\nlet c=3\n"
    assert fmt(text) == text.replace("let a=1", "let a = 1").replace("let c=3", "let c = 3")


def test_a_prompt_is_left_as_written() -> None:
    text = "at 0s: start 'x'\n".replace("'", '"') + 'after 1s: interact "  a \\u{41}\\"  "\n'
    assert fmt(text) == text


def test_syntax_errors_are_a_format_error_with_their_diagnostics() -> None:
    with pytest.raises(FormatError) as raised:
        format_source("let x = \nat 3: end\n")
    codes = [d.code.code for d in raised.value.diagnostics]
    assert codes == ["E100", "E107"]
    with pytest.raises(FormatError):
        format_range("let x = \n", 0, 1)


def test_the_package_exports_format_source_lazily() -> None:
    assert odyssey_dsl.format_source is format_source
    assert odyssey_dsl.format_source("let x=1\n") == "let x = 1\n"


TEXT = 'let a=1\nrepeat 2 every 1s:\n  interact "x"\n  after 1s:  end\nat 0s:start "y"\n'


def test_format_range_formats_the_touched_statement() -> None:
    assert format_range(TEXT, 0, 2) == TextEdit(0, 8, "let a = 1\n")
    end = TEXT.index("at 0s")
    assert format_range(TEXT, end, end) == TextEdit(end, len(TEXT), 'at 0s: start "y"\n')


def test_format_range_in_a_block_formats_the_whole_top_level_block() -> None:
    inside = TEXT.index("after")
    edit = format_range(TEXT, inside, inside + 3)
    assert edit == TextEdit(
        8, TEXT.index("at 0s"), 'repeat 2 every 1s:\n    interact "x"\n    after 1s: end\n'
    )


def test_format_range_gives_what_format_source_gives_those_lines() -> None:
    whole = format_source(TEXT)
    edits = [format_range(TEXT, i, i + 1) for i in range(len(TEXT))]
    for edit in edits:
        assert edit is not None
        assert edit.new_text in whole
    assert format_range(whole, 0, len(whole)) is None


def test_a_fmt_off_region_in_a_block_moves_with_the_block() -> None:
    text = (
        "repeat 2 every 1s:\n"
        '  at 0s: start "a"\n'
        "  # odyc: fmt: off\n"
        "  after   1s:  end\n"
        "  after 1s for x in [1,\n"
        "     2] every 1s:\n"
        "      end\n"
        "  # odyc: fmt: on\n"
        "  after 1s:  end\n"
    )
    assert fmt(text) == (
        "repeat 2 every 1s:\n"
        '    at 0s: start "a"\n'
        "    # odyc: fmt: off\n"
        "    after   1s:  end\n"
        "    after 1s for x in [1,\n"
        "       2] every 1s:\n"
        "        end\n"
        "    # odyc: fmt: on\n"
        "    after 1s: end\n"
    )
    assert fmt(fmt(text), indent_width=2) == text.replace("  after 1s:  end\n", "  after 1s: end\n")


@pytest.mark.parametrize(
    ("formatted", "reason"),
    [
        ('at 0s: start "b"\nat 1s: end\n', "would not mean the same"),
        ('at 0s: start "a"\nat 1s: end  # new\n', "would not keep every comment"),
        ('at 0s: start "a"\nat 1s:   end\n', "would change it"),
        ('at 0s: start "a"\nat 1s end\n', "would not parse"),
        ('at 0s: start "a"\nat 2s: end\n', "would not mean the same"),
    ],
)
def test_safe_mode_refuses_a_result_that_fails_a_check(formatted: str, reason: str) -> None:
    from odyssey_dsl.fmt import UnsafeFormat
    from odyssey_dsl.fmt.safety import check_formatted
    from odyssey_dsl.syntax import parse

    original = parse('at 0s: start "a"\nat 1s: end\n', "scene.ody")
    with pytest.raises(UnsafeFormat) as raised:
        check_formatted(original, formatted, FormatSettings())
    assert reason in str(raised.value)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code.code == "E999" and diagnostic.file == "scene.ody"


def test_safe_mode_compares_the_compiled_json() -> None:
    from odyssey_dsl.fmt import UnsafeFormat
    from odyssey_dsl.fmt.safety import _check_compiled

    original = 'let d = 1s\nat 0s: start "a"\nafter d: end\n'
    _check_compiled(original, original.replace("let d = 1s", "let d = 1000ms"), "x", None, None)
    with pytest.raises(UnsafeFormat, match="would not compile to the same job"):
        _check_compiled(original, original.replace("1s", "2s"), "x", None, None)


def test_the_examples_of_the_formatting_docs_are_formatted() -> None:
    """Each scene block of docs/formatting.md (the unlabelled ones) is in the style it shows."""
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "formatting.md").read_text()
    blocks = re.findall(r"```\n(.*?)```", docs, re.DOTALL)
    assert len(blocks) >= 4
    for block in blocks:
        assert format_source(block) == block


def test_a_suppression_comment_stays_on_the_line_of_what_it_silences() -> None:
    from odyssey_dsl import compile_source

    kept = (  # formatted already: the items of the suppression's line stay together
        "let b = [\n"
        "    1, 2,  # odyc: ignore[W101] the line keeps its items\n"
        "    3,  # a plain comment\n"
        "]\n"
        'at 0s: start "{{ b }}"\n'
        "at 1s: end\n"
    )
    text = (
        "let a = [1, 2,  # odyc: ignore[W101]\n    3]\nlet c = [\n\n]  # odyc: ignore[W101]\n"
        + kept
    )
    formatted = fmt(text)
    assert formatted == (
        "let a = [  # odyc: ignore[W101]\n    1,\n    2,\n    3,\n]\n"
        "let c = [\n]  # odyc: ignore[W101]\n" + kept  # not joined: `c` stays reported
    )
    assert fmt(formatted) == formatted
    for scene in (text, formatted):
        codes = [d.code.code for d in compile_source(scene).diagnostics]
        assert sorted(codes) == ["W101", "W106", "W106"]


def test_a_fmt_off_region_that_runs_out_of_its_block_keeps_each_statement_in_its_block() -> None:
    region = (
        '# odyc: fmt: off\n{0}interact   "z {{{{ loop.index }}}}"\n{0}# aligned\nat   9s:   end\n'
    )
    text = 'at 0s: start "a"\nrepeat 2 every 1s:\n  ' + region.format("  ")
    formatted = fmt(text)
    assert formatted == 'at 0s: start "a"\nrepeat 2 every 1s:\n    ' + region.format("    ")
    assert fmt(formatted) == formatted


def test_a_statement_holding_fmt_off_in_its_list_is_left_as_written() -> None:
    listed = "let a = [\n  # odyc: fmt: off\n  1,   2,\n  # odyc: fmt: on\n  3]\n"
    text = listed + 'at 0s:  start "{{ a }}"\n'
    assert fmt(text) == listed + 'at 0s: start "{{ a }}"\n'


def test_format_range_at_the_start_of_a_text_with_a_byte_order_mark_formats_its_first_line() -> (
    None
):
    text = '\ufeffat 0s:  start "a"\nat 1s:  end\n'
    first = TextEdit(0, text.index("at 1s"), '\ufeffat 0s: start "a"\n')
    assert [format_range(text, 0, end) for end in (0, 1, 2)] == [first] * 3


def test_fmt_off_regions_apart_only_by_a_blank_line_settle_in_one_pass() -> None:
    # The blank line after the loop's header goes, so the regions it parted are one.
    text = (
        '# odyc: fmt: off\nscript "s":\n at 0s: start """\n     """ # odyc: fmt: off\n'
        "# odyc: fmt: on\n at 0s repeat 1 every 1s: # odyc: fmt: off\n\n# odyc: fmt: off\n"
        '  at 0s repeat 1 every 1s: # odyc: ignore[W101]\n   at 0s: interact "b"\n'
        "# odyc: fmt: on\n at 3s: end\n"
    )
    formatted = fmt(text)
    assert fmt(formatted) == formatted
