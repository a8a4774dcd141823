"""Emit: the JSON `odyc` writes directly (`emit.json_text`) is the JSON of the output models.

The models (`emit.models`) are the one definition of the output format. `odyc FILE` does not
build them: it writes the text from the compiled entries. For arbitrary prompts (quotes,
backslashes, control characters, any Unicode), batches or single scripts, portrait or not,
indented or compact, script or request form, that text must equal byte for byte what the
models serialise the validated `Job` to, and must validate against the models.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from odyssey_dsl import compile_source
from odyssey_dsl.emit.job import render_json
from odyssey_dsl.emit.json_text import EmitForm, json_chunks, json_text
from odyssey_dsl.emit.models import ScriptEntry, SimulationRequest

PNG = (Path(__file__).resolve().parent.parent / "examples" / "meadow.png").read_bytes()
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode("ascii")
BATCH: TypeAdapter[list[list[ScriptEntry]]] = TypeAdapter(list[list[ScriptEntry]])
SCRIPT: TypeAdapter[list[ScriptEntry]] = TypeAdapter(list[ScriptEntry])

prompts = st.text(min_size=1, max_size=40).filter(lambda text: text.strip() != "")
"""Any text a prompt can hold (hypothesis leaves out lone surrogates, which are not text)."""


def script_lines(first: int, interactions: int, image: bool, indent: str) -> list[str]:
    """A stream whose prompts are the variables p{first}, p{first + 1}, ... (templates)."""
    with_image = ' with image "{{ img }}"' if image else ""
    lines = [f'{indent}at 0s: start "{{{{ p{first} }}}}"{with_image}']
    for number in range(1, interactions + 1):
        lines.append(f'{indent}at {number}s: interact "{{{{ p{first + number} }}}}"')
    lines.append(f"{indent}at {interactions + 1}s: end")
    return lines


@st.composite
def scenes(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A valid scene whose prompts are arbitrary text, passed in as variables."""
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    batch = draw(st.booleans()) or len(sizes) > 1
    portrait = draw(st.sampled_from(["portrait: true", "portrait: false", None]))
    image = draw(st.booleans())
    variables: dict[str, object] = {"img": DATA_URL} if image else {}
    lines = [portrait] if portrait else []
    first = 0
    for number, interactions in enumerate(sizes):
        if batch:
            lines.append(f'script "{{{{ n{number} }}}}{number}":')
            variables[f"n{number}"] = draw(prompts)
        lines += script_lines(first, interactions, image and number == 0, "  " if batch else "")
        for index in range(first, first + interactions + 1):
            variables[f"p{index}"] = draw(prompts)
        first += interactions + 1
    return "\n".join(lines) + "\n", variables


@settings(max_examples=60, deadline=None)
@given(
    scene=scenes(),
    emit=st.sampled_from(["script", "request"]),
    compact=st.booleans(),
    chunk_size=st.integers(1, 300),
)
def test_direct_json_is_the_models_json_and_validates(
    scene: tuple[str, dict[str, object]], emit: EmitForm, compact: bool, chunk_size: int
) -> None:
    text, variables = scene
    result = compile_source(text, variables=variables)
    assert result.errors == [], [d.message for d in result.errors]
    assert result.compiled is not None and result.job is not None
    direct = json_text(result.compiled, emit=emit, compact=compact)
    assert direct == render_json(result.job, emit=emit, compact=compact)
    chunks = list(json_chunks(result.compiled, emit=emit, compact=compact, chunk_size=chunk_size))
    assert b"".join(chunks) == direct.encode("utf-8")
    assert all(chunk for chunk in chunks)
    assert ("\n" in direct.removesuffix("\n")) == (not compact)
    if emit == "request":
        request = SimulationRequest.model_validate_json(direct)
        sent = request.scripts if result.compiled.is_batch else [request.script or []]
        assert request.portrait == result.compiled.portrait
    else:
        adapter: TypeAdapter[Any] = BATCH if result.compiled.is_batch else SCRIPT
        parsed = adapter.validate_json(direct)
        sent = parsed if result.compiled.is_batch else [parsed]
    prompts_sent = [
        (entry.start or entry.interact).prompt  # type: ignore[union-attr]
        for script in sent or []
        for entry in script
        if entry.end is None
    ]
    assert prompts_sent == [variables[f"p{i}"] for i in range(len(prompts_sent))]
    if result.compiled.script_names is not None:
        names = [f"{variables[f'n{i}']}{i}" for i in range(len(result.compiled.script_names))]
        assert result.compiled.script_names == names


def test_a_batch_keeps_its_script_names_out_of_the_json() -> None:
    result = compile_source(
        'script "one":\n  at 0s: start "a"\n  at 1s: end\n'
        'script "two":\n  at 0s: start "b"\n  at 1s: end\n'
    )
    assert result.compiled is not None and result.compiled.script_names == ["one", "two"]
    assert result.job is not None and result.job.script_names == ["one", "two"]
    request = json.loads(json_text(result.compiled, emit="request"))
    assert request == {
        "portrait": True,
        "scripts": [
            [{"timestamp_ms": 0, "start": {"prompt": p}}, {"timestamp_ms": 1000, "end": {}}]
            for p in "ab"
        ],
    }


def test_a_check_only_compile_has_no_job() -> None:
    result = compile_source('at 0s: start "a"\nat 1s: end\n', emit_job=False)
    assert result.ok and result.compiled is None and result.job is None


@pytest.mark.parametrize(
    ("scene", "variables"),
    [
        ('at 0s: start "a {{ v }}"\nat 1s: end\n', {"v": "\udcff"}),  # --var with a bad byte
        ("at 0s: start \"a {{ '\\\\ud800' }}\"\nat 1s: end\n", {}),  # a Jinja2 escape
    ],
)
def test_a_prompt_that_is_not_valid_unicode_never_reaches_the_json(
    scene: str, variables: dict[str, object]
) -> None:
    result = compile_source(scene, variables=variables)
    assert result.errors and result.compiled is None
