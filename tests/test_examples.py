"""Golden tests: every scene in `examples/` compiles to the JSON checked in beside it.

The goldens were produced by the compiler and then checked by hand against the language
spec (times, folding, templates). To regenerate them after an intended change, run
`python tests/update_goldens.py` and review the diff; these tests never rewrite them.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from odyssey_dsl import compile_file
from odyssey_dsl.emit.job import render_json
from odyssey_dsl.emit.json_text import json_text
from odyssey_dsl.emit.models import SCRIPT_ADAPTER, SimulationRequest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCENES = sorted(EXAMPLES.glob("*.ody"))
REQUIRED = {
    "cat_window",
    "mountain_landscape",
    "sunset",
    "image_to_video",
    "repeat_loop",
    "for_list",
    "templates",
    "multi_stream",
    "batch",
}
BATCHES = {"batch"}

# The example from the Simulate API documentation that `cat_window.ody` rewrites.
DOCUMENTED_CAT_SCRIPT = [
    {"timestamp_ms": 0, "start": {"prompt": "A cat sitting by a window"}},
    {"timestamp_ms": 3000, "interact": {"prompt": "The cat looks outside"}},
    {"timestamp_ms": 6000, "interact": {"prompt": "The cat stretches"}},
    {"timestamp_ms": 9000, "end": {}},
]


def golden(scene: Path) -> str:
    return scene.with_suffix(".json").read_text(encoding="utf-8")


def odyc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, from another working directory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_every_required_example_is_there_with_its_golden() -> None:
    names = {scene.stem for scene in SCENES}
    assert names >= REQUIRED
    for scene in SCENES:
        assert scene.with_suffix(".json").is_file(), f"{scene.name} has no expected JSON"


@pytest.mark.parametrize("scene", SCENES, ids=lambda p: p.stem)
def test_example_compiles_to_its_golden(scene: Path) -> None:
    result = compile_file(scene)
    assert result.ok, [d.message for d in result.diagnostics]
    assert result.diagnostics == [], "examples compile without warnings"
    assert result.compiled is not None and result.job is not None
    assert json_text(result.compiled) == golden(scene)
    assert render_json(result.job) == golden(scene), "the models serialise the same JSON"
    assert result.job.is_batch == result.compiled.is_batch == (scene.stem in BATCHES)


@pytest.mark.parametrize("scene", SCENES, ids=lambda p: p.stem)
def test_example_request_form_is_a_valid_request(scene: Path) -> None:
    result = compile_file(scene)
    assert result.compiled is not None and result.job is not None
    request = SimulationRequest.model_validate_json(json_text(result.compiled, emit="request"))
    expected = json.loads(golden(scene))
    sent: object
    if result.job.is_batch:
        assert request.scripts is not None and request.script is None
        sent = [[entry.model_dump(exclude_none=True) for entry in s] for s in request.scripts]
    else:
        assert request.script is not None and request.scripts is None
        sent = [entry.model_dump(exclude_none=True) for entry in request.script]
    assert sent == expected
    assert request.portrait == result.job.portrait


@pytest.mark.parametrize("scene", SCENES, ids=lambda p: p.stem)
def test_golden_is_a_valid_timeline(scene: Path) -> None:
    data = json.loads(golden(scene))
    scripts = data if scene.stem in BATCHES else [data]
    for raw in scripts:
        script = SCRIPT_ADAPTER.validate_python(raw)
        times = [entry.timestamp_ms for entry in script]
        assert times == sorted(times)
        kinds = ["start" if e.start else "interact" if e.interact else "end" for e in script]
        assert kinds[0] == "start" and kinds[-1] == "end"


def test_cat_window_is_the_documented_example_in_landscape() -> None:
    result = compile_file(EXAMPLES / "cat_window.ody")
    assert result.job is not None
    assert json.loads(render_json(result.job)) == DOCUMENTED_CAT_SCRIPT
    request = json.loads(render_json(result.job, emit="request"))
    assert request == {"portrait": False, "script": DOCUMENTED_CAT_SCRIPT}


def test_image_example_embeds_the_png_beside_it() -> None:
    png = (EXAMPLES / "meadow.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    start = json.loads(golden(EXAMPLES / "image_to_video.ody"))[0]["start"]
    assert start["image"] == "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@pytest.mark.parametrize("scene", SCENES, ids=lambda p: p.stem)
def test_cli_output_from_another_directory_matches_golden(scene: Path, tmp_path: Path) -> None:
    completed = odyc(str(scene), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == golden(scene)
    assert "Traceback" not in completed.stderr


def test_cli_finds_the_image_relative_to_the_scene_not_the_cwd(tmp_path: Path) -> None:
    folder = tmp_path / "scenes"
    folder.mkdir()
    for name in ("image_to_video.ody", "meadow.png"):
        shutil.copy(EXAMPLES / name, folder / name)
    completed = odyc("scenes/image_to_video.ody", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == golden(EXAMPLES / "image_to_video.ody")

    (folder / "meadow.png").unlink()
    missing = odyc("scenes/image_to_video.ody", cwd=tmp_path)
    assert missing.returncode == 1
    assert "E401" in missing.stderr
    assert missing.stdout == ""


def test_check_passes_on_every_example(tmp_path: Path) -> None:
    completed = odyc("check", *map(str, SCENES), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "timestamp_ms" not in completed.stdout, "check never prints the compiled JSON"


def test_templates_example_command_line_overrides_from_its_comment(tmp_path: Path) -> None:
    # templates.ody suggests: odyc templates.ody --var animal=wolf --var steps=5
    scene = EXAMPLES / "templates.ody"
    assert "--var animal=wolf --var steps=5" in scene.read_text(encoding="utf-8")
    completed = odyc(str(scene), "--var", "animal=wolf", "--var", "steps=5", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    entries = json.loads(completed.stdout)
    steps = [e for e in entries if "Step" in e.get("interact", {}).get("prompt", "")]
    # Five iterations 1.5s apart from 3s; what follows moves 3s later than in the golden.
    assert [e["timestamp_ms"] for e in steps] == [3000, 4500, 6000, 7500, 9000]
    assert entries[-1] == {"timestamp_ms": 14500, "end": {}}
    prompts = [e[kind]["prompt"] for e in entries for kind in ("start", "interact") if kind in e]
    assert all("wolf" in p and "fox" not in p for p in prompts)
