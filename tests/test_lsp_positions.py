"""The server's edge: LSP line breaks and the three position encodings (pure functions, no
server), and `odyc lsp` as a command."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.lsp.positions import ENCODINGS, LineIndex, Position, apply_change, units

PIECES = ["a", " ", "\n", "\r", "\r\n", "é", "🦊", "中", "e\u0301", "\f", "\u2028"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
"""Texts of every kind of line break (and of the characters that are not one), with
characters of 1 to 4 UTF-8 bytes, a surrogate pair in UTF-16 and a combining mark."""


def test_only_lf_crlf_and_cr_break_lines() -> None:
    index = LineIndex("a\nb\r\nc\rd\fe\u2028f\x0bg")
    assert index.starts == [0, 2, 5, 7]
    assert index.line_text(3) == "d\fe\u2028f\x0bg"
    assert index.position(len(index.text), "utf-16") == Position(3, 7)


def test_units_in_each_encoding() -> None:
    assert [units("a🦊é中", e) for e in ENCODINGS] == [1 + 4 + 2 + 3, 1 + 2 + 1 + 1, 4]


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_offsets_and_positions_round_trip_in_every_encoding(text: str, data: st.DataObject) -> None:
    index = LineIndex(text)
    offset = data.draw(st.integers(0, len(text)))
    for encoding in ENCODINGS:
        position = index.position(offset, encoding)
        line_start = index.starts[position.line]
        # an offset inside a \r\n is the end of its line
        expected = min(offset, index.ends[position.line])
        assert index.offset(position.line, position.character, encoding) == expected
        assert position.character == units(text[line_start:expected], encoding)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_a_change_replaces_exactly_its_range(text: str, data: st.DataObject) -> None:
    index = LineIndex(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    start, end = (
        min(start, index.ends[index.line_of(start)]),
        min(end, index.ends[index.line_of(end)]),
    )
    new = data.draw(st.sampled_from(["", "x", "🦊\r\n"]))
    for encoding in ENCODINGS:
        changed = apply_change(
            text,
            index,
            index.position(start, encoding),
            index.position(end, encoding),
            new,
            encoding,
        )
        assert changed == text[:start] + new + text[end:]
    assert apply_change(text, index, None, None, new, "utf-16") == new


def test_a_position_inside_a_surrogate_pair_or_past_the_line_moves_forward() -> None:
    index = LineIndex("🦊x\nabc")
    assert index.offset(0, 1, "utf-16") == 1  # inside the pair: after the fox
    assert index.offset(0, 99, "utf-16") == 2  # past the line: its end, not the next line
    assert index.offset(9, 0, "utf-16") == len(index.text)


def odyc(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"{prelude}import sys\nfrom odyssey_dsl.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_odyc_lsp_without_its_dependencies_says_how_to_install_them() -> None:
    blocked = "import sys\nsys.modules['pygls'] = None\nsys.modules['lsprotocol'] = None\n"
    completed = odyc("lsp", prelude=blocked)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "pip install 'odyssey-dsl[lsp]'" in completed.stderr
    assert "pygls and lsprotocol" in completed.stderr


def test_odyc_lsp_takes_no_arguments() -> None:
    completed = odyc("lsp", "--stdio-please")
    assert completed.returncode == 2 and "unrecognized arguments" in completed.stderr
    helped = odyc("lsp", "--help")
    assert helped.returncode == 0 and "Language Server Protocol" in helped.stdout


def test_odyc_lsp_ends_cleanly_when_the_client_goes_away() -> None:
    completed = odyc("lsp")  # standard input is empty: the client is gone at once
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
