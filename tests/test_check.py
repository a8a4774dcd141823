"""Stage 3: the rules, with their places and messages."""

from __future__ import annotations

from pathlib import Path

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics import CATALOGUE
from odyssey_dsl.syntax.parser import parse
from odyssey_dsl.syntax.text import SourceFile
from odyssey_dsl.timeline.check import check_timelines
from odyssey_dsl.timeline.expand import expand
from odyssey_dsl.timeline.limits import Limits
from odyssey_dsl.timeline.rules import RULES


def diagnostics(text: str, **options: object) -> list[tuple[str, int, int, str]]:
    result = compile_source(text, filename="t.ody", **options)  # type: ignore[arg-type]
    return [(d.code.code, d.span.line, d.span.column, d.message) for d in result.diagnostics]


def test_time_going_backwards_names_both_places() -> None:
    (found,) = diagnostics('at 0s: start "a"\nat 6s: interact "b"\nat 5s: end\n')
    assert found[:3] == ("E501", 3, 1)
    assert "at 5s comes before the entry at 6s on line 2" in found[3]


def test_loop_body_longer_than_its_period_is_reported_once() -> None:
    text = (
        'at 0s: start "a"\n'
        "at 1s repeat 5 every 1s:\n"
        '  interact "x{{ loop.index }}"\n'
        '  after 2s: interact "y{{ loop.index }}"\n'
        "at 20s: end\n"
    )
    found = diagnostics(text)
    assert [f[:3] for f in found] == [("E501", 3, 3)]
    assert "iteration 2 of the loop on line 2" in found[0][3]
    assert "3 more times" in found[0][3]


def test_stream_rules() -> None:
    assert [f[0] for f in diagnostics('at 0s: interact "a"\nat 1s: end\n')] == ["E502"]
    assert [f[:3] for f in diagnostics('at 0s: start "a"\nat 1s: start "b"\nat 2s: end\n')] == [
        ("E504", 2, 8)
    ]
    assert [f[:3] for f in diagnostics('at 0s: start "a"\nat 1s: end\nat 2s: end\n')] == [
        ("E503", 3, 8)
    ]


def test_missing_end_is_reported_at_the_start_with_the_line_to_add() -> None:
    result = compile_source('at 0s: start "a"\nat 1s: interact "b"\n')
    (found,) = result.diagnostics
    assert (found.code.code, found.span.line, found.span.column) == ("E505", 1, 8)
    assert found.help is not None and "after 1s: end" in found.help and "line 2" in found.help


def test_same_millisecond_allowed_only_between_end_and_next_start() -> None:
    ok = 'at 0s: start "a"\nat 1s: end\nat 1s: start "b"\nat 2s: end\n'
    assert diagnostics(ok) == []
    assert [f[:3] for f in diagnostics('at 0s: start "a"\nat 0s: end\n')] == [("E506", 2, 1)]


def test_warnings_gap_and_repeated_prompt_and_werror() -> None:
    text = 'at 0s: start "a"\nat 50ms: interact "b"\nat 2s: interact "b"\nat 3s: end\n'
    found = compile_source(text)
    assert [(d.code.code, d.severity.value) for d in found.diagnostics] == [
        ("W102", "warning"),
        ("W103", "warning"),
    ]
    assert found.job is not None
    assert [d.code.code for d in compile_source(text, min_gap_ms=10).diagnostics] == ["W103"]
    strict = compile_source(text, werror=True)
    assert strict.job is None and all(d.is_error for d in strict.diagnostics)


def test_batch_rules() -> None:
    mixed = 'at 0s: start "a"\nat 1s: end\nscript "b":\n  at 0s: start "b"\n  at 1s: end\n'
    assert [f[:3] for f in diagnostics(mixed)][:2] == [("E207", 1, 1), ("E207", 2, 1)]
    empty = 'script "a":\n  let _x = 1\nscript "b":\n  at 0s: start "b"\n  at 1s: end\n'
    assert [f[:3] for f in diagnostics(empty)] == [("E507", 1, 1)]


def test_empty_file() -> None:
    assert [f[:3] for f in diagnostics("")] == [("E508", 1, 1)]
    assert [f[:3] for f in diagnostics("# only a comment\n\n")] == [("E508", 1, 1)]


def test_errors_from_all_stages_are_sorted_by_position() -> None:
    text = 'at 0s: start "{{ nope }}"\nat 1s strat\nlet a = 1\nlet a = 2\nat 3s: end\n'
    found = diagnostics(text)
    assert [f[1] for f in found] == sorted(f[1] for f in found)
    assert {f[0] for f in found} == {"E302", "E100", "E202"}


# --- messages that tell the truth ----------------------------------------------------------


def test_a_rejected_entry_does_not_start_a_stream() -> None:
    found = diagnostics('at 0s: interact "hi"\nat 1s: start "A cat"\nat 2s: end\n')
    assert [f[:3] for f in found] == [("E502", 1, 8)]


def test_a_rejected_end_is_not_the_end_of_the_previous_stream() -> None:
    text = 'at 0s: start "a"\nat 1s: end\nat 2s: end\nat 3s: interact "b"\n'
    result = compile_source(text)
    assert [(d.code.code, d.span.line) for d in result.diagnostics] == [("E503", 3), ("E503", 4)]
    for diagnostic in result.diagnostics:
        assert diagnostic.help is not None
        assert "the previous stream ended on line 2;" in diagnostic.help


