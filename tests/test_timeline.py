"""The expanded timeline as tools read it (`expand_timeline`): entries linked to their source."""

from __future__ import annotations

import base64
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_catalogue import _BrokenVariables as UnreadableVariables
from test_properties import SCENE_SETTINGS, action_of, scene_source, scenes

from odyssey_dsl import compile_source, expand_timeline
from odyssey_dsl.syntax import nodes as n

SCENE = (
    'at 0s: start "a" with image "dot.png"\n'  # 1
    "at 1s repeat 2 every 10s:\n"  # 2
    '  for word in ["x", "y"] every 1s:\n'  # 3
    '    interact "{{ word }} {{ loop.index }}"\n'  # 4
    "at 30s: end\n"  # 5
    'at 31s: start "b"\n'  # 6
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_entries_know_their_statement_and_iterations(tmp_path: Path) -> None:
    (tmp_path / "dot.png").write_bytes(PNG)
    timeline = expand_timeline(SCENE, filename=str(tmp_path / "scene.ody"))
    (script,) = timeline.scripts
    assert script.name is None and script.header is None
    rows = [
        (e.time_ms, e.kind, e.prompt, e.has_image, e.span.line, e.iterations)
        for e in script.entries
    ]
    assert rows == [
        (0, "start", "a", True, 1, ()),
        (2000, "interact", "x 1", False, 4, (0, 0)),
        (3000, "interact", "y 2", False, 4, (0, 1)),
        (12000, "interact", "x 1", False, 4, (1, 0)),
        (13000, "interact", "y 2", False, 4, (1, 1)),
        (30000, "end", None, False, 5, ()),
        (31000, "start", "b", False, 6, ()),
    ]
    assert [loop.span.line for loop in script.entries[3].loops] == [2, 3]
    # the scene has an error (the second stream never ends): the timeline is still there
    assert not timeline.ok
    assert [d.code.code for d in timeline.diagnostics] == ["E505"]
    assert [(s.start_ms, s.end_ms, s.start.span.line) for s in script.streams] == [
        (0, 30000, 1),
        (31000, None, 6),
    ]


def test_the_timeline_as_json(tmp_path: Path) -> None:
    (tmp_path / "dot.png").write_bytes(PNG)
    timeline = expand_timeline(SCENE, filename=str(tmp_path / "scene.ody"))
    data = json.loads(json.dumps(timeline.as_json()))
    assert data["file"].endswith("scene.ody") and data["is_batch"] is False
    assert [d["code"] for d in data["diagnostics"]] == ["E505"]
    (script,) = data["scripts"]
    assert script["streams"] == [
        {"start_ms": 0, "end_ms": 30000, "start_entry": 0, "end_entry": 5},
        {"start_ms": 31000, "end_ms": None, "start_entry": 6, "end_entry": None},
    ]
    third = script["entries"][2]
    assert third == {
        "time_ms": 3000,
        "kind": "interact",
        "prompt": "y 2",
        "has_image": False,
        "span": {"line": 4, "column": 5, "end_line": 4, "end_column": 43},
        "iterations": [0, 1],
        "loops": [
            {"line": 2, "column": 1, "end_line": 2, "end_column": 26},
            {"line": 3, "column": 3, "end_line": 3, "end_column": 35},
        ],
    }
    assert script["entries"][0]["has_image"] is True


def test_a_batch_gives_each_script_its_name_and_header() -> None:
    text = (
        'script "one":\n  at 0s: start "a"\n  at 1s: end\n'
        'script "two":\n  at 5s: start "b"\n  at 6s: end\n'
    )
    timeline = expand_timeline(text)
    assert timeline.is_batch and timeline.ok
    assert [(s.name, s.header.line if s.header else None) for s in timeline.scripts] == [
        ("one", 1),
        ("two", 4),
    ]
    assert [[e.time_ms for e in s.entries] for s in timeline.scripts] == [[0, 1000], [5000, 6000]]


def test_what_could_be_expanded_is_returned_on_errors() -> None:
    text = (
        'at 0s: start "{{ nobody }}"\n'
        "at 1s strat\n"  # a line that cannot be parsed
        'after pause: interact "b"\n'  # an undefined duration: this entry is missing
        "at 5s: end\n"
    )
    timeline = expand_timeline(text)
    (script,) = timeline.scripts
    assert [(e.time_ms, e.kind) for e in script.entries] == [(0, "start"), (5000, "end")]
    assert not script.complete
    assert {d.code.code for d in timeline.diagnostics} == {"E302", "E100", "E201"}


def test_a_limit_keeps_the_entries_expanded_before_it() -> None:
    text = 'at 0s: start "a"\nrepeat 3 every 1s:\n  interact "{{ loop.index }}"\nat 9s: end\n'
    timeline = expand_timeline(text, max_entries=3)
    (script,) = timeline.scripts
    assert [e.time_ms for e in script.entries] == [0]
    assert [d.code.code for d in timeline.diagnostics] == ["E509"]


def test_internal_errors_give_an_empty_timeline_not_a_traceback() -> None:
    text = 'at 0s: start "a"\nat 1s: end\n'
    timeline = expand_timeline(text, variables=UnreadableVariables())
    assert timeline.scripts == ()
    assert [d.code.code for d in timeline.diagnostics] == ["E999"]


def enclosing_loops(
    statements: tuple[n.Statement, ...], target: n.ActionStmt
) -> list[object] | None:
    """The loops between `statements` and `target`, outermost first; None if not there."""
    for statement in statements:
        if statement is target:
            return []
        if isinstance(statement, n.Repeat | n.ForLoop):
            inner = enclosing_loops(statement.body, target)
            if inner is not None:
                return [statement, *inner]
    return None


@settings(SCENE_SETTINGS, max_examples=50)
@given(scene=scenes())
def test_the_timeline_is_the_compiled_job(scene) -> None:  # type: ignore[no-untyped-def]
    text = scene_source(scene)
    compiled = compile_source(text, max_entries=100_000)
    timeline = expand_timeline(text, max_entries=100_000)
    assert compiled.job is not None and timeline.ok
    assert timeline.diagnostics == tuple(compiled.diagnostics)
    source = text.removeprefix("\ufeff")
    jobs = compiled.job.all_scripts()
    assert len(jobs) == len(timeline.scripts)
    for job_script, script in zip(jobs, timeline.scripts, strict=True):
        got = [(e.time_ms, e.kind, e.prompt) for e in script.entries]
        assert got == [(e.timestamp_ms, *action_of(e)) for e in job_script]
        starts = [e.time_ms for e in script.entries if e.kind == "start"]
        ends = [e.time_ms for e in script.entries if e.kind == "end"]
        assert [(s.start_ms, s.end_ms) for s in script.streams] == list(
            zip(starts, ends, strict=True)
        )
        runs: dict[int, list[tuple[int, ...]]] = {}
        for entry in script.entries:
            assert source[entry.span.start_offset :].startswith(
                ("at ", "after ", "start", "interact", "end")
            )
            loops = entry.loops
            assert len(entry.iterations) == len(loops)
            if loops:  # each loop is in the body of the one before, the statement in the last
                for outer, inner in pairwise(loops):
                    assert enclosing_loops(outer.body, inner) == []  # type: ignore[arg-type]
                assert enclosing_loops(loops[-1].body, entry.statement) == []
            runs.setdefault(id(entry.statement), []).append(entry.iterations)
        for paths in runs.values():  # a statement runs once per iteration path, in order
            assert paths == sorted(set(paths))


@pytest.mark.parametrize(
    "scene",
    [
        'at 0s: start "a"\nat 1s: interact "b"\n',
        'at 0s: start "a"\nrepeat 2 every 1s:\n    interact "x {{ loop.index }}"\n',
        'script "s":\n  at 0s: start "a"\n  repeat 2 every 4s:\n    repeat 2 every 1s:\n'
        '      interact "x {{ loop.index }}"\n# the end\n',
        'at 0s: start """\n   a prompt\n   over lines\n   """\n',
        'at 0s: start "a"\nat 1s for x in [\n  "b",\n  "c",\n] every 1s:\n  interact "{{ x }}"\n',
    ],
)
def test_following_the_help_of_an_unended_stream_ends_it(scene: str) -> None:
    [unended] = compile_source(scene).diagnostics
    assert unended.code.code == "E505" and unended.help is not None
    _, line_to_add, after_line = unended.help.split("\n")
    lines = scene.splitlines(keepends=True)
    line_number = int(after_line.removeprefix("after line "))
    fixed = "".join([*lines[:line_number], line_to_add + "\n", *lines[line_number:]])
    assert compile_source(fixed).diagnostics == [], fixed
