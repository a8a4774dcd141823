"""Stage 2: expansion — times, loops, scopes, variables, templates and limits."""

from __future__ import annotations

import time

import pytest

from odyssey_dsl import compile_source


def entries(text: str, **options: object) -> list[tuple[int, str, str | None]]:
    result = compile_source(text, filename="t.ody", **options)  # type: ignore[arg-type]
    assert result.job is not None, [(d.code.code, d.message) for d in result.diagnostics]
    assert result.job.script is not None
    out = []
    for entry in result.job.script:
        if entry.start is not None:
            out.append((entry.timestamp_ms, "start", entry.start.prompt))
        elif entry.interact is not None:
            out.append((entry.timestamp_ms, "interact", entry.interact.prompt))
        else:
            out.append((entry.timestamp_ms, "end", None))
    return out


def codes(text: str, **options: object) -> list[tuple[str, int, int]]:
    result = compile_source(text, filename="t.ody", **options)  # type: ignore[arg-type]
    return [(d.code.code, d.span.line, d.span.column) for d in result.diagnostics]


def test_the_issue_example() -> None:
    text = (
        '# A cat by the window\nportrait: false\nlet subject = "cat"\n\n'
        'at 0s: start "A {{ subject }} sitting by a window"\n'
        'at 3s: interact "The {{ subject }} looks outside"\n'
        'after 3s: interact "The {{ subject }} stretches"\n'
        "at 9s: end\n"
    )
    result = compile_source(text)
    assert result.job is not None and result.job.portrait is False
    assert entries(text) == [
        (0, "start", "A cat sitting by a window"),
        (3000, "interact", "The cat looks outside"),
        (6000, "interact", "The cat stretches"),
        (9000, "end", None),
    ]


def test_repeat_iterations_have_their_own_origin() -> None:
    text = (
        'at 0s: start "go"\n'
        "at 3s repeat 3 every 2s:\n"
        '  interact "step {{ loop.index }} of {{ loop.length }}"\n'
        '  after 500ms: interact "half {{ loop.index0 }} {{ loop.first }} {{ loop.last }}"\n'
        "after 1s: end\n"
    )
    assert entries(text) == [
        (0, "start", "go"),
        (3000, "interact", "step 1 of 3"),
        (3500, "interact", "half 0 true false"),
        (5000, "interact", "step 2 of 3"),
        (5500, "interact", "half 1 false false"),
        (7000, "interact", "step 3 of 3"),
        (7500, "interact", "half 2 false true"),
        (8500, "end", None),
    ]


def test_loop_without_prefix_starts_one_period_after_the_previous_statement() -> None:
    text = 'at 1s: start "a"\nrepeat 2 every 2s:\n  interact "{{ loop.index }}"\nafter 1s: end\n'
    assert [t for t, *_ in entries(text)] == [1000, 3000, 5000, 6000]


def test_for_loop_binds_its_variable_and_inner_at_is_relative() -> None:
    text = (
        'let colors = ["red", "blue"]\nlet period = 3s\n'
        'at 0s: start "a"\n'
        "for color in colors every period:\n"
        '  at 1s: interact "paint {{ color }} ({{ period }})"\n'
        "after 1s: end\n"
    )
    assert entries(text) == [
        (0, "start", "a"),
        (4000, "interact", "paint red (3s)"),
        (7000, "interact", "paint blue (3s)"),
        (8000, "end", None),
    ]


def test_empty_loop_emits_nothing_and_after_counts_from_its_start() -> None:
    text = 'at 0s: start "a"\nat 5s repeat 0 every 1s:\n  interact "x"\nafter 1s: end\n'
    assert entries(text) == [(0, "start", "a"), (6000, "end", None)]


def test_nested_loops() -> None:
    text = (
        'at 0s: start "a"\n'
        "at 1s repeat 2 every 10s:\n"
        "  repeat 2 every 1s:\n"
        '    interact "{{ loop.index }}"\n'
        "at 30s: end\n"
    )
    assert [t for t, *_ in entries(text)] == [0, 2000, 3000, 12000, 13000, 30000]


def test_template_values_render_as_written() -> None:
    text = (
        'let d = 1m30s\nlet on = true\nlet n = 2.5\nlet items = [1, "b", false]\n'
        'at 0s: start "{{ d }} {{ on }} {{ n }} {{ items | length }} {{ items[2] }}"\n'
        "at 1s: end\n"
    )
    assert entries(text)[0][2] == "1m30s true 2.5 3 false"


def test_let_strings_see_earlier_names_and_inner_scopes_shadow() -> None:
    text = (
        'let who = "cat"\nlet line = "the {{ who }}"\n'
        'at 0s: start "{{ line }}"\n'
        "repeat 1 every 1s:\n"
        '  let who = "dog"\n'
        '  interact "{{ who }}"\n'
        'after 1s: interact "{{ who }} again"\n'
        "after 1s: end\n"
    )
    assert [p for *_, p in entries(text)][:3] == ["the cat", "dog", "cat again"]


def test_var_overrides_let_and_adds_names() -> None:
    text = 'let who = "cat"\nat 0s: start "{{ who }} {{ extra }}"\nafter delay: end\n'
    assert entries(text, variables={"who": "owl", "extra": 3, "delay": "2s"}) == [
        (0, "start", "owl 3"),
        (2000, "end", None),
    ]


def test_for_variable_exists_only_inside_its_loop() -> None:
    text = 'at 0s: start "a"\nfor c in [1] every 1s:\n  interact "{{ c }}"\nat 5s: interact "{{ c }}"\nat 6s: end\n'
    assert ("E302", 4, 21) in codes(text)


