"""The README's examples are real: its scene compiles with the times its comments promise,
its configuration file is valid, and its suppressions silence what they say."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from odyssey_dsl import compile_file

ROOT = Path(__file__).resolve().parent.parent


def first_code_block(heading: str, language: str = "") -> str:
    """The first fenced block (of `language`) after the README's `heading`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading) :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_language_screen_compiles(tmp_path: Path) -> None:
    scene = tmp_path / "scene.ody"
    scene.write_text(first_code_block("## The language in one screen"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "meadow.png", tmp_path / "sofa.png")
    result = compile_file(scene)
    assert result.ok, [(d.code.code, d.span.line, d.message) for d in result.diagnostics]
    assert result.job is not None and result.job.script is not None
    times = [entry.timestamp_ms for entry in result.job.script]
    assert times[:9] == [0, 3000, 5000, 10_000, 10_500, 12_000, 12_500, 14_000, 14_500]
    assert times[9:11] == [104_500, 194_500]  # `for ... every pause` (1m30s)
    assert result.job.portrait is True


def test_the_example_configuration_is_valid(tmp_path: Path) -> None:
    from odyssey_dsl.config.reading import read_config_file

    config = tmp_path / "odyc.toml"
    config.write_text(first_code_block("## Configuration", "toml"), encoding="utf-8")
    values = read_config_file(config).values
    assert values["per-file-ignores"] == (("drafts/", ("W101", "W103")),)
    assert values["min-gap"] == 250


def test_the_suppression_example_silences_what_it_says() -> None:
    from odyssey_dsl import compile_source

    block = first_code_block("## Silencing a warning")
    scene = f'at 0s: start "a"\n{block}at 3s: end\n'
    result = compile_source(scene)
    assert result.diagnostics == []
    assert sorted(s.diagnostic.code.code for s in result.suppressed) == ["W101", "W102", "W103"]
    without = compile_source(re.sub(r"#.*", "", scene))
    assert [d.code.code for d in without.diagnostics] == ["W101", "W102", "W103"]


def test_the_layout_table_names_every_module_of_the_core() -> None:
    """ "How the code is organised" lists every module of the core layers in its layer's row,
    and every folder of the package."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## How the code is organised") :]
    rows = {
        line.split("|")[2].strip(): line for line in section.splitlines() if line.startswith("| ")
    }
    package = ROOT / "odyssey_dsl"
    for layer in ("syntax", "semantics", "timeline", "diagnostics", "emit"):
        (row,) = [line for folder, line in rows.items() if folder.startswith(f"`{layer}/`")]
        for module in sorted((package / layer).glob("*.py")):
            if module.name != "__init__.py":
                assert f"`{module.name}`" in row, f"{layer}/{module.name} is not in the README"
    folders = [path.name for path in package.iterdir() if (path / "__init__.py").is_file()]
    assert sorted(f for f in folders if f"`{f}/`" not in section) == []
