"""Positions in a `SourceFile` (`syntax/text.py`): line starts are found on demand, a chunk
at a time; a differential test checks them against a table of every line built at once, with
chunks of a few characters so that their edges fall everywhere."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.syntax import text as text_module
from odyssey_dsl.syntax.text import SourceFile


def every_line_start(text: str) -> list[int]:
    return [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]


TEXTS = st.text(alphabet="ab\n\r", max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, chunk=st.integers(1, 7), asked=st.lists(st.integers(-2, 45), max_size=6))
def test_positions_agree_with_a_table_of_every_line(
    text: str, chunk: int, asked: list[int]
) -> None:
    starts = every_line_start(text)
    source = SourceFile("t.ody", text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "_SCAN_CHUNK", chunk)
        check_positions(source, starts, asked)
    assert source.line_count == len(starts)


def check_positions(source: SourceFile, starts: list[int], asked: list[int]) -> None:
    text = source.text
    for number in asked:  # in any order: what is found stays right for later questions
        offset = max(0, min(number, len(text)))
        line = bisect.bisect_right(starts, offset)
        assert source.position(number) == (line, offset - starts[line - 1] + 1)
        wanted = max(1, min(number, len(starts)))
        assert source.offset(number, 1) == starts[wanted - 1]
        expected = text.split("\n")[number - 1].rstrip("\r") if 1 <= number <= len(starts) else ""
        assert source.line_text(number) == expected


def test_a_position_near_the_top_does_not_read_the_whole_file() -> None:
    source = SourceFile("t.ody", "x\n" * 5_000_000)
    assert source.position(4) == (3, 1)
    assert len(source._line_starts) < 1_000_000


def test_threads_asking_at_once_find_each_line_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = "ab\n" * 200_000
    starts = every_line_start(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "_SCAN_CHUNK", 64)
        for _ in range(3):
            source = SourceFile("t.ody", text)
            offsets = [len(text) - 1 - 7 * k for k in range(8)]
            with ThreadPoolExecutor(8) as pool:
                found = list(pool.map(source.position, offsets))
            assert found == [(offset // 3 + 1, offset % 3 + 1) for offset in offsets]
            assert list(source._line_starts) == starts[: len(source._line_starts)]
