"""Prompts remembered by one expansion (`timeline.prompts`) are the prompts rendered anew.

Differential: the same scene expanded with the memo and with the memo unable to keep
anything (`MEMO_SIZE = 0`) gives the same entries and the same diagnostics, on scenes whose
loops render templates with values of every kind (strings, whole numbers, -0.0 and 0.0,
booleans, durations, lists, `loop`, attributes of strings, templates that fail).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odyssey_dsl import compile_source
from odyssey_dsl.timeline import prompts

VALUES = ('"calm"', '"Calm"', "3", "3.0", "-0.0", "0.0", "true", "1", "2s", "2000ms", '["a"]')
TEMPLATES = (
    "{{ v }}",
    "{{ v }} and {{ w }}",
    "{{ v | upper }}",
    "{{ v | replace('a', 'b') }}",
    "{{ v.upper }}",
    "{{ loop.index }} of {{ loop.length }}",
    "{{ loop.first }} {{ v }}",
    "{{ missing }}",
    "{{ v ~ w }}",
    "{% if v %}{{ w }}{% endif %}",
    "plain text",
    "  ",
)


@st.composite
def scenes(draw: st.DrawFn) -> str:
    lines = [f"let v = {draw(st.sampled_from(VALUES))}", f"let w = {draw(st.sampled_from(VALUES))}"]
    lines.append('at 0s: start "go"')
    for _ in range(draw(st.integers(1, 4))):
        count = draw(st.integers(0, 3))
        lines.append(f"after 100ms repeat {count} every 100ms:")
        if draw(st.booleans()):
            lines.append(f"  let v = {draw(st.sampled_from(VALUES))}")
        for _ in range(draw(st.integers(1, 2))):
            lines.append(f'  interact "{draw(st.sampled_from(TEMPLATES))}"')
    lines.append("after 100ms: end")
    return "\n".join(lines) + "\n"


def _outcome(text: str) -> tuple[object, ...]:
    result = compile_source(text, emit_job=False)
    timeline = compile_source(text).compiled
    entries = None if timeline is None else timeline.scripts
    shown = [(d.code.code, d.span, d.message) for d in result.diagnostics]
    return shown, entries


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_remembered_prompts_equal_prompts_rendered_anew(text: str) -> None:
    remembered = _outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prompts, "MEMO_SIZE", 0)
        rendered = _outcome(text)
    assert remembered == rendered


@pytest.mark.parametrize(
    ("first", "second", "shown"),
    [
        ("-0.0", "0.0", ["-0.0", "0.0"]),
        ("true", "1", ["true", "1"]),
        ("1", "1.0", ["1", "1.0"]),
        ("2s", "2000ms", ["2s", "2000ms"]),
        ('"a"', '"a"', ["a", "a"]),
    ],
)
def test_values_that_compare_equal_but_render_differently_are_not_confused(
    first: str, second: str, shown: list[str]
) -> None:
    text = (
        f"let v = {first}\n"
        'at 0s: start "go"\n'
        "after 1s repeat 3 every 1s:\n"
        '  interact "{{ v }}"\n'
        "after 1s repeat 3 every 1s:\n"
        f"  let v = {second}\n"
        '  interact "{{ v }}"\n'
        "after 1s: end\n"
    )
    result = compile_source(text)
    assert result.compiled is not None, result.diagnostics
    made = [entry.prompt for entry in result.compiled.scripts[0]][1:-1]
    assert made == [shown[0]] * 3 + [shown[1]] * 3


def test_a_loop_renders_each_prompt_once_per_distinct_values() -> None:
    text = (
        'let subject = "the sea"\n'
        'at 0s: start "go"\n'
        "after 1s repeat 3 every 1s:\n"
        "  repeat 2 every 100ms:\n"
        '    interact "{{ subject }}, step {{ loop.index }}"\n'
        "after 1s: end\n"
    )
    result = compile_source(text)
    assert result.ok
    assert result.compiled is not None
    prompts_made = [entry.prompt for entry in result.compiled.scripts[0]]
    assert prompts_made[1:7] == ["the sea, step 1", "the sea, step 2"] * 3
