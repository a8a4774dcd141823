"""An incremental (warm) compile equals a cold one, for random edits of random scenes.

A compile reuses what earlier compiles of the process did: lines read before (the line
memo of `syntax.line`) and loops expanded before (`timeline.reuse`). Here a scene is
compiled, edited one line at a time and compiled again after each edit; every warm result
must be exactly what a process that remembers nothing gives for the same text: diagnostics
(code, place, message, help), the compiled entries and the expanded timeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_images import real_png_1x1

from odyssey_dsl import compile_source, expand_timeline
from odyssey_dsl.syntax import nodes as n
from odyssey_dsl.syntax.line import read_line
from odyssey_dsl.syntax.parser import parse
from odyssey_dsl.syntax.text import SourceFile
from odyssey_dsl.timeline import reuse
from odyssey_dsl.timeline.expand import expand
from odyssey_dsl.timeline.limits import Limits

VALUES = ('"calm"', "3", "2", "0", "-1", "1.5", "true", "2s", "300ms", '["a", "b"]', "[]", "x")
PROMPTS = (
    "a {{ v }}",
    "step {{ loop.index }} of {{ loop.length }}",
    "{{ v | upper }}",
    "{{ nope }}",
    "plain",
    "{{ w }} and {{ v }}",
)
TIMES = ("0s", "1s", "200ms", "v", "w", "3s")


@st.composite
def loop_lines(draw: st.DrawFn, indent: str, depth: int) -> list[str]:
    prefix = draw(st.sampled_from(("at 1s ", "after 500ms ", "after w ", "")))
    if draw(st.booleans()):
        header = f"{prefix}repeat {draw(st.sampled_from(('2', '3', 'v', '0')))} every 300ms:"
    else:
        items = draw(st.sampled_from(('["x", "y"]', "moods", "v")))
        header = f"{prefix}for v in {items} every {draw(st.sampled_from(('400ms', 'w')))}:"
    lines = [indent + header]
    inner = indent + "  "
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 4 if depth < 2 else 3))
        if kind == 0:
            lines.append(f"{inner}let w = {draw(st.sampled_from(VALUES))}")
        elif kind == 4:
            lines += draw(loop_lines(inner, depth + 1))
        else:
            time = draw(st.sampled_from(("", "after 100ms: ", "at 50ms: ")))
            lines.append(f'{inner}{time}interact "{draw(st.sampled_from(PROMPTS))}"')
    return lines


@st.composite
def scenes(draw: st.DrawFn) -> list[str]:
    lines = [
        "# a scene",
        f"let v = {draw(st.sampled_from(VALUES))}",
        "let w = 1s",
        'let moods = ["calm", "windy"]',
    ]
    for stream in range(draw(st.integers(1, 3))):
        lines.append(f'after 1s: start "stream {stream} {{{{ v }}}}"')
        for _ in range(draw(st.integers(1, 3))):
            lines += draw(loop_lines("", 0))
        lines.append("after 1s: end")
    return lines


EDITS = ("replace", "replace", "replace", "insert", "delete", "comment", "widen")
REPLACEMENTS = (
    ("1s", "2s"),
    ("2", "3"),
    ("3", "0"),
    ("v", "w"),
    ("calm", "wind"),
    ("300ms", "700ms"),
    ("500ms", "100ms"),
    ('"a"', "[1]"),
    ("1s", "3 s"),
    ("[", "("),
)


@st.composite
def edited(draw: st.DrawFn) -> list[str]:
    """A scene, then versions of it, each one edit away from the one before."""
    lines = draw(scenes())
    versions = ["\n".join(lines) + "\n"]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(EDITS))
        if edit == "replace":
            # Most often the same length: nothing after the line moves, and a loop below
            # is the same node as before, in different circumstances.
            old, new = draw(st.sampled_from(REPLACEMENTS))
            lines[index] = lines[index].replace(old, new, 1)
        elif edit == "insert":
            lines.insert(index, draw(st.sampled_from(("", "# note", 'after 1s: interact "z"'))))
        elif edit == "delete" and len(lines) > 1:
            del lines[index]
        elif edit == "comment":
            lines[index] = "# " + lines[index]
        else:
            lines[index] = lines[index].replace('"', '" ', 1)
        versions.append("\n".join(lines) + "\n")
    return versions


def outcome(text: str) -> tuple[object, ...]:
    result = compile_source(text, max_entries=200)
    timeline = expand_timeline(text, max_entries=200)
    diagnostics = [(d.code.code, d.span, d.message, d.help) for d in result.diagnostics]
    compiled = None if result.compiled is None else result.compiled.scripts
    return diagnostics, compiled, timeline.as_json()


def cold(text: str) -> tuple[object, ...]:
    read_line.cache_clear()
    reuse.forget()
    return outcome(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_a_warm_compile_after_each_edit_equals_a_cold_one(versions: list[str]) -> None:
    reuse.forget()
    outcome(versions[0])
    for text in versions[1:]:
        warm = outcome(text)
        assert warm == cold(text)
        outcome(text)  # warm again for the next edit, as an editor would be


def test_a_loop_is_given_again_only_while_the_entry_limit_leaves_room() -> None:
    text = 'at 0s: start "a"\nafter 1s repeat 4 every 1s:\n  interact "{{ loop.index }}"\n'
    text += "after 1s: end\n"
    reuse.forget()
    assert compile_source(text).ok
    (limit,) = [d for d in compile_source(text, max_entries=4).diagnostics if d.is_error]
    assert limit.code.code == "E509"
    assert compile_source(text, max_entries=6).ok


def test_a_loop_that_reads_an_image_reads_it_again_in_the_next_compile(tmp_path: Path) -> None:
    """An image file can change between two compiles: a loop that embeds one is unrolled
    again (its file read again) every time."""
    text = 'after 1s repeat 2 every 1s:\n  start "a" with image "a.png"\n  after 1s: end\n'
    reuse.forget()
    (tmp_path / "a.png").write_bytes(real_png_1x1())
    first = compile_source(text, base_dir=tmp_path)
    assert first.ok
    (tmp_path / "a.png").write_bytes(b"not an image")
    second = compile_source(text, base_dir=tmp_path)
    assert [d.code.code for d in second.diagnostics] == ["E402"]


def test_entries_given_again_point_at_this_compiles_tree() -> None:
    """A loop given again is made of this compile's statements, never an earlier tree's:
    whoever looks an entry's statement up in the tree finds it there."""
    text = 'at 0s: start "a"\nafter 1s repeat 2 every 1s:\n  interact "{{ loop.index }}"\n'
    text += "after 1s: end\n"
    reuse.forget()
    for _ in range(2):
        source = SourceFile("s.ody", text)
        tree = parse(source)
        expansion = expand(tree.scene, source, {}, Path("."), Limits())
        loop = tree.scene.statements[1]
        assert isinstance(loop, n.Repeat)
        (script,) = expansion.scripts
        assert [entry.statement is loop.body[0] for entry in script.entries[1:3]] == [True, True]
        assert script.entries[1].loops[0] is loop


