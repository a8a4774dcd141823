"""The pre-commit hooks `odyc-check` and `odyc-fmt` of `.pre-commit-hooks.yaml`, run by
pre-commit itself (`pre-commit try-repo`, which installs this repository as the hooks'
environment, once for the module) in a temporary git repository holding scenes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOOD = 'at 0s: start "a"\nat 1s: end\n'
UNENDED = 'at 0s: start "a"\nat 1s: interact "b"\n'


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=odyc tests", "-c", "user.email=tests@odyc.invalid", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache, where it installs the hooks' environment."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(
    project: Path, home: Path, hook: str = "odyc-check"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def new_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    return project


@pytest.mark.timeout(1200)
def test_the_check_hook_passes_good_scenes_and_fails_on_an_error(
    tmp_path: Path, home: Path
) -> None:
    project = new_project(tmp_path)
    (project / "good.ody").write_text(GOOD, encoding="utf-8")
    (project / "notes.txt").write_text(UNENDED, encoding="utf-8")  # not a scene: not checked
    git(project, "add", "-A")
    passed = try_repo(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "odyc check" in passed.stdout and "Passed" in passed.stdout
    (project / "scenes").mkdir()
    (project / "scenes" / "unended.ody").write_text(UNENDED, encoding="utf-8")
    git(project, "add", "-A")
    failed = try_repo(project, home)
    assert failed.returncode != 0
    assert "Failed" in failed.stdout
    assert "scenes/unended.ody:1:8: error[E505]" in failed.stdout


@pytest.mark.timeout(1200)
def test_the_fmt_hook_rewrites_a_scene_and_fails_until_it_is_formatted(
    tmp_path: Path, home: Path
) -> None:
    project = new_project(tmp_path)
    (project / "odyc.toml").write_text("[format]\nindent-width = 2\n", encoding="utf-8")
    messy = 'repeat 2 every 1s:\n        at 0s:start  "a"\n'
    (project / "scene.ody").write_text(messy, encoding="utf-8")
    (project / "notes.txt").write_text(messy, encoding="utf-8")  # not a scene: untouched
    git(project, "add", "-A")
    rewritten = try_repo(project, home, "odyc-fmt")
    assert rewritten.returncode != 0, rewritten.stdout + rewritten.stderr
    assert "odyc fmt" in rewritten.stdout and "Failed" in rewritten.stdout
    assert "files were modified by this hook" in rewritten.stdout
    formatted = 'repeat 2 every 1s:\n  at 0s: start "a"\n'
    assert (project / "scene.ody").read_text(encoding="utf-8") == formatted
    assert (project / "notes.txt").read_text(encoding="utf-8") == messy
    git(project, "add", "-A")
    settled = try_repo(project, home, "odyc-fmt")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert "Passed" in settled.stdout