def test_duplicate_let_in_one_scope_but_shadowing_allowed() -> None:
    text = (
        "let a = 1\n"
        'at 0s: start "{{ a }}"\n'
        'repeat 1 every 1s:\n  let a = 2\n  let a = 3\n  interact "{{ a }}"\n'
        "at 9s: end\n"
    )
    assert codes(text) == [("E202", 5, 7)]


def test_wrong_types_are_reported_at_the_reference() -> None:
    text = (
        'let n = "three"\nlet d = 3\nlet xs = "abc"\n'
        'at 0s: start "a"\n'
        'repeat n every 1s:\n  interact "x{{ loop.index }}"\n'
        'after d: interact "b"\n'
        'for x in xs every 1s:\n  interact "{{ x }}"\n'
        "at 9s: end\n"
    )
    found = codes(text)
    assert ("E203", 5, 8) in found and ("E203", 7, 7) in found and ("E203", 8, 10) in found


def test_sandbox_blocks_python_internals() -> None:
    text = "at 0s: start \"{{ ''.__class__.__mro__ }}\"\nat 1s: end\n"
    assert codes(text) == [("E303", 1, 14)]


def test_sandbox_bounds_string_repetition() -> None:
    started = time.monotonic()
    text = "at 0s: start \"{{ 'x' * 1000000000 }}\"\nat 1s: end\n"
    assert codes(text) == [("E307", 1, 14)]
    assert time.monotonic() - started < 10  # a generous bound: it must not build the string


def test_huge_loop_fails_at_once_at_the_loop() -> None:
    text = 'at 0s: start "a"\nrepeat 1000000000 every 1ms:\n  interact "{{ loop.index }}"\nat 1s: end\n'
    assert codes(text) == [("E509", 2, 1)]


def test_max_entries_counts_nested_loops_and_is_configurable() -> None:
    text = (
        'at 0s: start "a"\nrepeat 10 every 1s:\n  repeat 10 every 10ms:\n'
        '    interact "{{ loop.index }}"\nat 20s: end\n'
    )
    assert ("E509", 2, 1) in codes(text, max_entries=50)
    assert codes(text, max_entries=102, min_gap_ms=0) == []


def test_unused_let_warns_but_underscore_names_and_empty_loops_do_not() -> None:
    text = (
        'let unused = 1\nlet _quiet = 2\nlet used_in_empty_loop = "x"\n'
        'at 0s: start "a"\nrepeat 0 every 1s:\n  interact "{{ used_in_empty_loop }}"\n'
        "at 1s: end\n"
    )
    assert codes(text) == [("W101", 1, 5)]


def test_batch_scripts_each_start_at_zero_and_share_top_level_lets() -> None:
    text = (
        'let who = "cat"\n'
        'script "one":\n  at 0s: start "{{ who }} 1"\n  at 2s: end\n'
        'script "two":\n  let who = "dog"\n  at 1s: start "{{ who }} 2"\n  at 3s: end\n'
    )
    result = compile_source(text)
    assert result.job is not None and result.job.scripts is not None
    assert result.job.script_names == ["one", "two"]
    firsts = [(s[0].timestamp_ms, s[0].start.prompt) for s in result.job.scripts]  # type: ignore[union-attr]
    assert firsts == [(0, "cat 1"), (1000, "dog 2")]


def test_image_path_is_relative_to_base_dir(tmp_path: pytest.TempPathFactory) -> None:
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    (tmp_path / "pics").mkdir()  # type: ignore[operator]
    (tmp_path / "pics" / "cat.png").write_bytes(png)  # type: ignore[operator]
    text = 'let name = "cat"\nat 0s: start "a" with image "pics/{{ name }}.png"\nat 1s: end\n'
    result = compile_source(text, base_dir=tmp_path)  # type: ignore[arg-type]
    assert result.job is not None and result.job.script is not None
    start = result.job.script[0].start
    assert start is not None and start.image is not None
    assert start.image.startswith("data:image/png;base64,")


def test_start_without_image_has_no_image_key() -> None:
    from odyssey_dsl.emit.job import render_json

    result = compile_source('at 0s: start "a"\nat 1s: end\n')
    assert result.job is not None
    assert "image" not in render_json(result.job)


def test_lists_render_as_ody_writes_them() -> None:
    text = 'let xs = [1m30s, true, "a \\"b\\"", 2.5, [1, 2]]\nat 0s: start "{{ xs }}"\nat 1s: end\n'
    assert entries(text)[0][2] == '[1m30s, true, "a \\"b\\"", 2.5, [1, 2]]'


def test_compiling_never_switches_off_the_garbage_collector() -> None:
    """A library call must not change process-wide state: another thread (a language
    server's) sees the collector enabled all along."""
    import gc
    import threading

    scene = 'at 0s: start "a"\nrepeat 20000 every 1s:\n  interact "step {{ loop.index }}"\nat 99999s: end\n'
    done = threading.Event()
    results: list[object] = []

    def compile_in_background() -> None:
        results.append(compile_source(scene, max_entries=30_000, emit_job=False))
        done.set()

    assert gc.isenabled()
    worker = threading.Thread(target=compile_in_background)
    worker.start()
    observed = set()
    while not done.is_set():
        observed.add(gc.isenabled())
        time.sleep(0.0005)
    worker.join()
    assert observed == {True}
    assert results and results[0].ok  # type: ignore[attr-defined]