def test_what_is_kept_stays_bounded_even_for_loops_without_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An editor compiles text after text: loops that make no entry (and long loop texts)
    count against the bound too, so the memo never grows without end."""
    monkeypatch.setattr(reuse, "MAX_KEPT_WEIGHT", 40)
    reuse.forget()
    padding = "# " + "x" * 600 + "\n"
    for index in range(100):
        text = f'at 0s: start "a"\nafter 1s repeat 0 every {index + 1}ms:\n  {padding}'
        compile_source(text + '  interact "b"\nafter 1s: end\n')
    loops, weight = reuse.kept()
    assert 0 < loops <= 40
    assert weight <= 40


def _statements(statements: tuple[n.Statement, ...]) -> list[n.Statement]:
    found: list[n.Statement] = []
    for statement in statements:
        found.append(statement)
        if isinstance(statement, n.Repeat | n.ForLoop | n.ScriptBlock):
            found += _statements(statement.body)
    return found


def test_a_nested_loop_moved_elsewhere_is_made_of_this_compiles_statements_and_iterations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kept loop given again on other lines and at another time: every entry, every
    iteration and every outer iteration is this compile's, and the entries of one iteration
    (and the iterations of one outer one) share one object, as a cold unrolling makes them."""
    loop = (
        "after 1s repeat 2 every 2s:\n"
        '  interact "{{ loop.index }}"\n'
        '  for m in ["a", "b"] every 300ms:\n'
        '    interact "{{ m }}"\n'
        '    after 100ms: interact "{{ m }} again"\n'
    )
    planned: list[object] = []
    plan = reuse._plan
    monkeypatch.setattr(reuse, "_plan", lambda found: planned.append(found) or plan(found))
    reuse.forget()
    for padding in ("", 'after 3s: interact "moved"\n# and a comment\n'):
        text = 'at 0s: start "a"\n' + padding + loop + "after 1s: end\n"
        source = SourceFile("s.ody", text)
        tree = parse(source)
        expansion = expand(tree.scene, source, {}, Path("."), Limits())
        (script,) = expansion.scripts
        in_tree = {id(statement) for statement in _statements(tree.scene.statements)}
        looped = [entry for entry in script.entries if entry.iteration is not None]
        outer = [(0,), (0, 0), (0, 0), (0, 1), (0, 1)]
        assert [entry.iterations for entry in looped] == outer + [(1, *i[1:]) for i in outer]
        for entry in looped:
            assert id(entry.statement) in in_tree
            assert all(id(step.loop) in in_tree for step in entry.iteration_path)
        steps = {(entry.iterations): entry.iteration for entry in looped}
        for entry in looped:
            assert entry.iteration is steps[entry.iterations]
            if len(entry.iterations) == 2:
                assert entry.iteration_path[0] is steps[entry.iterations[:1]]
        assert [entry.time_ms for entry in looped][-1] == (4000 if padding else 1000) + 2700
    assert len(planned) == 1  # the second compile moved the first one's entries
