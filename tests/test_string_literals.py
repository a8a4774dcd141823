"""Folding of triple-quoted strings and escapes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from odyssey_dsl.syntax.literals import find_escape_errors, fold, read_literal, unescape


def test_fold_joins_wrapped_lines_and_keeps_paragraphs() -> None:
    content = "\n\n   A cat sits\n     by the window.\n\n\n  It yawns.  \n\n"
    assert fold(content) == "A cat sits by the window.\nIt yawns."


def test_escapes_apply_after_folding() -> None:
    token = '"""\n  first\\n\n  second\\t \\u{1F408} \\"q\\" \\\\\n"""'
    assert read_literal(token) == 'first\n second\t 🐈 "q" \\'


def test_plain_string_keeps_spaces() -> None:
    assert read_literal('"  two  spaces  "') == "  two  spaces  "


def test_invalid_escapes_are_found_with_positions() -> None:
    errors = find_escape_errors(r"ok \q \u{110000} \u")
    assert [(e.offset, e.message) for e in errors] == [
        (3, "unknown escape `\\q`"),
        (6, "`\\u{110000}` is not a valid Unicode character"),
        (17, "unknown escape `\\u`"),
    ]


@given(st.text(alphabet=st.characters(blacklist_characters="\\")))
def test_text_without_backslashes_is_unchanged(text: str) -> None:
    assert unescape(text) == text
    assert find_escape_errors(text) == []


@given(st.lists(st.text(alphabet="abc xyz\t", max_size=8), max_size=8))
def test_fold_keeps_the_words_and_trims_every_line(lines: list[str]) -> None:
    folded = fold("\n".join(lines))
    assert folded.split() == "\n".join(lines).split()
    for line in folded.split("\n") if folded else []:
        assert line == line.strip() and line