def test_a_rejected_start_leaves_the_running_stream_running() -> None:
    text = 'at 0s: start "a"\nat 1s: start "b"\nat 2s: start "c"\nat 3s: end\n'
    found = diagnostics(text)
    assert [f[:2] for f in found] == [("E504", 2), ("E504", 3)]
    assert all("started on line 1" in f[3] for f in found)


def order_help(text: str) -> str:
    (found,) = compile_source(text).diagnostics
    assert found.code.code == "E501" and found.help is not None
    return found.help


def test_time_order_help_names_a_loop_only_when_one_is_involved() -> None:
    plain = order_help('at 0s: start "a"\nat 6s: interact "b"\nat 5s: end\n')
    assert "loop" not in plain and "after 6s" in plain
    overlap = order_help(
        'at 0s: start "a"\nat 1s repeat 3 every 1s:\n  interact "x{{ loop.index }}"\n'
        '  after 2s: interact "y{{ loop.index }}"\nat 20s: end\n'
    )
    assert "the loop on line 2 lasts longer than its `every` period" in overlap
    past = order_help(
        'at 0s: start "a"\nat 1s repeat 3 every 1s:\n  interact "x{{ loop.index }}"\nat 2s: end\n'
    )
    assert "the loop on line 2 still emits entries at 3s" in past
    early = order_help(
        'at 0s: start "a"\nat 5s: interact "b"\nat 1s repeat 1 every 1s:\n'
        '  interact "x"\nat 9s: end\n'
    )
    assert "the loop on line 3 starts before 5s" in early


def test_a_script_that_begins_with_a_loop_warns_that_it_starts_late() -> None:
    text = 'let shots = ["a", "b"]\nfor shot in shots every 4s:\n  start "{{ shot }}"\n  after 1s: end\n'
    result = compile_source(text)
    (found,) = result.diagnostics
    assert (found.code.code, found.span.line, found.span.column) == ("W104", 2, 1)
    assert found.message == "the first entry of this script is at 4s; nothing happens before it"
    assert found.help is not None and "write `at 0s for …` to start at once" in found.help
    assert result.job is not None
    at_zero = compile_source(text.replace("for shot", "at 0s for shot"))
    assert at_zero.diagnostics == []
    repeat = 'repeat 2 every 3s:\n  start "x{{ loop.index }}"\n  after 1s: end\n'
    (found,) = compile_source(repeat).diagnostics
    assert found.code.code == "W104" and "at 3s" in found.message
    assert found.help is not None and "`at 0s repeat …`" in found.help
    later = 'at 0s: start "a"\nat 1s: end\nrepeat 2 every 3s:\n  start "x{{ loop.index }}"\n  after 1s: end\n'
    assert compile_source(later).diagnostics == []
    batch = 'script "s":\n  repeat 1 every 2s:\n    start "x"\n    after 1s: end\n'
    assert [(d.code.code, d.span.line) for d in compile_source(batch).diagnostics] == [("W104", 2)]


def test_an_unused_variable_override_is_a_warning_with_a_suggestion() -> None:
    text = 'let subject = "cat"\nat 0s: start "A {{ subject }}"\nat 1s: end\n'
    result = compile_source(text, variables={"subjet": "dog"})
    (found,) = result.diagnostics
    assert (found.code.code, found.span.line, found.span.column) == ("W105", 1, 1)
    assert "`subjet`" in found.message and found.help == "did you mean `subject`?"
    assert result.job is not None
    # an override of a `let`, or of a name only the templates read, is used
    assert compile_source(text, variables={"subject": "dog"}).diagnostics == []
    only_read = 'at 0s: start "A {{ who }}"\nat 1s: end\n'
    assert compile_source(only_read, variables={"who": "dog"}).diagnostics == []
    # a line that could not be read may use it: no warning then
    broken = 'at 0s: start "a"\nat 1s strat "{{ subjet }}"\nat 2s: end\n'
    assert "W105" not in {
        d.code.code for d in compile_source(broken, variables={"subjet": 1}).diagnostics
    }


# --- the rules as units -------------------------------------------------------------------


def test_every_rule_is_a_catalogue_code_and_the_timeline_codes_have_rules() -> None:
    assert set(RULES) <= set(CATALOGUE)
    assert all(code == rule.code for code, rule in RULES.items())
    expected = {"E202", "E501", "E502", "E503", "E504", "E505", "E506", "E510"}
    expected |= {"W101", "W102", "W103", "W104", "W105"}
    assert expected <= set(RULES)


def test_rules_can_be_selected_by_code() -> None:
    text = 'at 0s: start "a"\nat 50ms: interact "b"\nat 2s: interact "b"\nat 1s: end\n'
    source = SourceFile("t.ody", text)
    parsed = parse(source)
    assert parsed.scene is not None
    limits = Limits()
    expansion = expand(parsed.scene, source, {}, Path("."), limits)
    every = check_timelines(expansion.scripts, source, limits)
    assert sorted(d.code.code for d in every) == ["E501", "W102", "W103"]
    only = check_timelines(expansion.scripts, source, limits, selected=lambda c: c != "W102")
    assert sorted(d.code.code for d in only) == ["E501", "W103"]


def test_prompts_that_failed_to_render_are_not_a_repeated_prompt() -> None:
    """A prompt that could not be rendered (reported) is not compared with its neighbours:
    two failures in a row are not W103, nor a failure after a start that failed."""
    text = (
        'at 0s: start "{{ nope }}"\n'
        'at 1s: interact "{{ missing }}"\n'
        'at 2s: interact "{{ absent }}"\n'
        'at 3s: interact "   "\n'
        "at 4s: end\n"
    )
    codes = [code for code, *_ in diagnostics(text)]
    assert codes == ["E302", "E302", "E302", "E304"]
