"""The README's scene is real Ody: it compiles, with the times its comments promise."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from odyssey_dsl import compile_file

ROOT = Path(__file__).resolve().parent.parent


def test_language_screen_compiles(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The language in one screen") :]
    match = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert match is not None
    scene = tmp_path / "scene.ody"
    scene.write_text(match.group(1), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "meadow.png", tmp_path / "sofa.png")
    result = compile_file(scene)
    assert result.ok, [(d.code.code, d.span.line, d.message) for d in result.diagnostics]
    assert result.job is not None and result.job.script is not None
    times = [entry.timestamp_ms for entry in result.job.script]
    assert times[:9] == [0, 3000, 5000, 10_000, 10_500, 12_000, 12_500, 14_000, 14_500]
    assert times[9:11] == [104_500, 194_500]  # `for ... every pause` (1m30s)
    assert result.job.portrait is True
