"""`odyc schema`: the JSON Schemas of odyc's output accept what odyc emits and refuse what
the models refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl import compile_file
from odyssey_dsl.emit.job import render_json
from odyssey_dsl.emit.models import ScriptEntry
from odyssey_dsl.emit.schema import output_schema
from tests.cli_support import odyc_env, run_odyc

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ody"))


def valid(instance: Any, kind: str) -> bool:
    schema = output_schema(kind)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


@pytest.mark.parametrize("scene", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_output_is_valid(scene: Path) -> None:
    result = compile_file(scene)
    assert result.job is not None
    script = json.loads(render_json(result.job))
    request = json.loads(render_json(result.job, emit="request"))
    assert valid(script, "script")
    assert valid(request, "request")
    entries = script if result.job.script is not None else [e for s in script for e in s]
    assert all(valid(entry, "entry") for entry in entries)
    assert not valid(request, "script") and not valid(script, "request")


@pytest.mark.parametrize(
    "entry",
    [
        {"timestamp_ms": 0},
        {"timestamp_ms": 0, "start": {"prompt": "a"}, "end": {}},
        {"timestamp_ms": -1, "end": {}},
        {"timestamp_ms": 2**53, "end": {}},
        {"timestamp_ms": 0, "interact": {"prompt": ""}},
        {"timestamp_ms": 0, "start": None},
        {"timestamp_ms": 0, "end": {}, "extra": 1},
    ],
)
def test_entries_the_models_refuse_are_refused(entry: dict[str, Any]) -> None:
    assert not valid(entry, "entry")
    with pytest.raises(ValueError):
        ScriptEntry.model_validate(entry)


def test_a_request_needs_exactly_one_of_script_and_scripts() -> None:
    entry = {"timestamp_ms": 0, "end": {}}
    assert valid({"portrait": True, "script": [entry]}, "request")
    assert valid({"scripts": [[entry]]}, "request")
    assert not valid({"portrait": True}, "request")
    assert not valid({"script": [entry], "scripts": [[entry]]}, "request")


_action = st.sampled_from(["start", "interact", "end"])


@settings(max_examples=60, deadline=None)
@given(
    time=st.integers(min_value=-5, max_value=2**53 + 5),
    actions=st.lists(_action, max_size=3, unique=True),
    prompt=st.text(max_size=3),
)
def test_the_entry_schema_agrees_with_the_model(time: int, actions: list[str], prompt: str) -> None:
    """Differential: an entry is valid by the schema exactly when the model accepts it."""
    entry: dict[str, Any] = {"timestamp_ms": time}
    for action in actions:
        entry[action] = {} if action == "end" else {"prompt": prompt}
    try:
        ScriptEntry.model_validate(entry)
        accepted = True
    except ValueError:
        accepted = False
    assert valid(entry, "entry") == accepted


def test_the_command_prints_each_schema(tmp_path: Path) -> None:
    env = odyc_env(None, tmp_path)
    for flag, kind in (("--script", "script"), ("--entry", "entry"), ("--request", "request")):
        completed = run_odyc(["schema", flag], env)
        assert completed.returncode == 0
        assert json.loads(completed.stdout) == output_schema(kind)  # type: ignore[arg-type]
    default = run_odyc(["schema"], env)
    assert json.loads(default.stdout)["title"] == output_schema("script")["title"]
    both = run_odyc(["schema", "--entry", "--request"], env)
    assert both.returncode == 2 and "not allowed with" in both.stderr
