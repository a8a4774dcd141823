"""The benchmark's generated scenes mean what their generators say they mean.

`bench/scenes.py` computes, independently of the compiler, the JSON each generated scene
must compile to (times, folding, filters, loops). The benchmark refuses to time a compile
whose output differs; these tests hold the generators and the compiler to each other at
small sizes, so a wrong generator is caught here and not during a benchmark run.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.scenes import EDITS, SHAPES, edited_versions, loops_scene, scene, scene_of_about
from odyssey_dsl import compile_source
from odyssey_dsl.emit.json_text import json_text


def compiled_json(text: str) -> str:
    result = compile_source(text, max_entries=100_000)
    assert result.diagnostics == []
    assert result.compiled is not None
    return json_text(result.compiled)


@settings(max_examples=5, deadline=None)
@given(shape=st.sampled_from(SHAPES), hundreds=st.integers(min_value=2, max_value=6))
def test_a_generated_scene_compiles_to_exactly_its_expected_json(shape: str, hundreds: int) -> None:
    generated = scene(shape, hundreds * 100)
    assert generated.entry_count == hundreds * 100
    assert compiled_json(generated.text) == generated.expected_json()


@pytest.mark.parametrize("streams", [2, 3, 7])
def test_loop_heavy_scenes_with_any_number_of_streams_compile_as_expected(streams: int) -> None:
    generated = loops_scene(streams * 23, streams)
    assert json.loads(compiled_json(generated.text)) == generated.expected()


@pytest.mark.parametrize("shape", SHAPES)
def test_each_edit_changes_exactly_one_line_and_only_the_misspelling_is_an_error(
    shape: str,
) -> None:
    base = scene_of_about(shape, 300)
    previous = base.text.splitlines()
    for (description, text), (_, expected_description, _) in zip(
        edited_versions(base), EDITS, strict=True
    ):
        lines = text.splitlines()
        changed = [i for i, (a, b) in enumerate(zip(previous, lines, strict=True)) if a != b]
        assert len(changed) == 1, description
        assert description == expected_description
        errors = compile_source(text, max_entries=100_000, emit_job=False).errors
        assert bool(errors) == ("misspelt" in description), (description, errors)
        previous = lines


@pytest.mark.parametrize("shape", SHAPES)
def test_a_scene_of_about_so_many_lines_is_near_that_size(shape: str) -> None:
    assert 1_800 <= len(scene_of_about(shape, 2_000).lines) <= 2_200
