"""Stage 3: the timeline rules, with their places and messages."""

from __future__ import annotations

from odyssey_dsl import compile_source


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
