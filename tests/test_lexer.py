"""The best-effort lexer of a line that could not be parsed (`syntax/lexer.py`).

It skips a run of text that no terminal matches in one scan; a differential test checks it
against the plain reading (each position takes the first terminal that matches there, one
character at a time otherwise), on text full of such runs.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.syntax.lexer import _lexer, best_effort_tokens
from odyssey_dsl.syntax.statements import SignificantToken
from odyssey_dsl.syntax.tokens import ERROR, WHITESPACE


def one_character_at_a_time(source: str, start: int, end: int) -> tuple[SignificantToken, ...]:
    """Each position takes the first terminal matching there, or is one error character;
    neighbouring error characters are then joined."""
    pattern, kinds, _ = _lexer()
    read: list[SignificantToken] = []
    position = start
    while position < end:
        match = pattern.match(source, position, end)
        width = 0 if match is None else match.end() - position
        kind = ERROR if match is None or not width else kinds[match.lastgroup or ""]
        read.append(SignificantToken(kind, position, position + max(width, 1)))
        position += max(width, 1)
    joined: list[SignificantToken] = []
    for token in read:
        if token.kind == WHITESPACE:
            continue
        if joined and token.kind == ERROR == joined[-1].kind and joined[-1].end == token.start:
            token = SignificantToken(ERROR, joined.pop().start, token.end)
        joined.append(token)
    return tuple(joined)


PIECES = st.sampled_from(
    [
        *("\0", "\0\0\0", "-", "--", "-1", "é", "٣", "€", "\t", " ", "\n", '"', '"a"', '"""x"""'),
        *("a", "at", "atx", "let", "3s", "3.5", "[", "]", ",", ":", "=", "{", "}", "!", "_", "\\"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join), st.integers(0, 3))
def test_skipping_runs_gives_the_tokens_of_the_plain_reading(text: str, cut: int) -> None:
    start = min(cut, len(text))
    assert best_effort_tokens(text, start, len(text)) == one_character_at_a_time(
        text, start, len(text)
    )


def test_a_megabyte_of_nul_bytes_is_one_error_token() -> None:
    text = "let " + "\0" * 1_000_000 + " x"
    assert best_effort_tokens(text, 0, len(text)) == (
        SignificantToken("let", 0, 3),
        SignificantToken(ERROR, 4, 1_000_004),
        SignificantToken("name", 1_000_005, 1_000_006),
    )
