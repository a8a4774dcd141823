"""The pre-commit hook `odyc-check` of `.pre-commit-hooks.yaml`, run by pre-commit itself
(`pre-commit try-repo`, which installs this repository as the hook's environment) in a
temporary git repository holding scenes."""

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


def try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "odyc-check", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.timeout(1200)
def test_the_check_hook_passes_good_scenes_and_fails_on_an_error(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "good.ody").write_text(GOOD, encoding="utf-8")
    (project / "notes.txt").write_text(UNENDED, encoding="utf-8")  # not a scene: not checked
    git(project, "add", "-A")
    home = tmp_path / "pre-commit-home"
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
