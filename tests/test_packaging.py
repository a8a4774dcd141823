"""The wheel carries the grammar and works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("odyssey_dsl-*.whl")
    return path


def test_wheel_contains_the_grammar(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "odyssey_dsl/grammar/ody.lark" in names
    packaged = zipfile.ZipFile(wheel).read("odyssey_dsl/grammar/ody.lark")
    assert packaged == (ROOT / "grammar" / "ody.lark").read_bytes()


def test_installed_wheel_compiles_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import odyssey_dsl; "
            "assert odyssey_dsl.__file__.startswith(sys.argv[1]), odyssey_dsl.__file__; "
            "from odyssey_dsl.cli.main import main; "
            "sys.argv = ['odyc', sys.argv[2]]; raise SystemExit(main())",
            str(site),
            str(ROOT / "examples" / "cat_window.ody"),
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    expected = (ROOT / "examples" / "cat_window.json").read_text(encoding="utf-8")
    assert run.stdout == expected
    # No parser cache is written anywhere: one that another process could replace would be
    # unpickled, and run, by the next start (tests/test_grammar.py).
    assert not list((tmp_path / "cache").rglob("*.lark-cache"))
    assert not list(site.rglob("*.lark-cache"))
